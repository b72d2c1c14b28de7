package io.jouleflow.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import example.service.TinyResNet;
import io.jouleflow.launcher.demo.PrometheusText.Sample;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real DJL application (DJL 0.36.0, TensorFlow engine, TensorFlow 2.16.1) under the agent: a
 * SavedModel loaded through the Criteria API, predictions through a Predictor, a few eager
 * NDArray ops. Its runs are counted under the SavedModel directory's name, its layers detected,
 * traced and predicted, its eager ops counted by type, and it prints what it prints without the
 * agent. Offline: DJL's class path is copied and TensorFlow 2.16.1's libraries unpacked at
 * build time (agent/pom.xml); DJL reads them from {@code TENSORFLOW_LIBRARY_PATH}.
 */
class DjlUnderAgentIT {

  private static final String MODEL = "djl_resnet";
  private static final int SIZE = 32;
  private static final int RUNS = 20;

  @TempDir static Path work;
  private static Path modelDir;
  private static String classPath;
  private static Map<String, String> env;

  @BeforeAll
  static void djlApplication() throws Exception {
    Path natives = Path.of(System.getProperty("jouleflow.test.djlNatives", "none"));
    assumeTrue(Files.isRegularFile(natives.resolve(System.mapLibraryName("jnitensorflow"))),
        "TensorFlow 2.16.1's libraries for this platform: " + natives);
    // The SavedModel, exported by TensorFlow Java 1.1.0 here; a numeric version directory, as
    // TF Serving lays them out: the model is named by its parent.
    modelDir = work.resolve(MODEL).resolve("1");
    TinyResNet.export(modelDir, SIZE);
    List<String> djlJars;
    try (Stream<Path> jars = Files.list(Path.of(System.getProperty("jouleflow.test.djlApp")))) {
      djlJars = jars.map(Path::toString).sorted().toList();
    }
    Path classes = Files.createDirectories(work.resolve("classes"));
    compile(source(), classes, String.join(File.pathSeparator, djlJars));
    classPath = Stream.concat(Stream.of(classes.toString()), djlJars.stream())
        .collect(Collectors.joining(File.pathSeparator));
    env = Map.of("TENSORFLOW_LIBRARY_PATH", natives.toString(),
        "DJL_CACHE_DIR", work.resolve("djl-cache").toString());
  }

  @Test
  void runsLayersTracesAndEagerOpsOfADjlModelAreMeasuredAndItsOutputsUnchanged()
      throws Exception {
    List<String> plain = outputsWithoutTheAgent();
    int port = ExampleService.freePort();
    try (ChildJvm app = start(List.of(ChildJvm.javaagent("prometheus.port=" + port)))) {
      app.awaitLine("^ready$", Duration.ofSeconds(120));
      // Predictions appear at a comparison (every 5 s) once the model set has been read.
      PrometheusScrape s = ServiceUnderAgentIT.await(port, Duration.ofSeconds(60),
          x -> x.sum("jouleflow_inference_runs_total", m -> MODEL.equals(m.label("model")))
              >= RUNS && !x.series("jouleflow_op_calls_total").isEmpty()
              && !x.series("jouleflow_layer_energy_predicted_joules").isEmpty());
      List<String> withAgent = outputLines(app);
      app.send("stop");

      assertThat(withAgent).as("the application's outputs under the agent").isEqualTo(plain);
      double runs = s.sum("jouleflow_inference_runs_total");
      assertThat(runs).as(s.text()).isGreaterThanOrEqualTo(RUNS).isEqualTo(
          s.sum("jouleflow_inference_runs_total", m -> MODEL.equals(m.label("model"))));
      // Traced within the sampling budget: the first runs, then about one a second.
      assertThat(s.sum("jouleflow_inference_traced_runs_total",
          m -> MODEL.equals(m.label("model")))).isBetween(1.0, runs / 2);
      List<Sample> layers = s.series("jouleflow_layer_duration_seconds_total",
          m -> MODEL.equals(m.label("model")));
      Set<String> names = layers.stream().map(x -> x.label("layer")).collect(Collectors.toSet());
      assertThat(names).as(s.text()).contains("conv2d", "conv2d_1", "conv2d_2",
          "batch_normalization", "max_pooling2d", "add", "global_average_pooling2d", "dense",
          "softmax");
      assertThat(layers).filteredOn(x -> x.label("layer").equals("conv2d")).singleElement()
          .satisfies(x -> {
            assertThat(x.label("layer_type")).isEqualTo("Convolutional");
            assertThat(x.value()).isPositive();
          });
      List<Sample> predicted = s.series("jouleflow_layer_energy_predicted_joules",
          m -> MODEL.equals(m.label("model")));
      for (String layer : List.of("conv2d", "dense")) {
        assertThat(predicted).as(s.text()).filteredOn(x -> layer.equals(x.label("layer")))
            .singleElement().satisfies(x -> assertThat(x.value()).isPositive());
      }
      for (String op : List.of("Mul", "Add", "Sum")) {
        assertThat(s.sum("jouleflow_op_calls_total", m -> op.equals(m.label("op_type"))))
            .as("eager %s", op).isGreaterThanOrEqualTo(1);
      }
      assertThat(app.stderr()).contains("model \"" + MODEL + "\": 15 layers detected")
          .doesNotContain("not covered");
      assertThat(ServiceUnderAgentIT.warnings(app.stderr())).isEmpty();
    }
  }

  private static List<String> outputsWithoutTheAgent() throws Exception {
    try (ChildJvm app = start(List.of())) {
      app.awaitLine("^ready$", Duration.ofSeconds(120));
      List<String> lines = outputLines(app);
      app.send("stop");
      assertThat(app.waitFor(Duration.ofSeconds(30))).as(app.stderr()).isZero();
      return lines;
    }
  }

  private static List<String> outputLines(ChildJvm app) {
    List<String> lines = new ArrayList<>(app.stdoutLines());
    lines.removeIf(l -> l.equals("ready"));
    assertThat(lines).as(app.stderr()).anyMatch(l -> l.startsWith("first output ["))
        .anyMatch(l -> l.startsWith("outputs digest ")).anyMatch(l -> l.startsWith("eager sum "));
    return lines;
  }

  private static ChildJvm start(List<String> jvmArgs) throws IOException {
    List<String> args = new ArrayList<>(jvmArgs);
    args.add("-Dai.djl.offline=true"); // never DJL's CDN: the libraries are local
    return ChildJvm.start(args, classPath, "DjlApp",
        List.of(modelDir.toString(), String.valueOf(SIZE), String.valueOf(RUNS)), env);
  }

  private static Path source() throws URISyntaxException {
    return Path.of(DjlUnderAgentIT.class.getResource("/djl/DjlApp.java").toURI());
  }

  /** DJL's API clashes with TensorFlow Java 1.1.0 on the test class path: compiled here. */
  private static void compile(Path source, Path classes, String djlClassPath) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", djlClassPath,
        source.toString());
    assertThat(rc).as("javac DjlApp.java").isZero();
  }
}
