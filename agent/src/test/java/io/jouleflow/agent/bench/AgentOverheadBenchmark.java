package io.jouleflow.agent.bench;

import io.jouleflow.agent.it.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.DoubleBinaryOperator;
import java.util.regex.Matcher;
import java.util.stream.Stream;

/**
 * What the agent costs an unmodified TensorFlow application, as latency: the example classifier
 * ({@link LatencyApp}) runs in three child JVMs that differ only in the agent flag — A without the
 * agent, B with it at the default sampling (trace.every=auto), C with every run traced — and the
 * benchmark compares their latency distributions. A benchmark to run by hand
 * ({@code scripts/bench-agent-overhead.sh}), not a test: it prints numbers and a verdict, and
 * asserts nothing.
 *
 * <p>All three JVMs start first and stay warm; then, round by round, each runs its batch of
 * inferences while the other two wait on stdin, so no two ever compete for the CPUs. The order
 * inside a round rotates (ABC, BCA, CAB, …) so that no variant always goes first or last.
 */
public final class AgentOverheadBenchmark {

  /** The target from the issue: median latency with the agent at its default sampling. */
  static final double TARGET_MEDIAN_RATIO = 1.01;
  /** Issue 15: the latency tail with the agent at its default sampling. */
  static final double TARGET_P99_RATIO = 1.03;

  private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration ROUND_TIMEOUT = Duration.ofMinutes(5);

  /** One child JVM configuration; {@code agentOptions} null means no agent. */
  record Variant(String label, String description, String agentOptions) {}

  static final List<Variant> VARIANTS = List.of(
      new Variant("A", "no agent", null),
      // B's endpoint is scraped at the end for its trace rate (the port is chosen at start).
      new Variant("B", "agent, default sampling (trace.every=auto)", "prometheus.port=0"),
      new Variant("C", "agent, trace.every=1 (all traced)", "prometheus.port=0,trace.every=1"));

  public static void main(String[] args) throws Exception {
    Map<String, String> defaults = new LinkedHashMap<>();
    defaults.put("rounds", "50");
    defaults.put("runs-per-round", "500");
    defaults.put("warmup", "1000");
    defaults.put("batch", "8");
    defaults.put("input-size", "64");
    defaults.put("agent-jar", "agent/target/jouleflow-agent.jar");
    defaults.put("model-dir", null);
    BenchFlags flags;
    try {
      flags = BenchFlags.parse(args, defaults);
      flags.positiveInt("rounds");
      flags.positiveInt("runs-per-round");
      flags.positiveInt("warmup");
      flags.positiveInt("batch");
      flags.positiveInt("input-size");
    } catch (IllegalArgumentException e) {
      System.err.println("AgentOverheadBenchmark: " + e.getMessage());
      System.exit(2);
      return;
    }
    Path agentJar = Path.of(flags.get("agent-jar")).toAbsolutePath();
    if (!Files.isRegularFile(agentJar)) {
      System.err.println("AgentOverheadBenchmark: no agent jar at " + agentJar
          + " (build it: mvn -pl agent -am package -DskipTests)");
      System.exit(2);
    }
    boolean tempModel = flags.get("model-dir") == null;
    Path modelDir = tempModel
        ? Files.createTempDirectory("jouleflow-bench-model-")
        : Path.of(flags.get("model-dir")).toAbsolutePath();
    try {
      new AgentOverheadBenchmark(flags, agentJar, modelDir).run();
    } finally {
      if (tempModel) {
        deleteTree(modelDir);
      }
    }
  }

  private final int rounds;
  private final int runsPerRound;
  private final int batch;
  private final int inputSize;
  private final int warmup;
  private final Path agentJar;
  private final Path modelDir;
  private final int metricsPortB;

