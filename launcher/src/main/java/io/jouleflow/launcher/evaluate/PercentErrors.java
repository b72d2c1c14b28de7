package io.jouleflow.launcher.evaluate;

import java.util.Arrays;

/**
 * Relative errors {@code (predicted − actual) / actual} of one set of predictions, pooled as they
 * are added, and the paper's metric over them: RMSPE = √(mean of the squared relative errors). Also
 * the share of predictions within a tolerance (±10 % in the report).
 *
 * <p>A measured value that is not a finite positive number has no relative error; {@link #add}
 * skips it and says so.
 */
public final class PercentErrors {

  /** The tolerance of the report's accuracy column: ±10 %. */
  public static final double TEN_PERCENT = 0.10;

  private double[] errors = new double[16];
  private int count;

  /**
   * Adds one prediction.
   *
   * @return false (and nothing added) if {@code actual} is not a finite positive number
   * @throws IllegalArgumentException if {@code predicted} is not finite (a regressor's bug)
   */
  public boolean add(double predicted, double actual) {
    if (!Double.isFinite(predicted)) {
      throw new IllegalArgumentException("prediction is not a finite number: " + predicted);
    }
    if (!(Double.isFinite(actual) && actual > 0)) {
      return false;
    }
    if (count == errors.length) {
      errors = Arrays.copyOf(errors, count * 2);
    }
    errors[count++] = (predicted - actual) / actual;
    return true;
  }

  /** How many predictions were added. */
  public int count() {
    return count;
  }

  /** √(mean((predicted − actual) / actual)²), as a fraction (0.1226 for 12.26 %); NaN if none. */
  public double rmspe() {
    if (count == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (int i = 0; i < count; i++) {
      sum += errors[i] * errors[i];
    }
    return Math.sqrt(sum / count);
  }

  /** The share of predictions with |relative error| ≤ {@code tolerance}, 0..1; NaN if none. */
  public double shareWithin(double tolerance) {
    if (count == 0) {
      return Double.NaN;
    }
    int within = 0;
    for (int i = 0; i < count; i++) {
      // A hair of slack so that a prediction of exactly ±10 % counts despite rounding.
      within += Math.abs(errors[i]) <= tolerance + 1e-12 ? 1 : 0;
    }
    return (double) within / count;
  }

  /** Count, RMSPE and the share within ±10 %. */
  public ErrorSummary summary() {
    return new ErrorSummary(count, rmspe(), shareWithin(TEN_PERCENT));
  }

  /** RMSPE of paired arrays (pairs whose actual value is not finite and positive are skipped). */
  public static double rmspe(double[] predicted, double[] actual) {
    if (predicted.length != actual.length) {
      throw new IllegalArgumentException(
          predicted.length + " predictions for " + actual.length + " measurements");
    }
    PercentErrors errors = new PercentErrors();
    for (int i = 0; i < predicted.length; i++) {
      errors.add(predicted[i], actual[i]);
    }
    return errors.rmspe();
  }

  /**
   * One row's worth of a metric.
   *
   * @param count predictions scored
   * @param rmspe RMSPE as a fraction, NaN if none
   * @param withinTenPercent share of predictions within ±10 %, 0..1, NaN if none
   */
  public record ErrorSummary(int count, double rmspe, double withinTenPercent) {
    /** Nothing scored. */
    public static final ErrorSummary NONE = new ErrorSummary(0, Double.NaN, Double.NaN);
  }
}
