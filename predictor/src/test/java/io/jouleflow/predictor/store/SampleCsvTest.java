package io.jouleflow.predictor.store;

import static io.jouleflow.predictor.store.Samples.PROFILE;
import static io.jouleflow.predictor.store.Samples.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jouleflow.predictor.layers.LayerFeatures;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export to gzipped CSV and import from it. */
class SampleCsvTest {

  @TempDir Path dir;

  @Test
  void anExportImportsIntoAnEqualStore() {
    LayerSample awkward =
        new LayerSample(
            T0.plusSeconds(5),
            PROFILE,
            "estimate",
            SampleOrigin.AGENT,
            "model \"v2\", quantized",
            "b1\nline",
            "block/conv,1",
            "Convolutional",
            Map.of(LayerFeatures.KERNEL_SIZE, 0.1 + 0.2, "heads", 12.0),
            1,
            1e-9,
            Double.NaN,
            Long.MAX_VALUE,
            0.0,
            null);
    List<LayerSample> layers =
        List.of(
            Samples.conv("cnn", "b8_64x64x3", "conv2d"),
            Samples.dense("cnn", "b8_64x64x3", "dense"),
            awkward);
    List<ModelSample> models =
        List.of(
            Samples.model("cnn", "b8_64x64x3"),
            new ModelSample(
                T0,
                PROFILE,
                "rapl",
                SampleOrigin.AGENT,
                "cnn",
                "b8",
                8,
                Double.NaN,
                0.5,
                3,
                0.2,
                5,
                null,
                null));
    Path export = dir.resolve("dataset");
    try (SampleStore source = SampleStore.open("jdbc:sqlite:" + dir.resolve("a.db"))) {
      source.writeLayerSamples(layers);
      source.writeModelSamples(models);
      source.exportCsv(export);
    }
    assertThat(export.resolve("layer_samples.csv.gz")).isRegularFile();
    assertThat(export.resolve("model_samples.csv.gz")).isRegularFile();
    try (SampleStore target = SampleStore.open("jdbc:sqlite:" + dir.resolve("b.db"))) {
      assertThat(target.importCsv(export)).isEqualTo(5);
      assertThat(target.layerSamples()).containsExactlyInAnyOrderElementsOf(layers);
      assertThat(target.modelSamples()).containsExactlyInAnyOrderElementsOf(models);
      assertThat(target.importCsv(export)).as("everything is there already").isZero();
    }
  }

  @Test
  void hardwareDescriptionsTravelWithTheExportAndTheFirstOneStays() throws Exception {
    Path export = dir.resolve("dataset");
    Map<String, Double> intel = Map.of("hw_cpu_vendor", 1.0, "hw_cpu_base_ghz", 2.5);
    try (SampleStore source = SampleStore.open("jdbc:sqlite:" + dir.resolve("a.db"))) {
      source.writeLayerSamples(List.of(Samples.dense("mlp", "b8", "dense")));
      assertThat(source.describeHardware("xeon-1", intel)).isTrue();
      assertThat(source.describeHardware("xeon-1", Map.of("hw_cpu_vendor", 2.0)))
          .as("a profile's id is what its hardware is: the first description stays").isFalse();
      source.describeHardware("epyc-2", Map.of("hw_cpu_vendor", 2.0, "hw_memory_gib", 23.54));
      source.exportCsv(export);
    }
    assertThat(gunzip(export.resolve("hardware_profiles.csv.gz")).lines().toList()).containsExactly(
        "hardware_profile,feature_hw_cpu_base_ghz,feature_hw_cpu_vendor,feature_hw_memory_gib",
        "epyc-2,,2,23.54",
        "xeon-1,2.5,1,");
    try (SampleStore target = SampleStore.open("jdbc:sqlite:" + dir.resolve("b.db"))) {
      target.importCsv(export);
      assertThat(target.hardwareDescriptions()).isEqualTo(Map.of("xeon-1", intel,
          "epyc-2", Map.of("hw_cpu_vendor", 2.0, "hw_memory_gib", 23.54)));
    }
    Files.delete(export.resolve("hardware_profiles.csv.gz"));
    try (SampleStore older = SampleStore.open("jdbc:sqlite:" + dir.resolve("c.db"))) {
      assertThat(older.importCsv(export)).as("an export from before descriptions").isEqualTo(1);
      assertThat(older.hardwareDescriptions()).isEmpty();
    }
  }