  private AgentOverheadBenchmark(BenchFlags flags, Path agentJar, Path modelDir) {
    this.rounds = flags.positiveInt("rounds");
    this.runsPerRound = flags.positiveInt("runs-per-round");
    this.batch = flags.positiveInt("batch");
    this.inputSize = flags.positiveInt("input-size");
    this.warmup = flags.positiveInt("warmup");
    this.agentJar = agentJar;
    this.modelDir = modelDir;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      this.metricsPortB = s.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void run() throws Exception {
    long benchStart = System.nanoTime();
    printEnvironment();
    // ChildJvm passes this cache on to the children: the same one the tests use, so the 650 MB of
    // TensorFlow libraries are unpacked once.
    if (System.getProperty("org.bytedeco.javacpp.cachedir") == null) {
      System.setProperty("org.bytedeco.javacpp.cachedir",
          Path.of(System.getProperty("user.home"), ".javacpp", "cache").toString());
    }
    // Read by the shutdown hook too (Ctrl-C must not leave JVMs behind).
    List<ChildJvm> jvms = new CopyOnWriteArrayList<>();
    Thread cleanup = new Thread(() -> jvms.forEach(AgentOverheadBenchmark::closeQuietly));
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      // One after the other: the first exports the model, and start-up does not disturb a warm-up.
      for (Variant v : VARIANTS) {
        long start = System.nanoTime();
        ChildJvm jvm = ChildJvm.start(jvmArgs(v), ChildJvm.applicationClassPath(),
            LatencyApp.class.getName(), List.of("--model-dir", modelDir.toString(),
                "--input-size", Integer.toString(inputSize), "--batch", Integer.toString(batch),
                "--warmup", Integer.toString(warmup)));
        jvms.add(jvm);
        jvm.awaitLine("^ready$", START_TIMEOUT);
        System.out.printf(Locale.ROOT, "started %s (%s): pid %d, ready after %.1f s%n",
            v.label(), v.description(), jvm.pid(), seconds(System.nanoTime() - start));
      }
      long[][] latencies = measure(jvms);
      String traceRate = traceRateOfB();
      for (ChildJvm jvm : jvms) {
        jvm.send("quit");
      }
      printResults(latencies);
      System.out.println(traceRate);
    } finally {
      jvms.forEach(AgentOverheadBenchmark::closeQuietly);
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
    System.out.printf(Locale.ROOT, "benchmark took %.0f s%n", seconds(System.nanoTime() - benchStart));
  }

  private List<String> jvmArgs(Variant v) {
    List<String> args = new ArrayList<>(List.of("-Xms512m", "-Xmx512m"));
    if (v.agentOptions() != null) {
      args.add("-javaagent:" + agentJar + "=" + options(v));
    }
    return args;
  }

  private String options(Variant v) {
    return v.label().equals("B")
        ? v.agentOptions().replace("prometheus.port=0", "prometheus.port=" + metricsPortB)
        : v.agentOptions();
  }

  /** B's traced runs over its runs (warm-up included), from its /metrics endpoint. */
  private String traceRateOfB() {
    try {
      String text = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + metricsPortB + "/metrics")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      double traced = sum(text, "jouleflow_inference_traced_runs_total");
      double runs = sum(text, "jouleflow_inference_runs_total");
      return String.format(Locale.ROOT,
          "trace rate of B: %.0f traced of %.0f runs (%.3f %%, warm-up included)", traced, runs,
          100 * traced / runs);
    } catch (IOException | RuntimeException e) {
      return "trace rate of B: unknown (" + e + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "trace rate of B: unknown (interrupted)";
    }
  }

