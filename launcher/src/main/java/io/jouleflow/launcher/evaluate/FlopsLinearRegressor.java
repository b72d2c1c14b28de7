package io.jouleflow.launcher.evaluate;

import io.jouleflow.launcher.train.LayerEnergyRegressor;
import io.jouleflow.predictor.layers.LayerFeatures;
import io.jouleflow.predictor.store.LayerSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The simplest baseline: energy proportional to work, {@code joules = a + b·flops}, one line per
 * layer type.
 *
 * <p>The line is fitted by least squares on <em>relative</em> residuals, {@code Σ((a + b·f − y) /
 * y)²} (weights {@code 1/y²}), the quantity RMSPE scores, so that the many small layers count as
 * much as the few large ones. A type with fewer than 2 samples that have FLOPs, or whose samples
 * all have the same FLOPs, uses the line fitted on all types together. A layer without a {@code
 * flops} feature gets its type's median energy. Predictions are never below 0.
 */
public final class FlopsLinearRegressor implements LayerEnergyRegressor {

  /** A fitted line, {@code joules = intercept + slope·flops}. */
  record Line(double intercept, double slope) {
    double joules(double flops) {
      return intercept + slope * flops;
    }
  }

  private Map<String, Line> lines = Map.of();
  private Line global;
  private MedianJoules medians;

  @Override
  public String name() {
    return "flops-linear";
  }

  @Override
  public void fit(List<LayerSample> samples) {
    Map<String, List<LayerSample>> byType = TrainingLayers.byType(samples);
    Map<String, Line> fitted = new TreeMap<>();
    List<double[]> everything = new ArrayList<>();
    for (Map.Entry<String, List<LayerSample>> entry : byType.entrySet()) {
      List<double[]> points = points(entry.getValue());
      everything.addAll(points);
      Line line = fitLine(points);
      if (line != null) {
        fitted.put(entry.getKey(), line);
      }
    }
    medians = MedianJoules.of(byType);
    Line all = fitLine(everything);
    // No two distinct FLOPs counts anywhere: the best constant for relative errors.
    global = all != null ? all : constant(everything, medians.global());
    lines = fitted;
  }

  @Override
  public double predictJoules(String layerType, Map<String, Double> features) {
    if (medians == null) {
      throw new IllegalStateException(name() + " is not fitted");
    }
    double flops = TrainingLayers.feature(features, LayerFeatures.FLOPS);
    if (Double.isNaN(flops)) {
      return medians.of(layerType);
    }
    double joules = lines.getOrDefault(layerType, global).joules(flops);
    return Double.isFinite(joules) ? Math.max(0, joules) : medians.of(layerType);
  }

  /** The fitted line of a type, or empty where it falls back to the global one (for tests). */
  Optional<Line> line(String layerType) {
    return Optional.ofNullable(lines.get(layerType));
  }

  private static List<double[]> points(List<LayerSample> samples) {
    List<double[]> points = new ArrayList<>();
    for (LayerSample s : samples) {
      double flops = TrainingLayers.feature(s.features(), LayerFeatures.FLOPS);
      if (!Double.isNaN(flops)) {
        points.add(new double[] {flops, s.joulesPerInference()});
      }
    }
    return points;
  }

  /**
   * Weighted least squares with weights {@code 1/y²}; null for fewer than 2 points or no spread in
   * FLOPs.
   */
  static Line fitLine(List<double[]> points) {
    if (points.size() < 2) {
      return null;
    }
    double sw = 0;
    double sx = 0;
    double sy = 0;
    for (double[] p : points) {
      double w = 1 / (p[1] * p[1]);
      sw += w;
      sx += w * p[0];
      sy += w * p[1];
    }
    double mx = sx / sw;
    double my = sy / sw;
    double sxx = 0;
    double sxy = 0;
    for (double[] p : points) {
      double w = 1 / (p[1] * p[1]);
      sxx += w * (p[0] - mx) * (p[0] - mx);
      sxy += w * (p[0] - mx) * (p[1] - my);
    }
    if (!(sxx > 1e-12 * sw * Math.max(1, mx * mx))) {
      return null;
    }
    double slope = sxy / sxx;
    return new Line(my - slope * mx, slope);
  }

  private static Line constant(List<double[]> points, double fallback) {
    double sw = 0;
    double sy = 0;
    for (double[] p : points) {
      sw += 1 / (p[1] * p[1]);
      sy += 1 / p[1];
    }
    return new Line(sw > 0 ? sy / sw : fallback, 0);
  }
}
