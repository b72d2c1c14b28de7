package io.jouleflow.launcher.cli;

import io.jouleflow.launcher.demo.BuildOutputs;
import io.jouleflow.launcher.demo.DemoFailure;
import io.jouleflow.launcher.demo.DemoReport;
import io.jouleflow.launcher.demo.LoadDriver;
import io.jouleflow.launcher.demo.PredictRun;
import io.jouleflow.launcher.demo.PrometheusText;
import io.jouleflow.launcher.demo.ServiceProcess;
import io.jouleflow.launcher.report.HtmlReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jouleflow demo}: the README's main job in one command. Starts the example inference
 * service with the agent, prints the prediction for the model it exported, drives load, and prints
 * what the agent observed per layer next to the prediction. Progress goes to stderr, results to
 * stdout; the service is stopped at the end (also on Ctrl-C) unless {@code --keep}.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = JouleflowCommand.Version.class,
    description = {
      "Starts the example inference service (examples/) with the agent, predicts its model's"
          + " energy per layer, drives load for --seconds, and prints observed next to predicted"
          + " energy per layer and the /metrics URL.",
      "Needs the build outputs of `mvn -B -DskipTests package` (scripts/demo.sh builds them)."
    },
    usageHelpAutoWidth = true)
public final class DemoCommand implements Callable<Integer> {

  static final int BATCH = 4;
  static final int DEFAULT_SECONDS = 30;
  static final int MAX_SECONDS = 3600;
  static final int DEFAULT_PORT = 8080;
  static final int DEFAULT_METRICS_PORT = 9464;
  static final String PORT_ENV = "DEMO_PORT";
  static final String METRICS_PORT_ENV = "METRICS_PORT";
  static final String DASHBOARD = "dashboards/grafana/jouleflow-energy.json";
  static final String SCRAPE_CONFIG = "dashboards/prometheus/prometheus.yml";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  /** The agent compares observed with predicted energy every 5 s; wait for one comparison. */
  private static final Duration COMPARISON_TIMEOUT = Duration.ofSeconds(12);
  /** The agent splits energy over runs about a second after measuring it. */
  private static final Duration ENERGY_LAG = Duration.ofMillis(1500);
  private static final long PREDICT_TIMEOUT_SECONDS = 120;
  private static final String JAVACPP_CACHE = "org.bytedeco.javacpp.cachedir";

  @Spec CommandSpec spec;

  /** The environment, read for {@value #PORT_ENV} and {@value #METRICS_PORT_ENV}. */
  Map<String, String> env = System.getenv();

  @Option(names = "--seconds", paramLabel = "N", defaultValue = "" + DEFAULT_SECONDS,
      description = "Length of the load phase in seconds, 1 to " + MAX_SECONDS
          + ". Default: ${DEFAULT-VALUE}.")
  String seconds;

