package io.jouleflow.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.agent.it.fixtures.ShortLivedGraphsApp;
import io.jouleflow.launcher.demo.PrometheusText.Sample;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A batch job that builds a graph, runs it three times and closes session and graph at once,
 * over and over: the agent's worker reads graphs later than that, so it must use what it copied
 * when the application closed the graph. Layers by their real names, with predictions.
 */
class ShortLivedGraphsIT {

  @Test
  void layersOfGraphsClosedRightAfterTheirRunsAreDetectedAndPredicted() throws Exception {
    int port = ExampleService.freePort();
    try (ChildJvm app = ChildJvm.start(List.of(ChildJvm.javaagent("prometheus.port=" + port)),
        ChildJvm.applicationClassPath(), ShortLivedGraphsApp.class.getName(), List.of("3"))) {
      app.awaitLine("^ready$", Duration.ofSeconds(90));
      // Predictions appear at a comparison (every 5 s) once the model set has been read.
      PrometheusScrape s = ServiceUnderAgentIT.await(port, Duration.ofSeconds(60),
          x -> !x.series("jouleflow_layer_energy_predicted_joules").isEmpty());
      app.send("stop");

      List<Sample> time = s.series("jouleflow_layer_duration_seconds_total");
      assertThat(time).extracting(x -> x.label("model")).allSatisfy(
          m -> assertThat(m).as("named by the graph's fingerprint").startsWith("graph-"));
      Set<String> layers = time.stream().map(x -> x.label("layer")).collect(Collectors.toSet());
      assertThat(layers).as(s.text()).contains("conv2d", "max_pooling2d", "dense");
      assertThat(time).filteredOn(x -> x.label("layer").equals("conv2d")).singleElement()
          .satisfies(x -> assertThat(x.label("layer_type")).isEqualTo("Convolutional"));
      List<Sample> predicted = s.series("jouleflow_layer_energy_predicted_joules");
      for (String layer : List.of("conv2d", "dense")) {
        assertThat(predicted).as(s.text()).filteredOn(x -> layer.equals(x.label("layer")))
            .singleElement().satisfies(x -> assertThat(x.value()).isPositive());
      }
      assertThat(ServiceUnderAgentIT.warnings(app.stderr())).isEmpty();
    }
  }
}
