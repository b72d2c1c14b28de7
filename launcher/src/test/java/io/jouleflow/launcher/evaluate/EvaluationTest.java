package io.jouleflow.launcher.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.launcher.evaluate.EvaluationReport.MethodResult;
import io.jouleflow.launcher.evaluate.Splits.Fold;
import io.jouleflow.launcher.evaluate.Splits.Split;
import io.jouleflow.launcher.train.LayerEnergyRegressor;
import io.jouleflow.predictor.store.LayerSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class EvaluationTest {

  /** Knows the law; remembers what it was trained on and how often it was asked. */
  static final class RecordingRegressor implements LayerEnergyRegressor {
    final List<Set<String>> trainedOn = new ArrayList<>();
    final List<Integer> predictions = new ArrayList<>();

    @Override
    public String name() {
      return "oracle";
    }

    @Override
    public void fit(List<LayerSample> samples) {
      Set<String> models = new TreeSet<>();
      samples.forEach(s -> models.add(s.model()));
      trainedOn.add(models);
      predictions.add(0);
    }

    @Override
    public double predictJoules(String layerType, Map<String, Double> features) {
      predictions.set(predictions.size() - 1, predictions.get(predictions.size() - 1) + 1);
      return SyntheticSamples.K.get(layerType)
          * Math.pow(features.get("flops"), SyntheticSamples.ALPHA);
    }
  }

  @Test
  void leaveOneFamilyOutNeverTrainsOnTheHeldOutFamily() {
    SyntheticSamples.Data data = SyntheticSamples.powerLaw(0, 1);
    Split split = Splits.byFamily(SyntheticSamples.MODELS);
    RecordingRegressor regressor = new RecordingRegressor();
    List<String> progress = new ArrayList<>();
    Evaluation.run(split, data.layers(), data.models(), List.of(regressor), progress::add);

    assertThat(regressor.trainedOn).hasSize(3);
    for (int f = 0; f < 3; f++) {
      Fold fold = split.folds().get(f);
      Set<String> trained = regressor.trainedOn.get(f);
      assertThat(trained).doesNotContainAnyElementsOf(fold.heldOutModels());
      assertThat(trained).allSatisfy(m -> assertThat(Splits.family(m)).isNotEqualTo(fold.name()));
      // Every other architecture is trained on.
      Set<String> all = new TreeSet<>(trained);
      all.addAll(fold.heldOutModels());
      assertThat(all).containsExactlyInAnyOrderElementsOf(SyntheticSamples.MODELS);
      // Exactly the held-out layers are predicted.
      long heldOutLayers = data.layers().stream().filter(s -> fold.holdsOut(s.model())).count();
      assertThat(regressor.predictions.get(f)).isEqualTo((int) heldOutLayers);
    }
    assertThat(progress)
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith(
                        "fold 1/3 densenet: holds out densenet121, densenet169, densenet201 (36"
                            + " configurations"))
        .anySatisfy(line -> assertThat(line).startsWith("  oracle: fitted in"));
  }

  @Test
  void wholeModelErrorsSeparateTheAdditivityGapFromTheRegressorsOwnError() {
    SyntheticSamples.Data data = SyntheticSamples.powerLaw(0, 1);
    EvaluationReport report =
        Evaluation.run(
            Splits.byFamily(SyntheticSamples.MODELS),
            data.layers(),
            data.models(),
            List.of(new RecordingRegressor()),
            line -> {});
    MethodResult oracle = report.methods().get(0);
    // Perfect layers: the sum of layers is exact, the whole model is 1.25 × that sum, so every
    // prediction is 1/1.25 - 1 = -20 % off.
    assertThat(oracle.sumOfLayers().rmspe()).isCloseTo(0, within(1e-9));
    assertThat(oracle.sumOfLayers().withinTenPercent()).isEqualTo(1.0);
    assertThat(oracle.wholeModel().rmspe()).isCloseTo(0.2, within(1e-9));
    assertThat(oracle.wholeModel().withinTenPercent()).isEqualTo(0.0);
    assertThat(oracle.wholeModel().count()).isEqualTo(8 * 12);
    assertThat(oracle.perType().values())
        .allSatisfy(s -> assertThat(s.rmspe()).isCloseTo(0, within(1e-9)));
    assertThat(report.heldOutModels()).isEqualTo(96);
    assertThat(report.heldOutArchitectures()).isEqualTo(8);
    assertThat(report.folds()).isEqualTo(3);
    assertThat(report.hardwareProfile()).isEqualTo(SyntheticSamples.PROFILE);
    assertThat(report.layerTypes())
        .containsExactly("Dense", "Convolutional", "Pooling", "Normalization", "Activation", "Add");
    assertThat(report.heldOutLayers().values().stream().mapToInt(Integer::intValue).sum())
        .isEqualTo(data.layers().size());
  }

  @Test
  void errorsArePooledOverFoldsNotAveraged() {
    // A regressor that is exact except on the ResNets, where it predicts double: pooled over all
    // 96 whole models, 36 have error +100 % against the sum of layers.
    SyntheticSamples.Data data = SyntheticSamples.powerLaw(0, 1);
    LayerEnergyRegressor doublesResnets =
        new LayerEnergyRegressor() {
          boolean resnetHeldOut;

          @Override
          public String name() {
            return "skewed";
          }

          @Override
          public void fit(List<LayerSample> samples) {
            resnetHeldOut = samples.stream().noneMatch(s -> s.model().startsWith("resnet"));
          }

          @Override
          public double predictJoules(String type, Map<String, Double> features) {
            double law = SyntheticSamples.K.get(type) * Math.pow(features.get("flops"), 0.9);
            return resnetHeldOut ? 2 * law : law;
          }
        };
    EvaluationReport report =
        Evaluation.run(
            Splits.byFamily(SyntheticSamples.MODELS),
            data.layers(),
            data.models(),
            List.of(doublesResnets),
            line -> {});
    MethodResult result = report.methods().get(0);
    assertThat(result.sumOfLayers().rmspe()).isCloseTo(Math.sqrt(36.0 / 96), within(1e-9));
    assertThat(result.sumOfLayers().withinTenPercent()).isCloseTo(60.0 / 96, within(1e-12));
    // Add layers exist in ResNets only: every one of them is +100 % off.
    assertThat(result.rmspe("Add")).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void aRegressorThatPredictsNaNFailsTheEvaluationLoudly() {
    SyntheticSamples.Data data = SyntheticSamples.powerLaw(0, 1);
    LayerEnergyRegressor broken =
        new LayerEnergyRegressor() {
          @Override
          public String name() {
            return "broken";
          }

          @Override
          public void fit(List<LayerSample> samples) {}

          @Override
          public double predictJoules(String type, Map<String, Double> features) {
            return Double.NaN;
          }
        };
    assertThatThrownBy(
            () ->
                Evaluation.run(
                    Splits.byFamily(SyntheticSamples.MODELS),
                    data.layers(),
                    data.models(),
                    List.of(broken),
                    line -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("broken predicted NaN J for layer");
  }

  @Test
  void aFoldWithoutLayersToTrainOnIsSkippedAndSaysSo() {
    SyntheticSamples.Data data = SyntheticSamples.powerLaw(0, 1);
    List<LayerSample> onlyVgg =
        data.layers().stream().filter(s -> s.model().startsWith("vgg")).toList();
    List<String> progress = new ArrayList<>();
    EvaluationReport report =
        Evaluation.run(
            Splits.byFamily(SyntheticSamples.MODELS),
            onlyVgg,
            data.models(),
            List.of(new RecordingRegressor()),
            progress::add);
    // densenet and resnet folds have no held-out layers; the vgg fold has nothing to train on.
    assertThat(report.folds()).isZero();
    assertThat(report.heldOutModels()).isZero();
    assertThat(progress).allSatisfy(line -> assertThat(line).contains("skipped"));
  }
}
