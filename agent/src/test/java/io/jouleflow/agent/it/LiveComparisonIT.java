package io.jouleflow.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jouleflow.launcher.demo.PrometheusText.Sample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Predicted next to observed energy per layer, live, in the example service. */
class LiveComparisonIT {

  private static final String MODEL = "tiny_resnet";

  @TempDir Path tmp;

  @Test
  void everyConvAndDenseLayerHasObservedAndPredictedEnergyAndTheErrorFollowsFromThem()
      throws Exception {
    int port = ExampleService.freePort();
    try (ExampleService svc = ExampleService.start(tmp.resolve(MODEL),
        "prometheus.port=" + port + ",trace.every=10", List.of())) {
      // The set is read beside the worker, so the first comparisons may come before it.
      PrometheusScrape scrape = load(svc, port, "jouleflow_layer_energy_predicted_joules");
      assertThat(svc.jvm.stderr()).contains("predictions from model set bundled");
      List<Sample> observed = scrape.series("jouleflow_layer_energy_observed_joules",
          s -> MODEL.equals(s.label("model")));
      List<Sample> predicted = scrape.series("jouleflow_layer_energy_predicted_joules",
          s -> MODEL.equals(s.label("model")));
      for (String layer : List.of("conv2d", "conv2d_1", "conv2d_2", "dense")) {
        assertThat(observed).filteredOn(s -> layer.equals(s.label("layer"))).singleElement()
            .satisfies(s -> assertThat(s.value()).isPositive());
        assertThat(predicted).filteredOn(s -> layer.equals(s.label("layer"))).singleElement()
            .satisfies(s -> assertThat(s.value()).isPositive());
      }
      double obs = 0;
      double pred = 0;
      for (Sample p : predicted) {
        if ("Convolutional".equals(p.label("layer_type"))) {
          pred += p.value();
          obs += observed.stream().filter(o -> o.label("layer").equals(p.label("layer")))
              .mapToDouble(Sample::value).sum();
        }
      }
      double expected = (obs - pred) / obs;
      assertThat(scrape.series("jouleflow_prediction_error",
          s -> MODEL.equals(s.label("model")) && "Convolutional".equals(s.label("layer_type"))))
          .singleElement().satisfies(s -> assertThat(s.value()).isCloseTo(expected, within(1e-9)));
    }
  }

  @Test
  void aCorruptModelSetTurnsPredictionsOffWithOneLineAndObservationsGoOn() throws Exception {
    Path set = Files.createDirectories(tmp.resolve("broken-set"));
    Files.writeString(set.resolve("manifest.json"), "{ not json");
    int port = ExampleService.freePort();
    try (ExampleService svc = ExampleService.start(tmp.resolve(MODEL),
        "prometheus.port=" + port + ",trace.every=10,models=" + set, List.of())) {
      PrometheusScrape scrape = load(svc, port);
      assertThat(svc.jvm.stderr().lines().filter(l -> l.contains("model set unusable")))
          .singleElement().asString().contains("[jouleflow] WARN");
      assertThat(scrape.series("jouleflow_layer_energy_predicted_joules")).isEmpty();
      assertThat(scrape.series("jouleflow_layer_energy_observed_joules",
          s -> "conv2d".equals(s.label("layer")))).isNotEmpty();
    }
  }

  @Test
  void aNewerModelSetInTheDirectoryIsPickedUpWithoutARestart() throws Exception {
    Path bundled = Path.of(System.getProperty("user.dir")).resolveSibling("predictor")
        .resolve("src/main/resources/io/jouleflow/predictor/modelset/default");
    Path set = Files.createDirectories(tmp.resolve("set"));
    try (var files = Files.list(bundled)) {
      for (Path f : files.toList()) {
        Files.copy(f, set.resolve(f.getFileName()));
      }
    }
    int port = ExampleService.freePort();
    try (ExampleService svc = ExampleService.start(tmp.resolve(MODEL),
        "prometheus.port=" + port + ",trace.every=10,models=" + set, List.of())) {
      PrometheusScrape first = load(svc, port);
      String v1 = first.series("jouleflow_model_set").get(0).label("version");

      // "Retrain": a set with another creation time replaces the manifest.
      var json = new ObjectMapper();
      var manifest = (ObjectNode)
          json.readTree(set.resolve("manifest.json").toFile());
      manifest.put("created", "2030-01-01T00:00:00Z");
      Files.writeString(set.resolve("manifest.tmp"), json.writeValueAsString(manifest));
      Files.move(set.resolve("manifest.tmp"), set.resolve("manifest.json"),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);

      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      String version = v1;
      int i = 0;
      while (System.nanoTime() < deadline && version.equals(v1)) {
        svc.predict(4, i++);
        Thread.sleep(50);
        version = PrometheusScrape.of(port).series("jouleflow_model_set").get(0).label("version");
      }
      assertThat(version).startsWith("2030-01-01T00:00:00Z").isNotEqualTo(v1);
      assertThat(svc.jvm.stderr()).contains("model set reloaded from " + set);
    }
  }

  /** Batch-4 load until a comparison (every 5 s) has happened; the scrape after it. */
  private static PrometheusScrape load(ExampleService svc, int port) throws Exception {
    return load(svc, port, "jouleflow_layer_energy_observed_joules");
  }

  /** Batch-4 load until a comparison has exported {@code metric}; the scrape after it. */
  private static PrometheusScrape load(ExampleService svc, int port, String metric)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
    int i = 0;
    while (System.nanoTime() < deadline) {
      for (int k = 0; k < 50; k++) {
        svc.predict(4, i++);
      }
      PrometheusScrape scrape = PrometheusScrape.of(port);
      if (!scrape.series(metric).isEmpty() && i >= 300) {
        return scrape;
      }
    }
    throw new AssertionError("no " + metric + " within 40 s");
  }
}
