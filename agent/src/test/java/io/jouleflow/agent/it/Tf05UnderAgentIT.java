package io.jouleflow.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.launcher.demo.PrometheusText.Sample;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unmodified application built against TensorFlow Java 0.5.0 (real jars, native library
 * included) serves a SavedModel under the agent and gets what a 1.1.0 application gets: runs
 * under the model's name, layers from its graph, traced runs and predictions; and it sees
 * exactly what it sees without the agent; a graph it runs with a plain Session is named by its
 * fingerprint, as under 1.1.0. The application ({@code src/test/tf05}) is compiled here against
 * the 0.5.0 jar: the test classes are compiled against 1.1.0.
 */
class Tf05UnderAgentIT {

  private static final String APP = "io.jouleflow.agent.it.tf05.Tf05App";
  private static final String MODEL = "lenet05";
  private static final List<String> API_JARS = List.of("tensorflow-core-api-0.5.0.jar",
      "ndarray-0.4.0.jar", "protobuf-java-3.19.4.jar", "javacpp-1.5.8.jar");
  private static final List<String> NATIVE_JARS =
      List.of("tensorflow-core-api-0.5.0-native.jar", "javacpp-1.5.8-native.jar");

  @TempDir static Path tmp;
  private static String classPath;
  private static Path exportDir;

  @BeforeAll
  static void compileAndExport() throws Exception {
    Path classes = Files.createDirectories(tmp.resolve("classes"));
    Path source = Path.of(System.getProperty("user.dir"),
        "src/test/tf05/io/jouleflow/agent/it/tf05/Tf05App.java");
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int rc = javac.run(null, null, null, "-proc:none", "-d", classes.toString(),
        "-cp", jars(API_JARS), source.toString());
    assertThat(rc).as("javac of the 0.5.0 application").isZero();
    classPath = classes + File.pathSeparator + jars(API_JARS) + File.pathSeparator
        + jars(NATIVE_JARS);
    exportDir = tmp.resolve(MODEL).resolve("1"); // TF Serving's layout: named after "lenet05"
    try (ChildJvm export = ChildJvm.start(List.of(), classPath, APP,
        List.of("export", exportDir.toString()))) {
      assertThat(export.waitFor(Duration.ofSeconds(120))).as(export.stderr()).isZero();
    }
  }

  @Test
  void aTensorFlowJava05ServiceIsMeasuredByModelAndLayerAndSeesWhatItSeesWithoutTheAgent()
      throws Exception {
    List<String> args = List.of("serve", exportDir.toString(), "20");
    Served plain = serve(args, List.of(), 0, null);
    int port = ExampleService.freePort();
    Predicate<Sample> ours = x -> MODEL.equals(x.label("model"));
    Served measured =
        serve(args, List.of(ChildJvm.javaagent("prometheus.port=" + port)), port, ours);
    PrometheusScrape s = measured.scrape;

    assertThat(s.series("jouleflow_inference_runs_total")).as(s.text())
        .extracting(x -> x.label("model")).containsOnly(MODEL);
    assertMeasured(s, ours);
    assertSeesWhatItSeesWithout(plain, measured);
  }

  @Test
  void aGraphBuiltAndRunByAPlainTensorFlowJava05SessionIsNamedByItsFingerprint()
      throws Exception {
    List<String> args = List.of("graph", "-", "20");
    Served plain = serve(args, List.of(), 0, null);
    int port = ExampleService.freePort();
    Predicate<Sample> fingerprint = x -> x.label("model").matches("graph-[0-9a-f]{12}");
    Served measured =
        serve(args, List.of(ChildJvm.javaagent("prometheus.port=" + port)), port, fingerprint);
    PrometheusScrape s = measured.scrape;

    assertThat(s.series("jouleflow_inference_runs_total")).as(s.text()).singleElement()
        .matches(fingerprint);
    assertMeasured(s, fingerprint);
    assertSeesWhatItSeesWithout(plain, measured);
  }

  /** Runs, traced runs, layers by their real names and predictions of the model's layers. */
  private static void assertMeasured(PrometheusScrape s, Predicate<Sample> model) {
    assertThat(s.sum("jouleflow_inference_runs_total", model)).isGreaterThanOrEqualTo(20);
    assertThat(s.sum("jouleflow_inference_traced_runs_total", model)).as(s.text()).isPositive();
    List<Sample> time = s.series("jouleflow_layer_duration_seconds_total", model);
    Set<String> layers = time.stream().map(x -> x.label("layer")).collect(Collectors.toSet());
    assertThat(layers).as(s.text()).contains("conv2d", "max_pooling2d", "dense");
    assertThat(time).filteredOn(x -> x.label("layer").equals("conv2d")).singleElement()
        .satisfies(x -> assertThat(x.label("layer_type")).isEqualTo("Convolutional"));
    List<Sample> predicted = s.series("jouleflow_layer_energy_predicted_joules", model);
    for (String layer : List.of("conv2d", "dense")) {
      assertThat(predicted).as(s.text()).filteredOn(x -> layer.equals(x.label("layer")))
          .singleElement().satisfies(x -> assertThat(x.value()).isPositive());
    }
  }

  /** The application's own outputs, its own trace request included, are those without agent. */
  private static void assertSeesWhatItSeesWithout(Served plain, Served measured) {
    assertThat(plain.stdout).contains("ready")
        .anySatisfy(l -> assertThat(l).startsWith("run 19 [4, 10] "))
        .anySatisfy(l -> assertThat(l).startsWith("own trace").endsWith("step stats true"));
    assertThat(measured.stdout).isEqualTo(plain.stdout);
    // Apart from the agent's lines and the JVM's note on the appended boot class path.
    assertThat(measured.stderr.lines()
        .filter(l -> !l.startsWith("[jouleflow] ") && !l.contains(QuietStderrIT.JVM_CDS_NOTE)))
        .containsExactlyElementsOf(plain.stderr.lines().toList());
    assertThat(measured.stderr).doesNotContain("not covered");
    assertThat(ServiceUnderAgentIT.warnings(measured.stderr)).isEmpty();
  }

  private record Served(List<String> stdout, String stderr, PrometheusScrape scrape) {}

  /**
   * Serves 20 printed runs, then (with the agent) runs on until the scrape shows predictions for
   * the layers of a {@code model} (a comparison, every 5 s), then its own traced run; its output.
   */
  private static Served serve(List<String> args, List<String> jvmArgs, int port,
      Predicate<Sample> model) throws Exception {
    try (ChildJvm app = ChildJvm.start(jvmArgs, classPath, APP, args)) {
      app.awaitLine("^ready$", Duration.ofSeconds(90));
      PrometheusScrape scrape = port == 0 ? null : ServiceUnderAgentIT.await(port,
          Duration.ofSeconds(60), x -> x.series("jouleflow_layer_energy_predicted_joules")
              .stream().anyMatch(model));
      app.send("stop");
      assertThat(app.waitFor(Duration.ofSeconds(30))).as(app.stderr()).isZero();
      return new Served(app.stdoutLines(), app.stderr(), scrape);
    }
  }

  private static String jars(List<String> names) {
    Path dir = Path.of(System.getProperty("jouleflow.test.uncoveredJars"));
    return names.stream().map(n -> dir.resolve(n).toString())
        .collect(Collectors.joining(File.pathSeparator));
  }
}
