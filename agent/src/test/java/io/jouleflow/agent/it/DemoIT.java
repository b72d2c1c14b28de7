package io.jouleflow.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar launcher/target/jouleflow.jar demo} as a new user runs it (scripts/demo.sh
 * runs the same after building): the launcher starts the example service with this module's agent
 * jar, and prints the prediction and the per-layer observation next to it.
 */
class DemoIT {

  private static Path launcher;

  @TempDir Path work;

  @BeforeAll
  static void findLauncher() {
    launcher = Path.of(System.getProperty("user.dir")).resolve("../launcher/target/jouleflow.jar")
        .normalize();
    assertThat(launcher).as("built by `mvn package` in the launcher module").isRegularFile();
  }

  @Test
  void predictsDrivesLoadAndPrintsObservedNextToPredictedEnergyPerLayer() throws Exception {
    int port = ExampleService.freePort();
    int metricsPort = freePortOtherThan(port);

    Result r = demo(Duration.ofMinutes(4), "--seconds", "6", "--port", "" + port,
        "--metrics-port", "" + metricsPort, "--work-dir", work.toString());

    assertThat(r.exitCode()).as("stderr:\n%s\nstdout:\n%s", r.err(), r.out()).isZero();
    // Before deploy: the launcher's prediction table for the exported model.
    assertThat(r.out())
        .contains("model tiny_resnet, batch 4, model set bundled")
        .containsPattern("(?m)^LAYER +TYPE +FEATURES +FLOPS +mJ/INFERENCE +SHARE$")
        .containsPattern("(?m)^total +15 layers +\\S+ \\S+ +\\d+\\.\\d+ +100\\.0 %$");
    // In the service: observed next to predicted, per layer.
    Map<String, List<String>> observed = observedTable(r.out());
    assertThat(observed).containsKeys("_unattributed", "conv2d", "conv2d_1", "conv2d_2", "dense",
        "total");
    for (String conv : List.of("conv2d", "conv2d_1", "conv2d_2")) {
      List<String> row = observed.get(conv);
      assertThat(row.get(1)).isEqualTo("Convolutional");
      assertThat(Double.parseDouble(row.get(3))).as(conv + " observed mJ").isPositive();
      assertThat(Double.parseDouble(row.get(6))).as(conv + " predicted mJ").isPositive();
    }
    // the bundled set, trained in place, predicts the overhead too
    assertThat(Double.parseDouble(observed.get("_unattributed").get(6))).isPositive();
    assertThat(r.out())
        .containsPattern("inferences: \\d+, mean latency \\d+\\.\\d\\d ms, energy \\d+\\.\\d+ mJ per"
            + " inference \\(source: \\w+")
        .contains("metrics:   http://127.0.0.1:" + metricsPort + "/metrics")
        .contains("service:   http://127.0.0.1:" + port + "/predict")
        .contains("dashboard: dashboards/grafana/jouleflow-energy.json (import it in Grafana")
        .contains("page:      " + work.resolve("tiny_resnet.html"));
    // The page: a predicted bar for each of the model's 15 layers and its overhead, an observed one (labelled
    // estimate on this machine) for each layer the agent saw run, _unattributed included.
    String page = Files.readString(work.resolve("tiny_resnet.html"));
    assertThat(count(page, "class=\"bar predicted\"")).isEqualTo(16); // and the overhead
    assertThat(count(page, "class=\"bar observed\"")).isEqualTo(observed.size() - 1); // no total
    assertThat(page).contains("data-layer=\"_unattributed\"", "estimate");
    assertThat(r.err())
        .contains("[jouleflow] metrics at http://127.0.0.1:" + metricsPort + "/metrics")
        .containsPattern("\\d+ requests in \\d+\\.\\d s")
        .doesNotContain("absl::InitializeLog");
    assertThat(work.resolve("samples.db")).as("the demo's own sample store").isRegularFile();

    // The service is gone: nothing listens on its ports, no JVM serves the demo's model.
    assertThat(listening(port)).as("service port " + port).isFalse();
    assertThat(listening(metricsPort)).as("metrics port " + metricsPort).isFalse();
    String modelDir = work.resolve("tiny_resnet").toString();
    assertThat(ProcessHandle.allProcesses()
        .filter(p -> p.info().arguments().map(a -> List.of(a).contains(modelDir)).orElse(false))
        .map(ProcessHandle::pid).toList()).as("child JVMs left").isEmpty();
  }

  @Test
  void aBusyPortIsExitOneWithOneLineNamingThePortAndTheOption() throws Exception {
    try (ServerSocket busy = new ServerSocket()) {
      busy.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = busy.getLocalPort();

      Result r = demo(Duration.ofMinutes(1), "--seconds", "1", "--port", "" + port,
          "--metrics-port", "" + freePortOtherThan(port), "--work-dir", work.toString());

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err().lines().toList()).singleElement().asString()
          .startsWith("jouleflow: port " + port + " (the example service) is in use")
          .contains("--port");
      assertThat(r.out()).isEmpty();
    }
  }

  /** The rows of the observed table, by layer: the whitespace-separated fields of each. */
  private static Map<String, List<String>> observedTable(String out) {
    Map<String, List<String>> rows = new LinkedHashMap<>();
    List<String> lines = out.lines().toList();
    int header = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("LAYER") && lines.get(i).contains("OBSERVED mJ/INF")) {
        header = i;
      }
    }
    assertThat(header).as("the observed table's header in:\n" + out).isNotNegative();
    for (String line : lines.subList(header + 1, lines.size())) {
      List<String> fields = List.of(line.trim().split("\\s+"));
      if (fields.get(0).equals("total")) {
        rows.put("total", fields);
        break;
      }
      rows.put(fields.get(0), fields);
    }
    return rows;
  }

  private record Result(int exitCode, String out, String err) {}

  private static Result demo(Duration timeout, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
    if (cache != null) {
      cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
    }
    cmd.add("-jar");
    cmd.add(launcher.toString());
    cmd.add("demo");
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile("demo-out", ".txt");
    Path err = Files.createTempFile("demo-err", ".txt");
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile())
          .redirectError(err.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("JOULEFLOW_")
          || k.equals("DEMO_PORT") || k.equals("METRICS_PORT"));
      Process p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroy(); // the launcher's shutdown hook stops the service
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor();
        }
        throw new AssertionError("demo did not finish within " + timeout + "\nstdout:\n"
            + Files.readString(out) + "\nstderr:\n" + Files.readString(err));
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static int freePortOtherThan(int port) throws IOException {
    int p;
    do {
      p = ExampleService.freePort();
    } while (p == port);
    return p;
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
