package io.jouleflow.launcher.evaluate;

import io.jouleflow.launcher.train.LayerEnergyRegressor;
import io.jouleflow.predictor.store.LayerSample;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The NeuralPower-style baseline (Cai et al. 2017; the paper's "Polynomial Regression"): one
 * polynomial of degree 2 in the layer's raw features per layer type, fitted by least squares.
 *
 * <p>Design. As in NeuralPower the polynomial is in the raw features (batch size, sizes, filters,
 * kernel size, stride, FLOPs, parameters, bytes moved, ...), so a quadratic law is recovered
 * exactly; its terms are a constant, every feature {@code f_j}, every square {@code f_j²} and, with
 * interactions (the default), every product {@code f_j·f_k}. The least squares are on
 * <em>relative</em> residuals, {@code Σ((p(x_i) − y_i) / y_i)²} (weights {@code 1/y²}): the
 * quantity RMSPE scores, and without it the few largest layers would decide the fit. A feature
 * missing from some of a type's samples enters as 0 plus an indicator term that is 1 where it is
 * missing; a feature no training sample of the type has is ignored. Features are scaled by their
 * largest training magnitude before products are formed and every term is scaled to unit root mean
 * square, terms constant at 0 are dropped, and the normal equations with a small ridge term {@code
 * λ·n} are solved by Cholesky ({@link RidgeSolver}).
 *
 * <p>Raw polynomials extrapolate poorly to architectures not trained on (the paper's finding); a
 * prediction is kept within a factor of 10 of the type's training energies, which also keeps it
 * positive. A type with fewer than {@value #MIN_SAMPLES_PER_TYPE} samples, and a type not trained
 * on, uses the polynomial fitted on all types together.
 */
public final class PolynomialRegressor implements LayerEnergyRegressor {

  /** Below this many samples a type uses the polynomial of all types. */
  public static final int MIN_SAMPLES_PER_TYPE = 5;

  /** The default ridge term λ (relative to the number of samples, on unit-scaled terms). */
  public static final double DEFAULT_RIDGE = 1e-7;

  private static final double MARGIN = 10;

  private final boolean interactions;
  private final double ridge;
  private Map<String, Polynomial> byType = Map.of();
  private Polynomial global;
  private MedianJoules medians;

  /** Degree 2 with interaction terms and the default ridge term. */
  public PolynomialRegressor() {
    this(true, DEFAULT_RIDGE);
  }

  /**
   * @param interactions whether the products {@code f_j·f_k} of different features are terms
   * @param ridge λ, relative to the number of samples; must be positive
   */
  public PolynomialRegressor(boolean interactions, double ridge) {
    if (!(ridge > 0)) {
      throw new IllegalArgumentException("ridge must be positive: " + ridge);
    }
    this.interactions = interactions;
    this.ridge = ridge;
  }

  @Override
  public String name() {
    return "polynomial";
  }

  @Override
  public void fit(List<LayerSample> samples) {
    Map<String, List<LayerSample>> groups = TrainingLayers.byType(samples);
    Map<String, Polynomial> fitted = new TreeMap<>();
    groups.forEach(
        (type, group) -> {
          if (group.size() >= MIN_SAMPLES_PER_TYPE) {
            fitted.put(type, Polynomial.fit(group, interactions, ridge));
          }
        });
    global = Polynomial.fit(TrainingLayers.all(groups), interactions, ridge);
    medians = MedianJoules.of(groups);
    byType = fitted;
  }

  @Override
  public double predictJoules(String layerType, Map<String, Double> features) {
    if (medians == null) {
      throw new IllegalStateException(name() + " is not fitted");
    }
    Polynomial polynomial = byType.getOrDefault(layerType, global);
    return medians.orMedian(polynomial.predict(features), layerType);
  }

  /** The fitted polynomial of one group of samples. */
  private record Polynomial(
      String[] features,
      double[] featureScale,
      boolean[] indicator,
      boolean interactions,
      int[] kept,
      double[] termScale,
      double[] beta,
      double minJoules,
      double maxJoules) {

    static Polynomial fit(List<LayerSample> samples, boolean interactions, double ridge) {
      TreeSet<String> names = new TreeSet<>();
      samples.forEach(
          s ->
              s.features()
                  .forEach(
                      (n, v) -> {
                        if (Double.isFinite(v)) {
                          names.add(n);
                        }
                      }));
      String[] features = names.toArray(String[]::new);
      int n = samples.size();
      double[] featureScale = new double[features.length];
      boolean[] indicator = new boolean[features.length];
      for (int j = 0; j < features.length; j++) {
        int present = 0;
        double max = 0;
        for (LayerSample s : samples) {
          double v = TrainingLayers.feature(s.features(), features[j]);
          if (!Double.isNaN(v)) {
            present++;
            max = Math.max(max, Math.abs(v));
          }
        }
        indicator[j] = present < n;
        featureScale[j] = max > 0 ? max : 1;
      }
      // Rows divided by the target: least squares of (p(x)/y − 1) are the relative residuals.
      double[][] rows = new double[n][];
      double minJoules = Double.POSITIVE_INFINITY;
      double maxJoules = 0;
      for (int i = 0; i < n; i++) {
        double y = samples.get(i).joulesPerInference();
        double[] row =
            terms(features, featureScale, indicator, interactions, samples.get(i).features());
        for (int k = 0; k < row.length; k++) {
          row[k] /= y;
        }
        rows[i] = row;
        minJoules = Math.min(minJoules, y);
        maxJoules = Math.max(maxJoules, y);
      }
      int p = rows[0].length;
      double[] rms = new double[p];
      int q = 0;
      for (int k = 0; k < p; k++) {
        double sum = 0;
        for (double[] row : rows) {
          sum += row[k] * row[k];
        }
        rms[k] = Math.sqrt(sum / n);
        q += rms[k] > 0 ? 1 : 0;
      }
      int[] kept = new int[q];
      double[] termScale = new double[q];
      for (int k = 0, c = 0; k < p; k++) {
        if (rms[k] > 0) {
          kept[c] = k;
          termScale[c++] = rms[k];
        }
      }
      double[][] a = new double[q][q];
      double[] b = new double[q];
      double[] x = new double[q];
      for (double[] row : rows) {
        for (int c = 0; c < q; c++) {
          x[c] = row[kept[c]] / termScale[c];
        }
        for (int c = 0; c < q; c++) {
          double xc = x[c];
          b[c] += xc; // the target is 1
          double[] ac = a[c];
          for (int d = 0; d <= c; d++) {
            ac[d] += xc * x[d];
          }
        }
      }
      double[] beta = RidgeSolver.solveLowerSymmetric(a, b, ridge * n);
      return new Polynomial(
          features,
          featureScale,
          indicator,
          interactions,
          kept,
          termScale,
          beta,
          minJoules,
          maxJoules);
    }

    double predict(Map<String, Double> values) {
      double[] row = terms(features, featureScale, indicator, interactions, values);
      double joules = 0;
      for (int c = 0; c < kept.length; c++) {
        joules += beta[c] * row[kept[c]] / termScale[c];
      }
      if (Double.isNaN(joules)) {
        return Double.NaN;
      }
      return Math.max(minJoules / MARGIN, Math.min(maxJoules * MARGIN, joules));
    }

    /** 1, f, missing indicators, f², and f_j·f_k for j < k; features scaled to at most 1. */
    private static double[] terms(
        String[] features,
        double[] featureScale,
        boolean[] indicator,
        boolean interactions,
        Map<String, Double> values) {
      int f = features.length;
      double[] z = new double[f];
      boolean[] missing = new boolean[f];
      for (int j = 0; j < f; j++) {
        double v = TrainingLayers.feature(values, features[j]);
        missing[j] = Double.isNaN(v);
        z[j] = missing[j] ? 0 : v / featureScale[j];
      }
      int indicators = 0;
      for (boolean b : indicator) {
        indicators += b ? 1 : 0;
      }
      double[] row = new double[1 + 2 * f + indicators + (interactions ? f * (f - 1) / 2 : 0)];
      int k = 0;
      row[k++] = 1;
      for (int j = 0; j < f; j++) {
        row[k++] = z[j];
      }
      for (int j = 0; j < f; j++) {
        if (indicator[j]) {
          row[k++] = missing[j] ? 1 : 0;
        }
      }
      for (int j = 0; j < f; j++) {
        row[k++] = z[j] * z[j];
      }
      if (interactions) {
        for (int j = 0; j < f; j++) {
          for (int l = j + 1; l < f; l++) {
            row[k++] = z[j] * z[l];
          }
        }
      }
      return row;
    }
  }
}
