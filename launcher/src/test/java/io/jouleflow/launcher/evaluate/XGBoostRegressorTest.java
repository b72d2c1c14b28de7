package io.jouleflow.launcher.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.predictor.store.LayerSample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class XGBoostRegressorTest {

  private static final XGBoostRegressor.Settings FAST =
      new XGBoostRegressor.Settings(100, 0.1, 6, 0.8, 10, 1, 1L);

  @Test
  void loadsTheNativeLibraryAndBeatsAConstantOnAHeldOutFamily() {
    SyntheticSamples.Data data = SyntheticSamples.powerLaw(0.05, 11);
    List<LayerSample> train =
        data.layers().stream().filter(s -> !s.model().startsWith("densenet")).toList();
    List<LayerSample> test =
        data.layers().stream().filter(s -> s.model().startsWith("densenet")).toList();
    XGBoostRegressor xgboost = new XGBoostRegressor(FAST);
    xgboost.fit(train);
    MedianJoules constant = MedianJoules.of(TrainingLayers.byType(train));

    PercentErrors xgb = new PercentErrors();
    PercentErrors median = new PercentErrors();
    for (LayerSample s : test) {
      double predicted = xgboost.predictJoules(s.layerType(), s.features());
      assertThat(predicted).isFinite().isPositive();
      xgb.add(predicted, s.joulesPerInference());
      median.add(constant.of(s.layerType()), s.joulesPerInference());
    }
    assertThat(xgb.rmspe()).isLessThan(median.rmspe() / 3);
    assertThat(xgboost.name()).isEqualTo("xgboost");
  }

  @Test
  void typesTooSmallOrUnseenUseTheModelOfAllTypesAndMissingFeaturesTheMedian() {
    SyntheticSamples.Data data = SyntheticSamples.powerLaw(0.05, 12);
    // The Add layers of one configuration only: fewer than 10.
    List<LayerSample> train =
        data.layers().stream()
            .filter(
                s ->
                    !s.layerType().equals("Add")
                        || s.config().equals("b1_32x32x3") && s.model().equals("resnet50"))
            .toList();
    XGBoostRegressor xgboost = new XGBoostRegressor(FAST);
    xgboost.fit(train);
    Map<String, Double> features = Map.of("batch_size", 2.0, "flops", 1e7, "output_size", 4096.0);
    assertThat(xgboost.predictJoules("Add", features)).isFinite().isPositive();
    assertThat(xgboost.predictJoules("Upsampling", features)).isFinite().isPositive();
    double none = xgboost.predictJoules("Dense", Map.of());
    assertThat(none).isPositive();
    assertThat(xgboost.predictJoules("Dense", Map.of("never_seen", 3.0))).isEqualTo(none);
  }

  @Test
  void predictionsGrowWithFlopsWithinTheTrainingRange() {
    SyntheticSamples.Data data = SyntheticSamples.powerLaw(0.02, 13);
    XGBoostRegressor xgboost = new XGBoostRegressor(FAST);
    xgboost.fit(data.layers());
    LayerSample small =
        data.layers().stream()
            .filter(s -> s.layerType().equals("Convolutional"))
            .min((a, b) -> Double.compare(a.joulesPerInference(), b.joulesPerInference()))
            .orElseThrow();
    LayerSample large =
        data.layers().stream()
            .filter(s -> s.layerType().equals("Convolutional"))
            .max((a, b) -> Double.compare(a.joulesPerInference(), b.joulesPerInference()))
            .orElseThrow();
    assertThat(xgboost.predictJoules("Convolutional", large.features()))
        .isGreaterThan(10 * xgboost.predictJoules("Convolutional", small.features()));
  }
}
