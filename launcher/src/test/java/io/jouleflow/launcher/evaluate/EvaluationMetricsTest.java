package io.jouleflow.launcher.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.launcher.evaluate.PercentErrors.ErrorSummary;
import org.junit.jupiter.api.Test;

/** RMSPE and the ±10 % share on numbers worked out by hand. */
class EvaluationMetricsTest {

  @Test
  void rmspeIsTheRootMeanSquareOfRelativeErrors() {
    // Relative errors +0.1, -0.1, 0, +0.5: mean square (0.01 + 0.01 + 0 + 0.25) / 4 = 0.0675.
    double rmspe =
        PercentErrors.rmspe(new double[] {110, 90, 100, 150}, new double[] {100, 100, 100, 100});
    assertThat(rmspe).isCloseTo(Math.sqrt(0.0675), within(1e-12)); // 0.2598...
  }

  @Test
  void errorsAreRelativeToTheMeasuredValueNotThePrediction() {
    // Predicting 2 J for 1 J is +100 %; predicting 1 J for 2 J is -50 %.
    assertThat(PercentErrors.rmspe(new double[] {2}, new double[] {1}))
        .isCloseTo(1.0, within(1e-12));
    assertThat(PercentErrors.rmspe(new double[] {1}, new double[] {2}))
        .isCloseTo(0.5, within(1e-12));
  }

  @Test
  void shareWithinTenPercentCountsTheBoundary() {
    PercentErrors errors = new PercentErrors();
    errors.add(110, 100); // exactly +10 %
    errors.add(90, 100); // exactly -10 %
    errors.add(100, 100);
    errors.add(150, 100);
    errors.add(0.0011, 0.001); // +10 % of a small number, after floating point
    assertThat(errors.count()).isEqualTo(5);
    assertThat(errors.shareWithin(0.10)).isCloseTo(0.8, within(1e-12));
    ErrorSummary summary = errors.summary();
    assertThat(summary.count()).isEqualTo(5);
    assertThat(summary.withinTenPercent()).isCloseTo(0.8, within(1e-12));
    // (0.01 + 0.01 + 0 + 0.25 + 0.01) / 5 = 0.056
    assertThat(summary.rmspe()).isCloseTo(Math.sqrt(0.056), within(1e-9));
  }

  @Test
  void measurementsThatAreNotPositiveAreNotScored() {
    PercentErrors errors = new PercentErrors();
    assertThat(errors.add(1, 0)).isFalse();
    assertThat(errors.add(1, Double.NaN)).isFalse();
    assertThat(errors.add(1, -2)).isFalse();
    assertThat(errors.count()).isZero();
    assertThat(errors.rmspe()).isNaN();
    assertThat(errors.shareWithin(0.1)).isNaN();
    assertThat(errors.add(3, 2)).isTrue();
    assertThat(errors.rmspe()).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void aNonFinitePredictionIsABugNotAnError() {
    assertThatThrownBy(() -> new PercentErrors().add(Double.NaN, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void manyErrorsPoolIntoOneRmspe() {
    PercentErrors errors = new PercentErrors();
    for (int i = 0; i < 1000; i++) {
      errors.add(i % 2 == 0 ? 1.2 : 0.8, 1.0);
    }
    assertThat(errors.count()).isEqualTo(1000);
    assertThat(errors.rmspe()).isCloseTo(0.2, within(1e-12));
    assertThat(errors.shareWithin(0.1)).isZero();
  }
}
