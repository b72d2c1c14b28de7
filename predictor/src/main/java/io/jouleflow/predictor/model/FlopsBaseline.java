package io.jouleflow.predictor.model;

import io.jouleflow.predictor.layers.LayerFeatures;
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

  /** The line's joules for a layer; the median when the line gives nothing positive. */
  public double joules(Map<String, Double> features) {
    double v = intercept + slope * flops(features);
    return v > 0 && Double.isFinite(v) ? v : Math.max(constant, Double.MIN_NORMAL);
  }

  static double flops(Map<String, Double> features) {
    Double f = features.get(LayerFeatures.FLOPS);
    return f == null || !(f > 0) ? 0 : f;
  }
}
