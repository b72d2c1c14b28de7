package io.jouleflow.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.launcher.zoo.ModelZoo;
import io.jouleflow.predictor.keras.KerasLayers;
import io.jouleflow.predictor.layers.LayerGraph;
import io.jouleflow.predictor.model.Calibration;
import io.jouleflow.predictor.model.GraphPrediction;
import io.jouleflow.predictor.model.ModelSet;
import io.jouleflow.predictor.store.MeasureProtocols;
import io.jouleflow.predictor.store.SampleStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code calibrate} on the first two configurations of its suite, with the CPU estimate. */
class CalibrateCommandTest {

  @TempDir Path tmp;

  @Test
  void writesTheBundledSetForThisMachineWithAFactorPerTypeAndKeepsTheRows() {
    Path out = tmp.resolve("calibrated");
    String url = "jdbc:sqlite:" + tmp.resolve("samples.db");
    CliRun run = CliRun.of("calibrate", "--suite-size", "2", "--out", out.toString(),
        "--store", url, "--meters", "estimate");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("[1/2] MobileNet 64x64", "[2/2] MobileNetV2 64x64");
    assertThat(run.out()).contains("calibrated set written to", "overall factor");

    ModelSet bundled = ModelSet.bundled().orElseThrow();
    ModelSet calibrated = ModelSet.read(out);
    Calibration c = calibrated.manifest().calibration();
    assertThat(c).isNotNull();
    assertThat(calibrated.hardwareProfile()).isEqualTo(PredictCommand.machineProfile());
    assertThat(c.baseProfile()).isEqualTo(bundled.hardwareProfile());
    assertThat(c.corrections()).containsKey("Convolutional");
    assertThat(c.overall()).isPositive();

    // every layer's prediction is the bundled one times its type's factor
    LayerGraph graph = KerasLayers.toLayerGraph(ModelZoo.build("MobileNet", 64), 1, null).graph();
    GraphPrediction before = GraphPrediction.of(bundled, graph, null);
    GraphPrediction after = GraphPrediction.of(calibrated, graph, null);
    for (int i = 0; i < before.rows().size(); i++) {
      GraphPrediction.Row b = before.rows().get(i);
      double expected = b.prediction().joules() * c.factor(b.layer().type().label());
      assertThat(after.rows().get(i).prediction().joules())
          .as(b.layer().id()).isCloseTo(expected, within(1e-12 + expected * 1e-9));
    }

    try (SampleStore store = SampleStore.open(url)) {
      assertThat(store.modelSamples()).hasSize(2)
          .allSatisfy(m -> assertThat(m.protocol()).isEqualTo(MeasureProtocols.IN_PLACE));
      assertThat(store.layerSamples()).anyMatch(s -> s.layerType().equals("Overhead"));
    }
  }

  @Test
  void badInputIsOneLineAndExitTwo() throws Exception {
    Path file = Files.writeString(tmp.resolve("file"), "x");
    String[][] cases = {
      {"calibrate", "--suite-size", "0"},
      {"calibrate", "--models", tmp.resolve("none").toString()},
      {"calibrate", "--out", file.toString()},
    };
    for (String[] c : cases) {
      CliRun run = CliRun.of(c);
      assertThat(run.exitCode()).as(String.join(" ", c) + "\n" + run.err()).isEqualTo(2);
      assertThat(run.err()).doesNotContain("\tat ");
    }
  }
}
