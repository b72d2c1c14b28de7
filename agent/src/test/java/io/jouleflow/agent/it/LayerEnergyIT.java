package io.jouleflow.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.agent.it.fixtures.UnscopedLeNetApp;
import io.jouleflow.launcher.demo.PrometheusText.Sample;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A graph without name scopes: its layers are found structurally and each gets energy. */
class LayerEnergyIT {

  @Test
  void unscopedGraphsConvAndDenseLayersEachGetEnergyAndTheWholeIsConserved() throws Exception {
    int port = ExampleService.freePort();
    try (ChildJvm app = ChildJvm.start(
        List.of(ChildJvm.javaagent("prometheus.port=" + port + ",trace.every=5,model.name=lenet")),
        ChildJvm.applicationClassPath(), UnscopedLeNetApp.class.getName(), List.of("300"))) {
      app.awaitLine("^ready$", Duration.ofSeconds(90));
      ServiceUnderAgentIT.awaitRuns(port, 300);
      PrometheusScrape scrape = ServiceUnderAgentIT.awaitEnergySettled(port);
      assertThat(app.stderr()).contains("layers detected");

      List<Sample> energy = scrape.series("jouleflow_layer_energy_joules_total",
          s -> "lenet".equals(s.label("model")));
      List<Sample> conv = energy.stream().filter(s -> "Convolutional".equals(s.label("layer_type"))).toList();
      List<Sample> dense = energy.stream().filter(s -> "Dense".equals(s.label("layer_type"))).toList();
      assertThat(conv).as(scrape.text()).hasSize(2).allSatisfy(s -> assertThat(s.value()).isPositive());
      assertThat(dense).as(scrape.text()).hasSize(2).allSatisfy(s -> assertThat(s.value()).isPositive());
      assertThat(energy).extracting(s -> s.label("layer_type")).contains("Pooling", "Reshape");

      double model = scrape.sum("jouleflow_inference_energy_joules_total", s -> "lenet".equals(s.label("model")));
      double layers = energy.stream().mapToDouble(Sample::value).sum();
      assertThat(layers).isCloseTo(model, within(0.01 * model));
    }
  }
}
