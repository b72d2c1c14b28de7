package io.jouleflow.launcher.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.launcher.evaluate.EvaluationReport.MethodResult;
import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.SampleOrigin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlopsLinearRegressorTest {

  /** joules = a + b·flops per type. */
  private static final Map<String, double[]> LINES =
      Map.of(
          "Convolutional", new double[] {2e-4, 3e-11},
          "Dense", new double[] {5e-5, 8e-11},
          "Pooling", new double[] {1e-5, 2e-10},
          "Activation", new double[] {2e-5, 1e-9},
          "Normalization", new double[] {3e-5, 6e-10},
          "Add", new double[] {1e-5, 1.2e-9});

  private static SyntheticSamples.Data linear(double noise) {
    return SyntheticSamples.generate(
        SyntheticSamples.MODELS,
        (type, f) -> LINES.get(type)[0] + LINES.get(type)[1] * f.get("flops"),
        noise,
        3);
  }

  @Test
  void recoversTheLinearLawOfEachType() {
    FlopsLinearRegressor regressor = new FlopsLinearRegressor();
    regressor.fit(linear(0).layers());
    for (String type : LINES.keySet()) {
      FlopsLinearRegressor.Line line = regressor.line(type).orElseThrow();
      assertThat(line.intercept())
          .as(type)
          .isCloseTo(LINES.get(type)[0], within(LINES.get(type)[0] * 1e-6));
      assertThat(line.slope())
          .as(type)
          .isCloseTo(LINES.get(type)[1], within(LINES.get(type)[1] * 1e-6));
    }
    assertThat(regressor.name()).isEqualTo("flops-linear");
  }

  @Test
  void predictsHeldOutFamiliesOfALinearLawWithinFivePercent() {
    SyntheticSamples.Data data = linear(0.02);
    EvaluationReport report =
        Evaluation.run(
            Splits.byFamily(SyntheticSamples.MODELS),
            data.layers(),
            data.models(),
            List.of(new FlopsLinearRegressor()),
            line -> {});
    MethodResult result = report.methods().get(0);
    assertThat(result.sumOfLayers().rmspe()).isLessThan(0.05);
    for (String type :
        List.of("Convolutional", "Dense", "Pooling", "Normalization", "Activation")) {
      assertThat(result.rmspe(type)).as(type).isLessThan(0.05);
    }
  }

  @Test
  void aTypeWithOneSampleUsesTheLineOfAllTypes() {
    List<LayerSample> samples =
        new ArrayList<>(
            linear(0).layers().stream().filter(s -> !s.layerType().equals("Add")).toList());
    LayerSample add =
        linear(0).layers().stream()
            .filter(s -> s.layerType().equals("Add"))
            .findFirst()
            .orElseThrow();
    samples.add(add);
    FlopsLinearRegressor regressor = new FlopsLinearRegressor();
    regressor.fit(samples);
    assertThat(regressor.line("Add")).isEmpty();
    assertThat(regressor.line("Convolutional")).isPresent();
    double predicted = regressor.predictJoules("Add", Map.of("flops", 1e6));
    assertThat(predicted).isPositive().isFinite();
    assertThat(regressor.predictJoules("Upsampling", Map.of("flops", 1e6))).isEqualTo(predicted);
  }

  @Test
  void neverPredictsNaNOrNegative() {
    FlopsLinearRegressor regressor = new FlopsLinearRegressor();
    regressor.fit(linear(0.02).layers());
    // No FLOPs: the type's median. A line with a positive intercept evaluated at negative FLOPs
    // (nonsense input) is clamped to 0.
    double median = regressor.predictJoules("Dense", Map.of());
    assertThat(median).isPositive();
    assertThat(regressor.predictJoules("Dense", Map.of("batch_size", 4.0))).isEqualTo(median);
    assertThat(regressor.predictJoules("Dense", Map.of("flops", -1e15))).isZero();
    assertThat(regressor.predictJoules("Dense", Map.of("flops", Double.NaN))).isEqualTo(median);
  }

  @Test
  void samplesWithoutFlopsOrEnergyAreNotTrainedOn() {
    LayerSample a = layer("a1", Map.of("flops", 1e6), 1e-3);
    LayerSample b = layer("a2", Map.of("flops", 3e6), 3e-3);
    LayerSample noFlops = layer("a3", Map.of("batch_size", 1.0), 50);
    LayerSample noEnergy = layer("a4", Map.of("flops", 5e6), Double.NaN);
    FlopsLinearRegressor regressor = new FlopsLinearRegressor();
    regressor.fit(List.of(a, b, noFlops, noEnergy));
    assertThat(regressor.predictJoules("Dense", Map.of("flops", 2e6)))
        .isCloseTo(2e-3, within(1e-12));
  }

  @Test
  void fitNeedsSamplesWithEnergyAndPredictNeedsAFit() {
    FlopsLinearRegressor regressor = new FlopsLinearRegressor();
    assertThatThrownBy(() -> regressor.predictJoules("Dense", Map.of()))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> regressor.fit(List.of(layer("a", Map.of("flops", 1.0), 0))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  static LayerSample layer(String model, Map<String, Double> features, double joules) {
    return new LayerSample(
        SyntheticSamples.T0,
        SyntheticSamples.PROFILE,
        "rapl",
        SampleOrigin.COLLECT,
        model,
        "b1",
        "dense",
        "Dense",
        features,
        1,
        joules,
        Double.NaN,
        1,
        null,
        null);
  }
}
