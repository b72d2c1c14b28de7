package io.jouleflow.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jouleflow.predictor.store.SampleStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code measure} and {@code collect} in process, on real TensorFlow with the estimate meter. */
class MeasureCommandTest {

  private static final String MNIST = fixture("mnist_sequential_keras22.json");
  private static final String[] FAST = {"--min-seconds", "0.05", "--min-runs", "3", "--warmup", "1"};

  @TempDir Path tmp;

  private static String fixture(String name) {
    return Path.of("../predictor/src/test/resources/keras", name).toAbsolutePath().toString();
  }

  private static CliRun measure(String... args) {
    String[] all = new String[args.length + FAST.length + 1];
    all[0] = "measure";
    System.arraycopy(args, 0, all, 1, args.length);
    System.arraycopy(FAST, 0, all, 1 + args.length, FAST.length);
    return CliRun.of(all);
  }

  @Test
  void measuresLayersInPlaceByDefaultAndTheySumWithTheOverheadToTheWholeModel() throws Exception {
    CliRun run = measure(MNIST, "--batch", "2", "--format", "json", "--traced-runs", "3");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(run.out());
    assertThat(json.get("protocol").asText()).isEqualTo("inplace");
    assertThat(json.has("additivity_factor")).isFalse();
    JsonNode layers = json.get("layers");
    assertThat(layers).hasSize(8); // 7 layers and the overhead row, last
    assertThat(layers.get(0).get("name").asText()).isEqualTo("conv2d_1");
    assertThat(layers.get(0).get("joules").asDouble()).isPositive(); // a convolution runs
    assertThat(layers.get(7).get("name").asText()).isEqualTo("_unattributed");
    assertThat(layers.get(7).get("type").asText()).isEqualTo("Overhead");
    double sum = 0;
    for (JsonNode l : layers) {
      assertThat(l.get("joules").asDouble()).isNotNegative();
      sum += l.get("joules").asDouble();
    }
    double total = json.get("total").get("joules").asDouble();
    assertThat(sum).isCloseTo(total, within(total * 1e-9));
    assertThat(json.get("machine_load").get("other_cpu_share").asDouble()).isBetween(0.0, 1.0);
  }

  @Test
  void measuresEveryLayerAloneAndTheWholeModelAsJson() throws Exception {
    CliRun run = measure(MNIST, "--batch", "2", "--format", "json", "--protocol", "isolated");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(run.out());
    assertThat(json.get("source").asText()).isEqualTo("estimate");
    assertThat(json.get("config").asText()).isEqualTo("b2_28x28x1");
    assertThat(json.get("layers")).hasSize(7);
    assertThat(json.get("layers").get(0).get("name").asText()).isEqualTo("conv2d_1");
    assertThat(json.get("layers").get(0).get("type").asText()).isEqualTo("Convolutional");
    double sum = 0;
    for (JsonNode l : json.get("layers")) {
      assertThat(l.get("joules").asDouble()).isPositive();
      assertThat(l.get("seconds").asDouble()).isPositive();
      sum += l.get("joules").asDouble();
    }
    double total = json.get("total").get("joules").asDouble();
    assertThat(total).isPositive();
    assertThat(json.get("additivity_factor").asDouble()).isCloseTo(total / sum, within(1e-9));
    assertThat(run.err()).contains("estimate chosen").contains("whole model");
    assertThat(json.get("protocol").asText()).isEqualTo("isolated");
  }

