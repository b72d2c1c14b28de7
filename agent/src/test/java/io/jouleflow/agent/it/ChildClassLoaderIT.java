package io.jouleflow.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.agent.it.fixtures.IsolatedLoaderApp;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TensorFlow loaded by a child URLClassLoader, as application servers do, is still measured. */
class ChildClassLoaderIT {

  @TempDir Path models;

  @Test
  void tensorFlowInAChildClassLoaderIsInstrumented() throws Exception {
    String all = ChildJvm.applicationClassPath();
    String launcher = Arrays.stream(all.split(File.pathSeparator))
        .filter(e -> e.endsWith("test-classes")).collect(Collectors.joining(File.pathSeparator));
    String webapp = Arrays.stream(all.split(File.pathSeparator))
        .filter(e -> !e.endsWith("test-classes")).collect(Collectors.joining(File.pathSeparator));
    int port = ExampleService.freePort();
    ChildJvm jvm = ChildJvm.start(
        List.of(ChildJvm.javaagent("prometheus.port=" + port + ",trace.every=5")), launcher,
        IsolatedLoaderApp.class.getName(),
        List.of(webapp, ExampleService.MAIN, "--port", "0", "--model-dir",
            models.resolve("isolated_cnn").toString(), "--input-size", "32"));
    try (ExampleService svc = ExampleService.attachTo(jvm)) {
      jvm.awaitLine("TensorFlow loaded by .*webapp", Duration.ofSeconds(5));
      for (int i = 0; i < 20; i++) {
        svc.predict(2, i);
      }
      PrometheusScrape scrape = ServiceUnderAgentIT.awaitRuns(port, 20);
      assertThat(scrape.sum("jouleflow_inference_runs_total",
          s -> "isolated_cnn".equals(s.label("model")))).isEqualTo(20);
      assertThat(scrape.series("jouleflow_layer_duration_seconds_total",
          s -> "isolated_cnn".equals(s.label("model")) && "dense".equals(s.label("layer"))))
          .singleElement().satisfies(s -> assertThat(s.value()).isPositive());
    }
  }
}
