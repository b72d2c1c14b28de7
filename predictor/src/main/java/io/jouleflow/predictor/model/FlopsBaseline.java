package io.jouleflow.predictor.model;

import io.jouleflow.predictor.layers.LayerFeatures;
import java.util.Collection;
import java.util.Map;

/**
 * A layer type's energy as a line in its FLOPs, {@code joules = intercept + slope * flops},
 * fitted by least squares on relative residuals (what RMSPE scores), both terms kept >= 0. The
 * forests learn the factor by which a layer differs from this line (log of joules over the line):
 * a tree cannot extrapolate beyond the energies it was trained on, the line can — so a held-out
 * architecture with larger layers than any in training is still predicted in proportion to its
 * work, and the forest adds what the line misses (fixed per-layer costs, memory-bound layers).
 *
 * @param intercept joules of a layer with no FLOPs (fixed costs)
 * @param slope joules per FLOP
 * @param constant the type's median joules, used when the line gives nothing positive
 */
public record FlopsBaseline(double intercept, double slope, double constant) {

  /** Fits the line on rows of one type. */
  static FlopsBaseline fit(Collection<TrainingRows.Row> rows) {
    double[] joules = rows.stream().mapToDouble(TrainingRows.Row::joules).toArray();
    double constant = joules.length == 0 ? 0 : TrainingRows.median(joules);
    // Weighted least squares with weights 1/J^2: minimise sum ((a + b f - J) / J)^2.
    double s00 = 0, s01 = 0, s11 = 0, t0 = 0, t1 = 0;
    for (TrainingRows.Row r : rows) {
      double f = flops(r.features());
      double w = 1 / (r.joules() * r.joules());
      s00 += w;
      s01 += w * f;
      s11 += w * f * f;
      t0 += w * r.joules();
      t1 += w * f * r.joules();
    }
    double det = s00 * s11 - s01 * s01;
    double a = 0;
    double b = 0;
    if (det > 1e-12 * s00 * s11 && det > 0) {
      a = (t0 * s11 - t1 * s01) / det;
      b = (s00 * t1 - s01 * t0) / det;
    }
    if (a < 0 || b < 0 || !Double.isFinite(a) || !Double.isFinite(b)) {
      // One term only: the better of a pure rate and a pure constant, both >= 0.
      double rate = s11 > 0 ? Math.max(0, t1 / s11) : 0;
      double level = s00 > 0 ? Math.max(0, t0 / s00) : 0;
      double errRate = 0;
      double errLevel = 0;
      for (TrainingRows.Row r : rows) {
        double f = flops(r.features());
        errRate += sq((rate * f - r.joules()) / r.joules());
        errLevel += sq((level - r.joules()) / r.joules());
      }
      a = errRate <= errLevel ? 0 : level;
      b = errRate <= errLevel ? rate : 0;
    }
    return new FlopsBaseline(a, b, constant);
  }

  /** The line's joules for a layer; the median when the line gives nothing positive. */
  double joules(Map<String, Double> features) {
    double v = intercept + slope * flops(features);
    return v > 0 && Double.isFinite(v) ? v : Math.max(constant, Double.MIN_NORMAL);
  }

  private static double flops(Map<String, Double> features) {
    Double f = features.get(LayerFeatures.FLOPS);
    return f == null || !(f > 0) ? 0 : f;
  }

  private static double sq(double x) {
    return x * x;
  }
}
