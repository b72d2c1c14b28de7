package io.jouleflow.launcher.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.SampleOrigin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PolynomialRegressorTest {

  /** A quadratic law in two features: joules = 1e-6 + 2e-9·b·x + 5e-13·x². */
  private static double quadratic(double batch, double x) {
    return 1e-6 + 2e-9 * batch * x + 5e-13 * x * x;
  }

  private static List<LayerSample> quadraticSamples(
      int n, double noise, long seed, double xMin, double xMax) {
    Random random = new Random(seed);
    List<LayerSample> samples = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double batch = 1 << random.nextInt(5);
      double x = Math.exp(Math.log(xMin) + random.nextDouble() * Math.log(xMax / xMin));
      double joules = quadratic(batch, x) * (1 + noise * random.nextGaussian());
      samples.add(
          layer(
              "m" + (i % 7),
              "Dense",
              Map.of("batch_size", batch, "input_size", x, "output_size", 10.0),
              joules));
    }
    return samples;
  }

  @Test
  void fitsAQuadraticLaw() {
    PolynomialRegressor regressor = new PolynomialRegressor();
    regressor.fit(quadraticSamples(400, 0.01, 1, 10, 1e5));
    PercentErrors errors = new PercentErrors();
    for (LayerSample s : quadraticSamples(200, 0, 2, 10, 1e5)) {
      errors.add(regressor.predictJoules("Dense", s.features()), s.joulesPerInference());
    }
    assertThat(errors.rmspe()).isLessThan(0.05);
    assertThat(regressor.name()).isEqualTo("polynomial");
  }

  @Test
  void interactionTermsAreWhatRecoversAProductOfFeatures() {
    // 2e-9·b·x is an interaction term: without interactions the fit must do with b, x, b², x².
    List<LayerSample> train = quadraticSamples(400, 0.0, 3, 10, 1e5);
    List<LayerSample> test = quadraticSamples(200, 0.0, 4, 10, 1e5);
    double[] rmspe = new double[2];
    boolean[] settings = {true, false};
    for (int i = 0; i < 2; i++) {
      PolynomialRegressor regressor = new PolynomialRegressor(settings[i], 1e-9);
      regressor.fit(train);
      PercentErrors errors = new PercentErrors();
      test.forEach(
          s -> errors.add(regressor.predictJoules("Dense", s.features()), s.joulesPerInference()));
      rmspe[i] = errors.rmspe();
    }
    assertThat(rmspe[0]).isLessThan(rmspe[1]);
  }

  @Test
  void powerLawOfHeldOutFamiliesIsPredictedWell() {
    SyntheticSamples.Data data = SyntheticSamples.powerLaw(0.02, 5);
    EvaluationReport report =
        Evaluation.run(
            Splits.byFamily(SyntheticSamples.MODELS),
            data.layers(),
            data.models(),
            List.of(new PolynomialRegressor()),
            line -> {});
    assertThat(report.methods().get(0).sumOfLayers().rmspe()).isLessThan(0.25);
  }

  @Test
  void missingFeaturesAndUnseenTypesNeverGiveNaNOrNegative() {
    List<LayerSample> train = new ArrayList<>(quadraticSamples(100, 0.01, 6, 10, 1e5));
    // Some samples lack output_size: it gets a missing-indicator term.
    train.add(layer("m9", "Dense", Map.of("batch_size", 2.0, "input_size", 300.0), 2e-6));
    train.add(layer("m9", "Dense", Map.of("batch_size", 4.0, "input_size", 900.0), 9e-6));
    train.add(layer("m9", "Pooling", Map.of("batch_size", 4.0), 1e-6));
    PolynomialRegressor regressor = new PolynomialRegressor();
    regressor.fit(train);
    for (Map<String, Double> features :
        List.of(
            Map.<String, Double>of(),
            Map.of("batch_size", 3.0),
            Map.of("input_size", 1e12, "batch_size", 1e6), // far outside the training range
            Map.of("flops", 5e9), // a feature never trained on
            Map.of("batch_size", -1.0, "input_size", 0.0))) {
      for (String type : List.of("Dense", "Pooling", "Upsampling")) {
        double joules = regressor.predictJoules(type, features);
        assertThat(joules).as(type + " " + features).isFinite().isPositive();
      }
    }
    // Extrapolation is kept within a factor 10 of the largest training energy.
    double maxTrain =
        train.stream().mapToDouble(LayerSample::joulesPerInference).max().orElseThrow();
    assertThat(regressor.predictJoules("Dense", Map.of("input_size", 1e12, "batch_size", 1e6)))
        .isLessThanOrEqualTo(maxTrain * 10 * 1.0001);
  }

  @Test
  void ridgeMustBePositiveAndPredictNeedsAFit() {
    assertThatThrownBy(() -> new PolynomialRegressor(true, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PolynomialRegressor().predictJoules("Dense", Map.of()))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void ridgeSolverSolvesASmallSystem() {
    // [[4, 2], [2, 3]] x = [2, 1] → x = [0.5, 0]
    double[] x =
        RidgeSolver.solveLowerSymmetric(new double[][] {{4}, {2, 3}}, new double[] {2, 1}, 1e-12);
    assertThat(x[0]).isCloseTo(0.5, within(1e-9));
    assertThat(x[1]).isCloseTo(0.0, within(1e-9));
    // Singular: the ridge term makes it solvable.
    double[] y =
        RidgeSolver.solveLowerSymmetric(new double[][] {{1}, {1, 1}}, new double[] {1, 1}, 1e-6);
    assertThat(y[0] + y[1]).isCloseTo(1.0, within(1e-4));
  }

  static LayerSample layer(String model, String type, Map<String, Double> features, double joules) {
    return new LayerSample(
        SyntheticSamples.T0,
        SyntheticSamples.PROFILE,
        "rapl",
        SampleOrigin.COLLECT,
        model,
        "b1",
        type.toLowerCase() + features.hashCode(),
        type,
        features,
        1,
        joules,
        Double.NaN,
        1,
        null,
        null);
  }
}