  @Test
  void featuresAreOneColumnEachInTheOrderOfTheirNames() throws Exception {
    Path export = dir.resolve("dataset");
    try (SampleStore store = SampleStore.open("jdbc:sqlite:" + dir.resolve("a.db"))) {
      store.writeLayerSamples(List.of(Samples.dense("mlp", "b8", "dense")));
      store.writeModelSamples(List.of(Samples.model("mlp", "b8")));
      store.exportCsv(export);
    }
    List<String> lines = gunzip(export.resolve("layer_samples.csv.gz")).lines().toList();
    StringBuilder header =
        new StringBuilder(
            "observed_at,hardware_profile,meter_source,origin,sample_key,model,config,layer,"
                + "layer_type,batch_size,joules_per_inference,seconds_per_inference,"
                + "runs_averaged,predicted_joules,protocol");
    LayerFeatures.NAMES.forEach(name -> header.append(",feature_").append(name));
    assertThat(lines)
        .containsExactly(
            header.toString(),
            "2025-03-01T12:00:01.123456789Z,"
                + PROFILE
                + ",nvml,collect,mlp|b8|dense,mlp,b8,"
                + "dense,Dense,8,0.3333333333333333,,200,,isolated,8,,1024,10,10"
                + ",".repeat(LayerFeatures.NAMES.size() - 5));
    assertThat(gunzip(export.resolve("model_samples.csv.gz")).lines())
        .containsExactly(
            "observed_at,hardware_profile,meter_source,origin,sample_key,model,config,batch_size,"
                + "joules_per_inference,seconds_per_inference,runs_averaged,predicted_joules,"
                + "layer_count,additivity_factor,sum_of_layer_joules,protocol,other_cpu_share,"
                + "steal_share",
            "2025-03-01T12:00:00.123456789Z,"
                + PROFILE
                + ",nvml,collect,mlp|b8,mlp,b8,8,0.25,"
                + "0.002,200,,5,1.08,0.2315,isolated,,");
  }

  @Test
  void aHandWrittenFileWithoutKeysInAnotherColumnOrderImports() throws Exception {
    Path data = Files.createDirectory(dir.resolve("hand"));
    gzip(
        data.resolve("layer_samples.csv.gz"),
        "layer,model,config,observed_at,hardware_profile,meter_source,origin,layer_type,"
            + "batch_size,joules_per_inference,seconds_per_inference,runs_averaged,"
            + "predicted_joules,feature_flops\r\n"
            + "d,m,c,2025-03-01T12:00:00Z,p,nvml,collect,Dense,4,0.5,0.01,10,,800\r\n");
    gzip(data.resolve("model_samples.csv.gz"), String.join(",", SampleSchema.MODEL_COLUMNS) + "\n");
    try (SampleStore store = SampleStore.open("jdbc:sqlite:" + dir.resolve("a.db"))) {
      assertThat(store.importCsv(data)).isEqualTo(1);
      LayerSample sample = store.layerSamples().get(0);
      assertThat(sample.sampleKey()).isEqualTo("m|c|d");
      assertThat(sample.features()).containsExactly(Map.entry(LayerFeatures.FLOPS, 800.0));
      assertThat(sample.predictedJoules()).isNull();
    }
  }

  @Test
  void aBrokenFileFailsWithOneLineNamingTheRecord() throws Exception {
    Path data = Files.createDirectory(dir.resolve("broken"));
    gzip(
        data.resolve("layer_samples.csv.gz"),
        "layer,model,config,observed_at,hardware_profile,meter_source,origin,layer_type,"
            + "batch_size,joules_per_inference,seconds_per_inference,runs_averaged,"
            + "predicted_joules\n"
            + "d,m,c,2025-03-01T12:00:00Z,p,nvml,bench,Dense,4,0.5,0.01,10,\n");
    gzip(data.resolve("model_samples.csv.gz"), String.join(",", SampleSchema.MODEL_COLUMNS));
    try (SampleStore store = SampleStore.open("jdbc:sqlite:" + dir.resolve("a.db"))) {
      assertThatThrownBy(() -> store.importCsv(data))
          .isInstanceOf(SampleStoreException.class)
          .hasMessage(
              "cannot import samples from "
                  + data
                  + ": layer_samples.csv.gz record 1: origin must be collect or agent, not bench");
      assertThatThrownBy(() -> store.importCsv(dir.resolve("nowhere")))
          .isInstanceOf(SampleStoreException.class)
          .hasMessageStartingWith("cannot import samples from " + dir.resolve("nowhere") + ": ")
          .hasMessageNotContaining("\n");
      assertThat(store.count(SampleStore.LAYER_SAMPLES)).isZero();
    }
  }

  private static String gunzip(Path file) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void gzip(Path file, String text) throws IOException {
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }
}
