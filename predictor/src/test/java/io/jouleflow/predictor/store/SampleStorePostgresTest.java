package io.jouleflow.predictor.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jouleflow.predictor.layers.LayerFeatures;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sample store on a real PostgreSQL server (a fleet of agents sharing one store). .ci/run
 * starts one on 127.0.0.1 and names it in JOULEFLOW_TEST_POSTGRES_URL.
 */
class SampleStorePostgresTest {

  private static final String URL = System.getenv("JOULEFLOW_TEST_POSTGRES_URL");

  @BeforeEach
  void cleanTables() throws Exception {
    assumeTrue(URL != null, "no PostgreSQL: .ci/run starts one (JOULEFLOW_TEST_POSTGRES_URL)");
    try (var c = DriverManager.getConnection(URL); var s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS layer_samples");
      s.execute("DROP TABLE IF EXISTS model_samples");
      s.execute("DROP TABLE IF EXISTS schema_version");
    }
  }

  private static LayerSample sample(String origin, String layer, Instant window) {
    return new LayerSample(window, "profile-a", "rapl", origin, "resnet", "b4_64x64x3", layer,
        "Convolutional", Map.of(LayerFeatures.FLOPS, 1.5e9, LayerFeatures.BATCH_SIZE, 4.0), 4,
        0.25, 0.002, 100, 0.2, null);
  }

  @Test
  void agentsAndCollectionShareOneStoreWithoutDuplicates() {
    Instant w1 = Instant.parse("2026-11-26T10:00:00Z");
    Instant w2 = Instant.parse("2026-11-26T10:00:05Z");
    try (SampleStore a = SampleStore.open(URL); SampleStore b = SampleStore.open(URL)) {
      assertThat(a.writeLayerSamples(List.of(sample("agent", "conv1", w1), sample("agent", "conv2", w1))))
          .isEqualTo(2);
      // a second agent host writes the same window again (a retry) and a new one
      assertThat(b.writeLayerSamples(List.of(sample("agent", "conv1", w1), sample("agent", "conv1", w2))))
          .isEqualTo(1);
      assertThat(b.writeLayerSamples(List.of(sample("collect", "conv1", w1)))).isEqualTo(1);
      assertThat(a.count(SampleStore.LAYER_SAMPLES)).isEqualTo(4);
      List<LayerSample> back = a.layerSamples(SampleFilter.ALL.withOrigin("agent"));
      assertThat(back).hasSize(3).allSatisfy(s -> {
        assertThat(s.features().get(LayerFeatures.FLOPS)).isEqualTo(1.5e9);
        assertThat(s.predictedJoules()).isEqualTo(0.2);
      });
    }
  }
}
