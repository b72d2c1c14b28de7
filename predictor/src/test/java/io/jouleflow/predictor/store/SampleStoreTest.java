package io.jouleflow.predictor.store;

import static io.jouleflow.predictor.store.Samples.PROFILE;
import static io.jouleflow.predictor.store.Samples.T0;
import static io.jouleflow.predictor.store.Samples.conv;
import static io.jouleflow.predictor.store.Samples.dense;
import static io.jouleflow.predictor.store.Samples.model;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.jouleflow.predictor.layers.LayerFeatures;
import io.jouleflow.predictor.layers.LayerFeatures.Variant;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample store on real SQLite files. */
class SampleStoreTest {

  @TempDir Path dir;

  private String url() {
    return "jdbc:sqlite:" + dir.resolve("samples.db");
  }

  @Test
  void layerAndModelSamplesComeBackAsWritten() {
    LayerSample conv = conv("cnn", "b8_64x64x3", "conv2d");
    LayerSample dense = dense("cnn", "b8_64x64x3", "dense");
    ModelSample model = model("cnn", "b8_64x64x3");
    try (SampleStore store = SampleStore.open(url())) {
      assertThat(store.writeLayerSamples(List.of(conv, dense))).isEqualTo(2);
      assertThat(store.writeModelSamples(List.of(model))).isEqualTo(1);
    }
    try (SampleStore store = SampleStore.open(url())) {
      assertThat(store.layerSamples()).containsExactly(conv, dense);
      assertThat(store.modelSamples()).containsExactly(model);
      LayerSample read = store.layerSamples().get(0);
      assertThat(read.time()).isEqualTo(T0); // nanoseconds kept
      assertThat(read.layerFeatures()).isEqualTo(conv.layerFeatures());
      assertThat(read.layerFeatures().variant()).isEqualTo(Variant.STANDARD);
      assertThat(read.features()).containsEntry(LayerFeatures.FILTERS, 16.0);
      assertThat(read.sampleKey()).isEqualTo("cnn|b8_64x64x3|conv2d");
      LayerSample second = store.layerSamples().get(1);
      assertThat(second.secondsPerInference()).isNaN();
      assertThat(second.predictedJoules()).isNull();
      assertThat(second.features()).doesNotContainKey(LayerFeatures.FILTERS);
    }
  }

