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
 * exactly what it sees without the agent. The application ({@code src/test/tf05}) is compiled
 * here against the 0.5.0 jar: the test classes are compiled against 1.1.0.
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
    Served plain = serve(List.of(), 0);
    int port = ExampleService.freePort();
    Served measured = serve(List.of(ChildJvm.javaagent("prometheus.port=" + port)), port);
    PrometheusScrape s = measured.scrape;

    Predicate<Sample> ours = x -> MODEL.equals(x.label("model"));
    assertThat(s.series("jouleflow_inference_runs_total")).as(s.text())
        .extracting(x -> x.label("model")).containsOnly(MODEL);
    assertThat(s.sum("jouleflow_inference_runs_total", ours)).isGreaterThanOrEqualTo(20);
    assertThat(s.sum("jouleflow_inference_traced_runs_total", ours)).as(s.text()).isPositive();
    List<Sample> time = s.series("jouleflow_layer_duration_seconds_total", ours);
    Set<String> layers = time.stream().map(x -> x.label("layer")).collect(Collectors.toSet());
    assertThat(layers).as(s.text()).contains("conv2d", "max_pooling2d", "dense");
    assertThat(time).filteredOn(x -> x.label("layer").equals("conv2d")).singleElement()
        .satisfies(x -> assertThat(x.label("layer_type")).isEqualTo("Convolutional"));
    List<Sample> predicted = s.series("jouleflow_layer_energy_predicted_joules", ours);
    for (String layer : List.of("conv2d", "dense")) {
      assertThat(predicted).as(s.text()).filteredOn(x -> layer.equals(x.label("layer")))
          .singleElement().satisfies(x -> assertThat(x.value()).isPositive());
    }

    // The application's own outputs, its own trace request included, are those without agent.
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
   * the model's layers (a comparison, every 5 s), then its own traced run; its output.
   */
  private static Served serve(List<String> jvmArgs, int port) throws Exception {
    try (ChildJvm app = ChildJvm.start(jvmArgs, classPath, APP,
        List.of("serve", exportDir.toString(), "20"))) {
      app.awaitLine("^ready$", Duration.ofSeconds(90));
      PrometheusScrape scrape = port == 0 ? null : ServiceUnderAgentIT.await(port,
          Duration.ofSeconds(60), x -> x.series("jouleflow_layer_energy_predicted_joules")
              .stream().anyMatch(p -> MODEL.equals(p.label("model"))));
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
