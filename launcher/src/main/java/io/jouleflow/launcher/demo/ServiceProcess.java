package io.jouleflow.launcher.demo;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The example inference service in a child JVM with the agent: its command line, its logs in the
 * work directory, waiting until it serves, and stopping it.
 */
public final class ServiceProcess {

  public static final String MAIN = "example.service.InferenceService";

  /** The service's model directory name: also the {@code model} label the agent exports. */
  public static final String MODEL = "tiny_resnet";

  /** The agent samples one run in this many for per-op timings (the default is 100). */
  static final int TRACE_EVERY = 20;

  private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
  private static final String AGENT_LOG_PREFIX = "[jouleflow]";
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final Duration SLOW_START = Duration.ofSeconds(10);

  private final Process process;
  private final Path stdout;
  private final Path stderr;
  private int agentLinesSeen;

  private ServiceProcess(Process process, Path stdout, Path stderr) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** The launcher's own {@code java}: the same JDK runs the service. */
  public static Path currentJava() {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    if (Files.isExecutable(java)) {
      return java;
    }
    return ProcessHandle.current().info().command().map(Path::of).orElse(Path.of("java"));
  }

  /**
   * The child's command line: {@code java -javaagent:<agent>=<options> -cp <examples> MAIN
   * --port <port> --model-dir <work>/tiny_resnet}. The demo's observations go to a sample store of
   * its own in the work directory, not the user's {@code ~/.jouleflow}.
   */
  public static List<String> command(Path java, BuildOutputs outputs, Path workDir, int port,
      int metricsPort, List<String> jvmArgs) {
    List<String> cmd = new ArrayList<>();
    cmd.add(java.toString());
    cmd.addAll(jvmArgs);
    cmd.add("-javaagent:" + outputs.agentJar() + "=" + agentOptions(workDir, metricsPort));
    cmd.add("-cp");
    cmd.add(outputs.serviceClassPath());
    cmd.add(MAIN);
    cmd.add("--port");
    cmd.add(Integer.toString(port));
    cmd.add("--model-dir");
    cmd.add(modelDir(workDir).toString());
    return cmd;
  }

  static String agentOptions(Path workDir, int metricsPort) {
    return "prometheus.port=" + metricsPort + ",trace.every=" + TRACE_EVERY
        + ",samples=jdbc:sqlite:" + workDir.resolve("samples.db");
  }

  public static Path modelDir(Path workDir) {
    return workDir.resolve(MODEL);
  }

  /**
   * Starts the service; its stdout and stderr go to {@code service.out} and {@code service.err} in
   * the work directory.
   */
  public static ServiceProcess start(List<String> command, Path workDir) throws IOException {
    Path out = workDir.resolve("service.out");
    Path err = workDir.resolve("service.err");
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out.toFile())
        .redirectError(err.toFile());
    Map<String, String> env = pb.environment();
    env.put("TF_CPP_MIN_LOG_LEVEL", "2");
    return new ServiceProcess(pb.start(), out, err);
  }

  /** True when nothing on this host listens on {@code port} at the loopback address. */
  public static boolean portFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Waits for the service's {@code listening on} line.
   *
   * @return the port it listens on
   * @throws DemoFailure when it exits first (its log's last lines are printed to {@code err}) or
   *     does not listen within {@code timeout}
   */
  public int awaitListening(Duration timeout, PrintWriter err) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    boolean told = false;
    while (true) {
      Matcher m = LISTENING.matcher(read(stdout));
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      if (!process.isAlive()) {
        throw exited("before it served", err);
      }
      if (System.nanoTime() > deadline) {
        printTail(err);
        throw new DemoFailure("the example service did not start within " + timeout.toSeconds()
            + " s; its log is " + stderr);
      }
      if (!told && System.nanoTime() - start > SLOW_START.toNanos()) {
        err.println("   still starting: a first start unpacks TensorFlow's native libraries (about"
            + " 650 MB) into ~/.javacpp/cache, up to a minute or two; later starts take seconds");
        err.flush();
        told = true;
      }
      Thread.sleep(100);
    }
  }

  /** The failure for a service that has exited: prints the end of its log, names its exit code. */
  public DemoFailure exited(String when, PrintWriter err) {
    printTail(err);
    String log = read(stderr);
    String reason = log.contains("Address already in use")
        ? "its port was taken after the demo checked it (BindException)"
        : "exit code " + process.exitValue();
    return new DemoFailure("the example service exited " + when + " (" + reason
        + "); the end of its log is above, all of it in " + stderr);
  }

  /** The agent's log lines ({@code [jouleflow] ...}) the service wrote since the last call. */
  public List<String> newAgentLines() {
    List<String> lines = read(stderr).lines().filter(l -> l.startsWith(AGENT_LOG_PREFIX)).toList();
    List<String> fresh = lines.subList(Math.min(agentLinesSeen, lines.size()), lines.size());
    agentLinesSeen = lines.size();
    return fresh;
  }

  /** Prints the last lines of the service's stderr. */
  public void printTail(PrintWriter err) {
    List<String> lines = read(stderr).lines().toList();
    List<String> tail = lines.subList(Math.max(0, lines.size() - 20), lines.size());
    err.println("the example service's log (" + stderr + "), last " + tail.size() + " lines:");
    tail.forEach(l -> err.println("  | " + l));
    err.flush();
  }

  public boolean alive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  public Path stderrFile() {
    return stderr;
  }

  /** Stops the service: SIGTERM (it closes its model and server), SIGKILL after 10 s. */
  public void stop() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static String read(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