  @Test
  void featuresAreAJsonColumnAndTheFileIsInWalMode() throws Exception {
    try (SampleStore store = SampleStore.open(url())) {
      store.writeLayerSamples(List.of(dense("mlp", "b8", "dense")));
    }
    try (Connection c = DriverManager.getConnection(url());
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT features, sample_key FROM layer_samples")) {
        rs.next();
        assertThat(rs.getString(1))
            .isEqualTo(
                "{\"batch_size\":8.0,\"input_size\":1024.0,"
                    + "\"output_size\":10.0,\"hidden_size\":10.0}");
        assertThat(rs.getString(2)).isEqualTo("mlp|b8|dense");
      }
      try (ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("wal");
      }
      try (ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(SampleSchema.VERSION);
      }
    }
  }

  @Test
  void aDuplicateIsNotWrittenTwice() {
    try (SampleStore store = SampleStore.open(url())) {
      LayerSample conv = conv("cnn", "b8", "conv2d");
      assertThat(store.writeLayerSamples(List.of(conv, dense("cnn", "b8", "dense")))).isEqualTo(2);
      // The same keys again (a resumed run), one of them twice within one batch, plus one new one.
      LayerSample again =
          new LayerSample(
              T0.plusSeconds(60),
              PROFILE,
              "nvml",
              SampleOrigin.COLLECT,
              "cnn",
              "b8",
              "conv2d",
              "Convolutional",
              conv.features(),
              8,
              9.9,
              9.9,
              1,
              null,
              null);
      assertThat(store.writeLayerSamples(List.of(again, again, conv("cnn", "b16", "conv2d"))))
          .isEqualTo(1);
      assertThat(store.count(SampleStore.LAYER_SAMPLES)).isEqualTo(3);
      assertThat(store.layerSamples()).contains(conv).doesNotContain(again);

      assertThat(store.writeModelSamples(List.of(model("cnn", "b8")))).isEqualTo(1);
      assertThat(store.writeModelSamples(List.of(model("cnn", "b8")))).isZero();
      assertThat(store.count(SampleStore.MODEL_SAMPLES)).isEqualTo(1);
    }
  }

  @Test
  void theSameLayerFromAnotherOriginOrProfileOrWindowIsANewSample() {
    try (SampleStore store = SampleStore.open(url())) {
      LayerSample collect = dense("mlp", "b8", "dense");
      LayerSample agent = agent(collect, T0);
      LayerSample nextWindow = agent(collect, T0.plusSeconds(60));
      LayerSample otherProfile =
          new LayerSample(
              collect.time(),
              "amd-epyc-7763-1xh100-0badc0de",
              collect.meterSource(),
              collect.origin(),
              collect.model(),
              collect.config(),
              collect.layer(),
              collect.layerType(),
              collect.features(),
              collect.batchSize(),
              collect.joulesPerInference(),
              collect.secondsPerInference(),
              collect.runsAveraged(),
              collect.predictedJoules(),
              null);
      assertThat(store.writeLayerSamples(List.of(collect, agent, nextWindow, otherProfile)))
          .isEqualTo(4);
      assertThat(store.writeLayerSamples(List.of(agent(collect, T0)))).isZero();
      assertThat(agent.sampleKey()).isEqualTo("mlp|b8|dense|2025-03-01T12:00:00.123456789Z");

      assertThat(store.layerSamples(SampleFilter.ALL.withOrigin(SampleOrigin.AGENT)))
          .containsExactly(agent, nextWindow);
      assertThat(store.layerSamples(SampleFilter.ALL.withHardwareProfile(PROFILE))).hasSize(3);
      assertThat(
              store.layerSamples(
                  SampleFilter.ALL.withHardwareProfile(PROFILE).withOrigin(SampleOrigin.COLLECT)))
          .containsExactly(collect);
      assertThat(store.layerSamples(SampleFilter.ALL.withModel("other"))).isEmpty();
    }
  }

  @Test
  void aResumedCollectFindsTheConfigurationsItHasMeasured() {
    try (SampleStore store = SampleStore.open(url())) {
      store.writeModelSamples(List.of(model("cnn", "b8_64x64x3")));
    }
    try (SampleStore store = SampleStore.open(url())) {
      assertThat(store.hasModelSample(PROFILE, SampleOrigin.COLLECT, "cnn", "b8_64x64x3", MeasureProtocols.ISOLATED)).isTrue();
      assertThat(store.hasModelSample(PROFILE, SampleOrigin.COLLECT, "cnn", "b16_64x64x3", MeasureProtocols.ISOLATED))
          .isFalse();
      assertThat(store.hasModelSample(PROFILE, SampleOrigin.AGENT, "cnn", "b8_64x64x3", MeasureProtocols.IN_PLACE)).isFalse();
      assertThat(store.hasModelSample("other-profile", SampleOrigin.COLLECT, "cnn", "b8_64x64x3", MeasureProtocols.ISOLATED))
          .isFalse();
    }
  }

  @Test
  void manyBatchesInOneCallAreAllWritten() {
    try (SampleStore store = SampleStore.open(url())) {
      assertThat(store.writeLayerSamples(Samples.layers("mlp", 1234))).isEqualTo(1234);
      assertThat(store.writeLayerSamples(Samples.layers("mlp", 1300))).isEqualTo(66);
      assertThat(store.count(SampleStore.LAYER_SAMPLES)).isEqualTo(1300);
      assertThat(store.writeLayerSamples(List.of())).isZero();
    }
  }

  @Test
  void featuresMayCarryNamesLayerFeaturesDoesNotKnow() {
    LayerSample sample =
        new LayerSample(
            T0,
            PROFILE,
            "rapl",
            SampleOrigin.COLLECT,
            "m",
            "c",
            "l",
            "Other",
            Map.of("heads", 8.0, LayerFeatures.FLOPS, 1e9, LayerFeatures.RATE, Double.NaN),
            1,
            1,
            1,
            1,
            null,
            null);
    assertThat(sample.features().keySet()).containsExactly(LayerFeatures.FLOPS, "heads");
    try (SampleStore store = SampleStore.open(url())) {
      store.writeLayerSamples(List.of(sample));
      assertThat(store.layerSamples()).containsExactly(sample);
      assertThat(store.layerSamples().get(0).layerFeatures().flops()).isEqualTo(1e9);
    }
  }

  @Test
  void countNamesOnlyTheSampleTables() {
    try (SampleStore store = SampleStore.open(url())) {
      assertThat(store.count(SampleStore.MODEL_SAMPLES)).isZero();
      assertThatThrownBy(() -> store.count("schema_version; DROP TABLE layer_samples"))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aVersionOneStoreIsMigratedKeepingItsRows() throws Exception {
    // The tables as jouleflow 0.1 (schema version 1) made them, with one row of each origin.
    try (Connection c = DriverManager.getConnection(url());
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY)");
      st.execute("INSERT INTO schema_version VALUES (1)");
      st.execute("CREATE TABLE layer_samples (observed_at TEXT NOT NULL, hardware_profile TEXT NOT"
          + " NULL, meter_source TEXT NOT NULL, origin TEXT NOT NULL, sample_key TEXT NOT NULL,"
          + " model TEXT NOT NULL, config TEXT NOT NULL, layer TEXT NOT NULL, layer_type TEXT NOT"
          + " NULL, features TEXT NOT NULL, batch_size INTEGER NOT NULL, joules_per_inference"
          + " DOUBLE PRECISION, seconds_per_inference DOUBLE PRECISION, runs_averaged BIGINT NOT"
          + " NULL, predicted_joules DOUBLE PRECISION,"
          + " PRIMARY KEY (hardware_profile, origin, sample_key))");
      st.execute("CREATE TABLE model_samples (observed_at TEXT NOT NULL, hardware_profile TEXT NOT"
          + " NULL, meter_source TEXT NOT NULL, origin TEXT NOT NULL, sample_key TEXT NOT NULL,"
          + " model TEXT NOT NULL, config TEXT NOT NULL, batch_size INTEGER NOT NULL,"
          + " joules_per_inference DOUBLE PRECISION, seconds_per_inference DOUBLE PRECISION,"
          + " runs_averaged BIGINT NOT NULL, predicted_joules DOUBLE PRECISION, layer_count"
          + " INTEGER NOT NULL, additivity_factor DOUBLE PRECISION, sum_of_layer_joules DOUBLE"
          + " PRECISION, PRIMARY KEY (hardware_profile, origin, sample_key))");
      for (String origin : List.of("collect", "agent")) {
        st.execute("INSERT INTO layer_samples VALUES ('2025-03-01T12:00:00Z', 'p', 'estimate', '"
            + origin + "', 'k', 'cnn', 'b1', 'conv2d', 'Convolutional', '{}', 1, 0.5, 0.1, 10, NULL)");
        st.execute("INSERT INTO model_samples VALUES ('2025-03-01T12:00:00Z', 'p', 'estimate', '"
            + origin + "', 'k', 'cnn', 'b1', 1, 1.0, 0.2, 10, NULL, 3, NULL, NULL)");
      }
    }
    try (SampleStore store = SampleStore.open(url())) {
      assertThat(store.layerSamples()).extracting(LayerSample::origin, LayerSample::protocol)
          .containsExactlyInAnyOrder(
              tuple("collect", MeasureProtocols.ISOLATED),
              tuple("agent", MeasureProtocols.IN_PLACE));
      assertThat(store.modelSamples()).extracting(ModelSample::protocol)
          .containsExactlyInAnyOrder(MeasureProtocols.ISOLATED, MeasureProtocols.IN_PLACE);
      assertThat(store.modelSamples()).allMatch(m -> m.machineLoad() == null);
      ModelSample busy = new ModelSample(T0, "p", "estimate", SampleOrigin.COLLECT, "cnn", "b1", 1,
          0.9, 0.2, 10, null, 3, null, null, null, MeasureProtocols.IN_PLACE,
          new MachineLoad(0.4, 0.01));
      assertThat(store.writeModelSamples(List.of(busy))).isEqualTo(1); // a new key: in place
      assertThat(store.hasModelSample("p", SampleOrigin.COLLECT, "cnn", "b1", MeasureProtocols.IN_PLACE))
          .isTrue();
    }
    try (SampleStore store = SampleStore.open(url())) { // opened again: migrated once
      ModelSample read = store.modelSamples().stream()
          .filter(m -> m.machineLoad() != null).findFirst().orElseThrow();
      assertThat(read.machineLoad()).isEqualTo(new MachineLoad(0.4, 0.01));
      assertThat(read.measuredBusy()).isTrue();
      assertThat(read.sampleKey()).isEqualTo("inplace|cnn|b1");
    }
  }

  @Test
  void aStoreMadeByANewerJouleflowIsRefused() throws Exception {
    SampleStore.open(url()).close();
    try (Connection c = DriverManager.getConnection(url());
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO schema_version (version) VALUES (" + (SampleSchema.VERSION + 1) + ")");
    }
    assertThatThrownBy(() -> SampleStore.open(url()))
        .isInstanceOf(SampleStoreException.class)
        .hasMessage(
            "sample store " + url() + " has schema version " + (SampleSchema.VERSION + 1)
                + ", newer than this jouleflow reads (" + SampleSchema.VERSION + ")");
  }

  @Test
  void anOriginOtherThanCollectOrAgentIsRefused() {
    assertThatThrownBy(() -> SampleFilter.ALL.withOrigin("bench"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("origin must be collect or agent, not bench");
  }

  static LayerSample agent(LayerSample s, Instant windowStart) {
    return new LayerSample(
        windowStart,
        s.hardwareProfile(),
        s.meterSource(),
        SampleOrigin.AGENT,
        s.model(),
        s.config(),
        s.layer(),
        s.layerType(),
        s.features(),
        s.batchSize(),
        s.joulesPerInference(),
        s.secondsPerInference(),
        s.runsAveraged(),
        s.predictedJoules(),
        null);
  }
}