  private static double sum(String text, String metric) {
    return text.lines().filter(l -> l.startsWith(metric + "{") || l.startsWith(metric + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  /** Runs the rounds; returns every latency in nanoseconds, per variant in VARIANTS order. */
  private long[][] measure(List<ChildJvm> jvms) throws Exception {
    int n = VARIANTS.size();
    long[][] all = new long[n][rounds * runsPerRound];
    for (int round = 0; round < rounds; round++) {
      StringBuilder order = new StringBuilder();
      double[] medians = new double[n];
      for (int k = 0; k < n; k++) {
        int v = (round + k) % n;
        order.append(VARIANTS.get(v).label());
        ChildJvm jvm = jvms.get(v);
        jvm.send("run " + runsPerRound);
        Matcher m = jvm.awaitLine("^latencies " + (round + 1) + " (.*)$", ROUND_TIMEOUT);
        long[] nanos = Arrays.stream(m.group(1).split(" ")).mapToLong(Long::parseLong).toArray();
        if (nanos.length != runsPerRound) {
          throw new IllegalStateException(VARIANTS.get(v).label() + " answered " + nanos.length
              + " latencies, expected " + runsPerRound);
        }
        System.arraycopy(nanos, 0, all[v], round * runsPerRound, runsPerRound);
        medians[v] = LatencySummary.of(nanos).medianMs();
      }
      System.out.printf(Locale.ROOT,
          "round %2d/%d (%s): median A %.3f  B %.3f  C %.3f ms   B/A %.3f  C/A %.3f%n",
          round + 1, rounds, order, medians[0], medians[1], medians[2],
          medians[1] / medians[0], medians[2] / medians[0]);
    }
    return all;
  }

  private void printResults(long[][] latencies) {
    LatencySummary[] s = new LatencySummary[VARIANTS.size()];
    for (int v = 0; v < s.length; v++) {
      s[v] = LatencySummary.of(latencies[v]);
    }
    System.out.println();
    System.out.printf(Locale.ROOT,
        "latency of one classify() call, batch %d, %dx%dx3 input, %d runs per JVM (ms)%n",
        batch, inputSize, inputSize, s[0].count());
    System.out.printf(Locale.ROOT, "  %-38s %8s %8s %8s %8s%n", "", "median", "p90", "p99", "mean");
    for (int v = 0; v < s.length; v++) {
      System.out.printf(Locale.ROOT, "  %-38s %8.3f %8.3f %8.3f %8.3f%n",
          VARIANTS.get(v).label() + "  " + VARIANTS.get(v).description(),
          s[v].medianMs(), s[v].p90Ms(), s[v].p99Ms(), s[v].meanMs());
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "  %-38s %8s %8s %8s %8s%n", "ratio", "median", "p90", "p99", "mean");
    for (int v = 1; v < s.length; v++) {
      System.out.printf(Locale.ROOT, "  %-38s %8.4f %8.4f %8.4f %8.4f%n",
          VARIANTS.get(v).label() + "/A",
          s[v].medianMs() / s[0].medianMs(), s[v].p90Ms() / s[0].p90Ms(),
          s[v].p99Ms() / s[0].p99Ms(), s[v].meanMs() / s[0].meanMs());
    }
    // Per round, the variants ran at most seconds apart: these compare like with like
    // when the host's speed drifts, where the pooled numbers above mix fast and slow periods.
    double[] ratios = perRound(latencies[1], latencies[0], (b, a) -> b / a);
    System.out.printf(Locale.ROOT, "  per-round median B/A: min %.4f, median %.4f, max %.4f%n",
        ratios[0], ratios[ratios.length / 2], ratios[ratios.length - 1]);
    System.out.println();
    double[] costs = perRound(latencies[2], latencies[0], (c, a) -> c - a);
    System.out.printf(Locale.ROOT,
        "cost of a traced run: median(C) - median(A) = %+.3f ms (%+.1f%%)%n"
            + "  per round: median %+.3f ms, min %+.3f, max %+.3f%n",
        s[2].medianMs() - s[0].medianMs(), 100 * (s[2].medianMs() / s[0].medianMs() - 1),
        costs[costs.length / 2], costs[0], costs[costs.length - 1]);
    double ratio = s[1].medianMs() / s[0].medianMs();
    System.out.printf(Locale.ROOT, "target median B/A <= %.2f at the default sampling: %s (%.4f)%n",
        TARGET_MEDIAN_RATIO, ratio <= TARGET_MEDIAN_RATIO ? "MET" : "NOT MET", ratio);
    double p99 = s[1].p99Ms() / s[0].p99Ms();
    System.out.printf(Locale.ROOT, "target p99 B/A <= %.2f at the default sampling: %s (%.4f)%n",
        TARGET_P99_RATIO, p99 <= TARGET_P99_RATIO ? "MET" : "NOT MET", p99);
  }

  /** {@code compare(median of x, median of y)} for each round, in ms, sorted. */
  private double[] perRound(long[] x, long[] y, DoubleBinaryOperator compare) {
    double[] values = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      int from = r * runsPerRound;
      int to = from + runsPerRound;
      values[r] = compare.applyAsDouble(
          LatencySummary.of(Arrays.copyOfRange(x, from, to)).medianMs(),
          LatencySummary.of(Arrays.copyOfRange(y, from, to)).medianMs());
    }
    Arrays.sort(values);
    return values;
  }

  private void printEnvironment() {
    System.out.println("jouleflow agent overhead benchmark");
    System.out.printf("  JDK      %s %s (%s)%n", System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"), System.getProperty("java.home"));
    System.out.printf("  CPU      %s, %d cores available%n", cpuModel(),
        Runtime.getRuntime().availableProcessors());
    System.out.printf("  OS       %s %s %s%n", System.getProperty("os.name"),
        System.getProperty("os.version"), System.getProperty("os.arch"));
    System.out.println("  agent    " + agentJar);
    System.out.println("  model    " + modelDir);
    System.out.printf(Locale.ROOT,
        "  plan     %d rounds x %d runs per JVM, batch %d, input %dx%dx3, warm-up %d runs%n",
        rounds, runsPerRound, batch, inputSize, inputSize, warmup);
    for (Variant v : VARIANTS) {
      System.out.printf("  %s        %s%s%n", v.label(), v.description(),
          v.agentOptions() == null ? "" : ": -javaagent:…=" + options(v));
    }
  }

  private static String cpuModel() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines.filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst().orElse("unknown CPU");
    } catch (IOException | RuntimeException e) {
      return "unknown CPU (" + e.getMessage() + ")";
    }
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static void closeQuietly(ChildJvm jvm) {
    try {
      jvm.close();
    } catch (Exception e) {
      System.err.println("could not stop child JVM " + jvm.pid() + ": " + e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