  @Option(names = "--port", paramLabel = "PORT",
      description = "Port of the example service on 127.0.0.1. Default: $" + PORT_ENV
          + ", else " + DEFAULT_PORT + ".")
  String port;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "Port of the agent's /metrics endpoint on 127.0.0.1. Default: $"
          + METRICS_PORT_ENV + ", else " + DEFAULT_METRICS_PORT + ".")
  String metricsPort;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Where the model is exported and the service's logs and sample store go."
          + " Default: target/demo under the project root.")
  Path workDir;

  @Option(names = "--agent", paramLabel = "JAR",
      description = "The agent jar. Default: agent/target/jouleflow-agent.jar under the project"
          + " root.")
  Path agent;

  @Option(names = "--keep",
      description = "Leave the service (and its /metrics) running after the demo; it prints how"
          + " to stop it.")
  boolean keep;

  /** The validated options. */
  record Settings(int seconds, int port, int metricsPort) {}

  @Override
  public Integer call() throws Exception {
    Settings settings = settings();
    if (agent != null && !Files.isRegularFile(agent)) {
      throw usage("--agent: no such file: " + agent);
    }
    if (workDir != null && workDir.toAbsolutePath().toString().contains(",")) {
      throw usage("--work-dir must not contain a comma (the agent's options are comma-separated): "
          + workDir);
    }
    try {
      return run(settings);
    } catch (DemoFailure e) {
      throw new CommandFailure(e.getMessage(), e);
    }
  }

  /** Parses and checks the options and the environment; bad ones are bad usage (exit 2). */
  Settings settings() {
    int s = whole("--seconds", seconds, 1, MAX_SECONDS, "a whole number of seconds");
    int p = port("--port", port, PORT_ENV, DEFAULT_PORT);
    int m = port("--metrics-port", metricsPort, METRICS_PORT_ENV, DEFAULT_METRICS_PORT);
    if (p == m) {
      throw usage("--port and --metrics-port must differ, both are " + p);
    }
    return new Settings(s, p, m);
  }

  private int port(String option, String value, String envName, int fallback) {
    if (value != null) {
      return whole(option, value, 1, 65535, "a port number");
    }
    String fromEnv = env.get(envName);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return whole(envName, fromEnv, 1, 65535, "a port number");
    }
    return fallback;
  }

  private int whole(String name, String value, int min, int max, String what) {
    try {
      int v = Integer.parseInt(value.strip());
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // the message below says what is valid
    }
    throw usage(name + " must be " + what + " from " + min + " to " + max + ", not '" + value + "'");
  }

  private int run(Settings settings) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path root = BuildOutputs.findRoot(launcherJar(), Path.of("").toAbsolutePath());
    BuildOutputs outputs = BuildOutputs.locate(root,
        Optional.ofNullable(agent).map(Path::toAbsolutePath), JouleflowCommand.Version.version());
    Path work = (workDir != null ? workDir : root.resolve("target").resolve("demo"))
        .toAbsolutePath().normalize();
    checkFree(settings.port(), "the example service", "--port", PORT_ENV);
    checkFree(settings.metricsPort(), "the agent's /metrics endpoint", "--metrics-port",
        METRICS_PORT_ENV);
    Files.createDirectories(work);

    Path java = ServiceProcess.currentJava();
    List<String> jvmArgs = childJvmArgs();
    List<String> command = ServiceProcess.command(java, outputs, work, settings.port(),
        settings.metricsPort(), jvmArgs);
    err.println("== starting the example service (" + ServiceProcess.MAIN + ") with -javaagent:"
        + relative(root, outputs.agentJar()));
    err.println("   model " + ServiceProcess.modelDir(work) + " (exported there on the first start),"
        + " service logs " + work.resolve("service.out") + " and service.err");
    err.flush();
    ServiceProcess service = ServiceProcess.start(command, work);
    AtomicBoolean interrupted = new AtomicBoolean();
    Thread onCtrlC = new Thread(() -> {
      interrupted.set(true);
      if (service.alive()) {
        err.println();
        err.println("demo: interrupted; stopping the example service (pid " + service.pid() + ")");
        err.flush();
        service.stop();
      }
    }, "jouleflow-demo-stop");
    Runtime.getRuntime().addShutdownHook(onCtrlC);
    boolean done = false;
    try {
      service.awaitListening(START_TIMEOUT, err);
      service.newAgentLines().forEach(l -> err.println("   " + l));
      String serviceUrl = "http://127.0.0.1:" + settings.port();
      String metricsUrl = "http://127.0.0.1:" + settings.metricsPort() + "/metrics";
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      scrape(http, metricsUrl, service, err); // the endpoint is up, before the load

      PredictRun prediction = predict(java, jvmArgs, ServiceProcess.modelDir(work), "table");
      out.println("== before deploy: the predicted energy per layer of the model the service"
          + " exported (batch " + BATCH + ")");
      out.print(prediction.out());
      out.flush();
      prediction.errLines().forEach(l -> err.println("   " + l));
      DemoReport.Prediction predicted = predictedCsv(java, jvmArgs, ServiceProcess.modelDir(work));

      LoadDriver load = new LoadDriver(serviceUrl, BATCH);
      err.println("== driving load for " + settings.seconds() + " s: GET " + serviceUrl
          + "/predict?batch=" + BATCH + "&seed=n, one request at a time");
      err.flush();
      LoadDriver.Progress total;
      try {
        total = load.run(Duration.ofSeconds(settings.seconds()),
            p -> inPlace(err, p.line()), service::alive);
      } catch (LoadDriver.RequestFailed e) {
        err.println();
        if (!service.alive()) {
          throw service.exited("during the load", err);
        }
        throw new DemoFailure(e.getMessage(), e);
      }
      inPlace(err, String.format(Locale.ROOT, "%d requests in %.1f s, %.1f req/s",
          total.requests(), total.elapsedSeconds(), total.requestsPerSecond()));
      err.println();

      PrometheusText metrics = awaitComparison(http, metricsUrl, service, err);
      service.newAgentLines().forEach(l -> err.println("   " + l));
      err.flush();
      DemoReport report = DemoReport.of(metrics, ServiceProcess.MODEL);
      if (report.runs() == 0) {
        throw new DemoFailure("the agent reported no inferences of model " + ServiceProcess.MODEL
            + " at " + metricsUrl + "; see " + service.stderrFile());
      }
      out.println("== in the service: what the agent observed per inference over the load"
          + " (model " + ServiceProcess.MODEL + ", batch " + BATCH + ")");
      report.print(out, predicted);
      out.println("(observed: each run's time and energy as the agent attributed them to layers,"
          + " over the whole load;");
      out.println(" _unattributed: time and energy no layer's ops cover: gaps, executor and JNI"
          + " work;");
      out.println(" predicted: the model set (" + "the bundled one unless this machine has its own),"
          + " trained on layers measured in place,");
      out.println(" _unattributed as the model's overhead - see README, 'The bundled model set')");
      out.println("metrics:   " + metricsUrl + "   (Prometheus scrape config: " + SCRAPE_CONFIG
          + ")");
      out.println("service:   " + serviceUrl + "/predict?batch=" + BATCH + "&seed=1");
      out.println("page:      " + writePage(work, report, predicted, settings)
          + "   (observed and predicted bars per layer; open it in a browser)");
      out.println("dashboard: " + dashboard(root));
      out.println("samples:   jdbc:sqlite:" + work.resolve("samples.db")
          + "   (what the agent observed, as training samples with origin=agent)");
      if (keep) {
        out.println("the service is still running (pid " + service.pid() + ", log "
            + service.stderrFile() + "); stop it with: kill " + service.pid());
      } else {
        out.println("the service and its /metrics stop now; --keep leaves them running");
      }
      out.flush();
      done = true;
      return JouleflowCommand.EXIT_OK;
    } catch (Exception e) {
      if (interrupted.get()) {
        // Ctrl-C stopped the service under the running demo: what failed next is no news. The JVM
        // halts when the shutdown hook is done.
        Thread.sleep(Long.MAX_VALUE);
      }
      throw e;
    } finally {
      if (!(keep && done)) {
        service.stop();
      }
      try {
        Runtime.getRuntime().removeShutdownHook(onCtrlC);
      } catch (IllegalStateException e) {
        // already shutting down: the hook is running or has run
      }
    }
  }

  /** Where the launcher's classes come from: its jar, when run as {@code java -jar}. */
  private static Optional<Path> launcherJar() {
    try {
      var source = DemoCommand.class.getProtectionDomain().getCodeSource();
      return source == null ? Optional.empty() : Optional.of(Path.of(source.getLocation().toURI()));
    } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** JVM options the children share with the launcher: TensorFlow's native-library cache. */
  private static List<String> childJvmArgs() {
    List<String> args = new ArrayList<>();
    String cache = System.getProperty(JAVACPP_CACHE);
    if (cache != null) {
      args.add("-D" + JAVACPP_CACHE + "=" + cache);
    }
    return args;
  }

  private static void checkFree(int port, String what, String option, String envName) {
    if (!ServiceProcess.portFree(port)) {
      throw new DemoFailure("port " + port + " (" + what + ") is in use on 127.0.0.1; stop what"
          + " listens there or choose another port with " + option + " N (or " + envName + ")");
    }
  }

  /** {@code jouleflow predict <model> --batch 4 --format <format>} in a child JVM. */
  private static PredictRun predict(Path java, List<String> jvmArgs, Path model, String format)
      throws IOException, InterruptedException {
    PredictRun run = PredictRun.run(java, jvmArgs, System.getProperty("java.class.path"),
        JouleflowCommand.class.getName(),
        List.of("predict", model.toString(), "--batch", Integer.toString(BATCH), "--format", format),
        PREDICT_TIMEOUT_SECONDS);
    if (run.exitCode() != 0) {
      throw new DemoFailure("predicting the exported model failed (exit " + run.exitCode() + "): "
          + (run.errLines().isEmpty() ? "no message" : String.join(" / ", run.errLines())));
    }
    return run;
  }

  private static DemoReport.Prediction predictedCsv(Path java, List<String> jvmArgs, Path model)
      throws IOException, InterruptedException {
    PredictRun csv = predict(java, jvmArgs, model, "csv");
    try {
      return DemoReport.Prediction.parseCsv(csv.out());
    } catch (IllegalArgumentException e) {
      throw new DemoFailure("cannot read the prediction as CSV: " + e.getMessage(), e);
    }
  }

  /**
   * Scrapes after the load: once the energy of the last runs has been split over layers, and until
   * the agent's comparison gauges for the model are there (at most {@link #COMPARISON_TIMEOUT}).
   */
  private static PrometheusText awaitComparison(HttpClient http, String url,
      ServiceProcess service, PrintWriter err) throws InterruptedException {
    Thread.sleep(ENERGY_LAG.toMillis());
    long deadline = System.nanoTime() + COMPARISON_TIMEOUT.toNanos();
    boolean told = false;
    while (true) {
      PrometheusText metrics = scrape(http, url, service, err);
      if (DemoReport.hasComparison(metrics, ServiceProcess.MODEL)) {
        return metrics;
      }
      if (System.nanoTime() > deadline) {
        err.println("   the agent has not compared observed with predicted energy yet; the"
            + " predicted column stays empty");
        return metrics;
      }
      if (!told) {
        err.println("== waiting for the agent's comparison of observed and predicted energy"
            + " (every 5 s)");
        err.flush();
        told = true;
      }
      Thread.sleep(500);
    }
  }

  private static PrometheusText scrape(HttpClient http, String url, ServiceProcess service,
      PrintWriter err) throws InterruptedException {
    String body;
    try {
      HttpResponse<String> r = http.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IOException("HTTP " + r.statusCode());
      }
      body = r.body();
    } catch (IOException e) {
      if (!service.alive()) {
        throw service.exited("while the demo read its metrics", err);
      }
      throw new DemoFailure("no metrics at " + url + " (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); see the agent's"
          + " [jouleflow] lines above and " + service.stderrFile(), e);
    }
    try {
      return PrometheusText.parse(body);
    } catch (PrometheusText.FormatException e) {
      throw new DemoFailure("cannot read the metrics at " + url + ": " + e.getMessage(), e);
    }
  }

  private static String dashboard(Path root) {
    return Files.isRegularFile(root.resolve(DASHBOARD))
        ? DASHBOARD + " (import it in Grafana; see dashboards/README.md)"
        : DASHBOARD + " is not under " + root + " (it ships in jouleflow's repository)";
  }

  /** The observed-vs-predicted page, written next to the service's logs. */
  private static Path writePage(Path work, DemoReport report, DemoReport.Prediction predicted,
      Settings settings) throws IOException {
    Path page = work.resolve(ServiceProcess.MODEL + ".html");
    String title = ServiceProcess.MODEL + ", batch " + BATCH
        + ": observed in the service vs predicted, per layer";
    List<String> facts = List.of(
        String.format(Locale.ROOT, "%d inferences in %d s under the agent; observed %.3f mJ per"
            + " inference (source %s)", report.runs(), settings.seconds(),
            report.joulesPerInference() * 1e3, report.source()),
        "predicted: the bundled model set, from the architecture alone",
        "_unattributed: run time and energy no layer's ops cover (TensorFlow's per-run overhead)");
    Files.writeString(page, HtmlReport.render(
        title, facts, report.source(), report.htmlRows(predicted)));
    return page;
  }

  /** Overwrites the current terminal line: {@code \r}, the text, spaces over a longer old line. */
  private static void inPlace(PrintWriter err, String text) {
    err.print("\r   " + text + "          ");
    err.flush();
  }

  private static String relative(Path root, Path file) {
    Path abs = file.toAbsolutePath().normalize();
    return abs.startsWith(root) ? root.relativize(abs).toString() : abs.toString();
  }

  private ParameterException usage(String reason) {
    return new ParameterException(spec.commandLine(), reason);
  }
}
