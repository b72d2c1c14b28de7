package io.jouleflow.predictor.model;

import io.jouleflow.predictor.layers.LayerFeatures;
import java.util.Map;

/**
 * The fallback of a layer type without a forest (too few rows or models, or never seen), and the
 * line under a type's forest. {@code line} is the type's {@link FlopsBaseline} (intercept + slope
 * x FLOPs, fitted on relative error) where it has two rows or more; the rates are medians over the
 * rows (of one type, or of all types for the global rates) of joules ÷ FLOPs, joules ÷ bytes
 * moved and joules per layer; null where no row had that feature above zero.
 *
 * <p>The rule, first that applies: the type's line; otherwise (a type never seen, or seen once) the
 * per-FLOP rate × FLOPs (the type's, else the global one), then per byte moved likewise, then the
 * median joules per layer (the type's, else the global one).
 *
 * @param joulesPerFlop median joules per FLOP
 * @param joulesPerByte median joules per byte moved
 * @param joulesPerLayer median joules per layer
 * @param line the FLOPs line; null with fewer than two rows (and unused for the global rates)
 */
public record FallbackRates(
    Double joulesPerFlop, Double joulesPerByte, Double joulesPerLayer, FlopsBaseline line) {

  /** Rates of no rows: every rate null. */
  public static final FallbackRates NONE = new FallbackRates(null, null, null, null);

  /**
   * The fallback prediction for a layer with {@code features}: these rates (a type's) first, then
   * {@code global}'s, by the rule above.
   */
  static LayerPrediction predict(
      FallbackRates type, FallbackRates global, Map<String, Double> features) {
    // The type's FLOPs line where it has one (two rows or more). A type never seen gets the
    // global median rates, not a line over all types: measured, that predicted whole models worse.
    if (type.line != null) {
      return new LayerPrediction(type.line.joules(features), LayerPrediction.PER_FLOP);
    }
    double flops = features.getOrDefault(LayerFeatures.FLOPS, 0.0);
    double bytes = features.getOrDefault(LayerFeatures.BYTES_MOVED, 0.0);
    if (flops > 0) {
      Double rate = first(type.joulesPerFlop, global.joulesPerFlop);
      if (rate != null) {
        return new LayerPrediction(rate * flops, LayerPrediction.PER_FLOP);
      }
    }
    if (bytes > 0) {
      Double rate = first(type.joulesPerByte, global.joulesPerByte);
      if (rate != null) {
        return new LayerPrediction(rate * bytes, LayerPrediction.PER_BYTE);
      }
    }
    Double perLayer = first(type.joulesPerLayer, global.joulesPerLayer);
    return new LayerPrediction(perLayer == null ? 0 : perLayer, LayerPrediction.PER_LAYER);
  }

  private static Double first(Double a, Double b) {
    return a != null ? a : b;
  }
}