  @Test
  void noLayersMeasuresTheWholeModelOnlyAndCsvHasATotalRow() {
    CliRun run = measure(MNIST, "--no-layers", "--format", "csv");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.outLines()).hasSize(2);
    assertThat(run.outLines().get(0)).isEqualTo("name,type,joules,seconds");
    assertThat(run.outLines().get(1)).startsWith("_total,Model,");
  }

  @Test
  void badInputIsOneLineAndExitTwo() throws Exception {
    Path savedModel = Files.createDirectories(tmp.resolve("sm"));
    Files.writeString(savedModel.resolve("saved_model.pb"), "x");
    String[][] cases = {
      {tmp.resolve("missing.json").toString()},
      {fixture("corrupt_truncated.json")},
      {fixture("custom_layer_keras2.json")},
      {fixture("custom_layer_keras2.json"), "--input", "16x16x3"},
      {savedModel.toString()},
      {tmp.toString()},
      {MNIST, "--format", "xml"},
      {MNIST, "--input", "28x28"},
      {"zoo:NoSuchNet"},
      {MNIST, "--protocol", "alone"},
      {MNIST, "--traced-runs", "0"},
    };
    for (String[] c : cases) {
      CliRun run = measure(c);
      assertThat(run.exitCode()).as(String.join(" ", c) + "\n" + run.err()).isEqualTo(2);
      assertThat(run.errLines().stream().filter(l -> l.startsWith("jouleflow:")))
          .as(run.err()).singleElement();
      assertThat(run.err()).doesNotContain("\tat ");
    }
    assertThat(measure(fixture("custom_layer_keras2.json")).err()).contains("--input");
    assertThat(measure(fixture("custom_layer_keras2.json"), "--input", "16x16x3").err())
        .contains("MyBlock");
  }

  @Test
  void collectWritesSamplesAndSkipsWhatIsStoredOnASecondRun() {
    String url = "jdbc:sqlite:" + tmp.resolve("samples.db");
    String[] args = {"collect", "--zoo", "random:1", "--batches", "1,2", "--inputs", "32,40",
        "--store", url};
    CliRun first = CliRun.of(args);
    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(first.out()).contains("4 measured, 0 already stored, 0 failed");
    long layers;
    try (SampleStore store = SampleStore.open(url)) {
      assertThat(store.count(SampleStore.MODEL_SAMPLES)).isEqualTo(4);
      layers = store.count(SampleStore.LAYER_SAMPLES);
      assertThat(layers).isGreaterThan(4 * 4);
      assertThat(store.layerSamples()).allSatisfy(s -> {
        assertThat(s.origin()).isEqualTo("collect");
        assertThat(s.meterSource()).isEqualTo("estimate");
        assertThat(s.joulesPerInference()).isNotNegative(); // in place, a fused layer may get 0
        assertThat(s.features()).containsKey("batch_size");
        assertThat(s.protocol()).isEqualTo("inplace");
      });
      // one overhead row per configuration, with the model features that predict it
      assertThat(store.layerSamples()).filteredOn(s -> s.layerType().equals("Overhead"))
          .hasSize(4).allSatisfy(s -> assertThat(s.features()).containsKey("number_of_layers"));
      assertThat(store.modelSamples()).allSatisfy(m -> {
        assertThat(m.protocol()).isEqualTo("inplace");
        assertThat(m.additivityFactor()).isNull();
        assertThat(m.machineLoad()).isNotNull();
        double rows = store.layerSamples().stream()
            .filter(s -> s.config().equals(m.config()) && s.model().equals(m.model()))
            .mapToDouble(s -> s.joulesPerInference()).sum();
        assertThat(rows).isCloseTo(m.joulesPerInference(), within(m.joulesPerInference() * 1e-9));
      });
      assertThat(store.modelSamples()).extracting(s -> s.config())
          .containsExactlyInAnyOrder("b1_32x32x3", "b2_32x32x3", "b1_40x40x3", "b2_40x40x3");
    }
    String[] again = Arrays.copyOf(args, args.length + 2);
    again[args.length] = "--export";
    again[args.length + 1] = tmp.resolve("export").toString();
    CliRun second = CliRun.of(again);
    assertThat(second.out()).contains("0 measured, 4 already stored");
    // --zoo's old name still works for now, with a note on stderr
    String[] oldName = args.clone();
    oldName[1] = "--models";
    CliRun old = CliRun.of(oldName);
    assertThat(old.exitCode()).as(old.err()).isZero();
    assertThat(old.out()).contains("0 measured, 4 already stored");
    assertThat(old.err()).contains("--models is now --zoo");
    assertThat(tmp.resolve("export/layer_samples.csv.gz")).exists();
    assertThat(tmp.resolve("export/model_samples.csv.gz")).exists();
    try (SampleStore store = SampleStore.open(url)) {
      assertThat(store.count(SampleStore.LAYER_SAMPLES)).isEqualTo(layers);
    }
  }

  @Test
  void collectTakesZooArchitecturesByOneNameOnly() {
    CliRun both = CliRun.of("collect", "--zoo", "random:1", "--models", "random:1",
        "--store", "jdbc:sqlite:" + tmp.resolve("none.db"));
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err()).contains("--models is the old name of --zoo");
  }
}
