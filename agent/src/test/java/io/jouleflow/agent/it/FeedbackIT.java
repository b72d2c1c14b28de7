package io.jouleflow.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.SampleStore;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's observations flow into the sample store (origin=agent), safely. */
class FeedbackIT {

  private static final String MODEL = "tiny_resnet";

  @TempDir Path tmp;

  @Test
  void observationsAreWrittenAsAgentSamplesWithFeaturesAndThePrediction() throws Exception {
    String url = "jdbc:sqlite:" + tmp.resolve("samples.db");
    int port = ExampleService.freePort();
    try (ExampleService svc = ExampleService.start(tmp.resolve(MODEL),
        "prometheus.port=" + port + ",trace.every=10,samples=" + url, List.of())) {
      // The model set loads in the background: samples of windows before it was in use carry no
      // prediction (on a loaded machine the first window can end first). Wait for predictions,
      // then for one more window's samples.
      awaitPredictions(svc, port);
      long before = (long) PrometheusScrape.of(port).sum("jouleflow_samples_written_total");
      awaitWritten(svc, port, before + 10);
    }
    try (SampleStore store = SampleStore.open(url)) {
      List<LayerSample> samples = store.layerSamples();
      assertThat(samples).isNotEmpty().allSatisfy(s -> {
        assertThat(s.origin()).isEqualTo("agent");
        assertThat(s.model()).isEqualTo(MODEL);
        assertThat(s.meterSource()).isEqualTo("estimate");
        assertThat(s.batchSize()).isEqualTo(4);
        assertThat(s.config()).isEqualTo("b4_32x32x3");
        assertThat(s.joulesPerInference()).isPositive();
      });
      assertThat(samples).filteredOn(s -> s.layer().equals("conv2d")).isNotEmpty()
          .allSatisfy(s -> {
            assertThat(s.layerType()).isEqualTo("Convolutional");
            assertThat(s.features().get("flops")).isPositive();
            assertThat(s.secondsPerInference()).isPositive();
            if (s.predictedJoules() != null) {
              assertThat(s.predictedJoules()).isPositive();
            }
          })
          .anySatisfy(s -> assertThat(s.predictedJoules()).isNotNull());
    }
  }

  @Test
  void aReadOnlyStoreTurnsFeedbackOffWithOneLineAndTheServiceIsFine() throws Exception {
    Path db = tmp.resolve("ro.db");
    try (SampleStore ignored = SampleStore.open("jdbc:sqlite:" + db)) {
      // created, then opened read-only by the agent
    }
    int port = ExampleService.freePort();
    try (ExampleService svc = ExampleService.start(tmp.resolve(MODEL),
        "prometheus.port=" + port + ",trace.every=10,samples=jdbc:sqlite:" + db + "?open_mode=1",
        List.of())) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      int i = 0;
      while (System.nanoTime() < deadline && !svc.jvm.stderr().contains("feedback off")) {
        assertThat(svc.predict(4, i++)).contains("\"batch\":4");
      }
      assertThat(svc.jvm.stderr().lines().filter(l -> l.contains("feedback off")))
          .singleElement().asString().startsWith("[jouleflow] WARN");
      assertThat(svc.predict(4, 1)).contains("\"batch\":4");
    }
  }

  @Test
  void aKilledApplicationLeavesAStoreThatOpensWithEveryCommittedRow() throws Exception {
    String url = "jdbc:sqlite:" + tmp.resolve("killed.db");
    int port = ExampleService.freePort();
    long written;
    try (ExampleService svc = ExampleService.start(tmp.resolve(MODEL),
        "prometheus.port=" + port + ",trace.every=10,samples=" + url, List.of())) {
      written = awaitWritten(svc, port, 10);
      svc.jvm.kill(); // SIGKILL while it keeps writing every 5 s
    }
    try (SampleStore store = SampleStore.open(url)) {
      assertThat(store.count(SampleStore.LAYER_SAMPLES)).isGreaterThanOrEqualTo(written);
    }
  }

  @Test
  void aFleetStoreOnPostgresqlReceivesTheSamples() throws Exception {
    String url = System.getenv("JOULEFLOW_TEST_POSTGRES_URL");
    Assumptions.assumeTrue(url != null,
        "no PostgreSQL: .ci/run starts one (JOULEFLOW_TEST_POSTGRES_URL)");
    try (var c = DriverManager.getConnection(url); var s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS layer_samples");
      s.execute("DROP TABLE IF EXISTS model_samples");
      s.execute("DROP TABLE IF EXISTS schema_version");
    }
    int port = ExampleService.freePort();
    try (ExampleService svc = ExampleService.start(tmp.resolve(MODEL),
        "prometheus.port=" + port + ",trace.every=10,samples=" + url, List.of())) {
      awaitWritten(svc, port, 10);
      assertThat(svc.jvm.stderr()).contains("observations go to the sample store jdbc:postgresql:");
    }
    try (SampleStore store = SampleStore.open(url)) {
      assertThat(store.layerSamples()).isNotEmpty()
          .allSatisfy(s -> assertThat(s.origin()).isEqualTo("agent"));
    }
  }

  /** Batch-4 load until the agent reports at least {@code min} samples written; their count. */
  private static void awaitPredictions(ExampleService svc, int port) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    int i = 0;
    while (System.nanoTime() < deadline) {
      for (int k = 0; k < 50; k++) {
        svc.predict(4, i++);
      }
      if (!PrometheusScrape.of(port).series("jouleflow_layer_energy_predicted_joules").isEmpty()) {
        return;
      }
    }
    throw new AssertionError("no predictions within 60 s:\n" + svc.jvm.stderr());
  }

  private static long awaitWritten(ExampleService svc, int port, long min) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
    int i = 0;
    while (System.nanoTime() < deadline) {
      for (int k = 0; k < 50; k++) {
        svc.predict(4, i++);
      }
      double written = PrometheusScrape.of(port).sum("jouleflow_samples_written_total");
      if (written >= min) {
        return (long) written;
      }
    }
    throw new AssertionError("fewer than " + min + " samples written within 40 s:\n" + svc.jvm.stderr());
  }
}
