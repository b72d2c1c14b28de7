package io.jouleflow.predictor.model;

import java.util.Map;
import java.util.TreeMap;

/**
 * How a model set was carried over to this machine by {@code jouleflow calibrate}: the set it
 * started from (trained on other hardware) and, per layer type, the factor that turns that set's
 * predictions into this machine's in-place measurements of a fixed suite (measured ÷ predicted,
 * over the suite's layers of the type). Types the suite did not measure get the overall factor.
 *
 * @param baseProfile the hardware profile of the set calibrated from
 * @param baseLocation where that set came from ({@code bundled} or its directory)
 * @param suite what was measured, e.g. {@code 8 configurations, 640 layers}
 * @param corrections factor per layer type
 * @param overall the factor over every layer of the suite (measured ÷ predicted whole models)
 */
public record Calibration(
    String baseProfile,
    String baseLocation,
    String suite,
    Map<String, Double> corrections,
    double overall) {

  public Calibration {
    corrections = corrections == null ? Map.of() : Map.copyOf(new TreeMap<>(corrections));
  }

  /** The factor for a layer type. */
  public double factor(String layerType) {
    Double f = corrections.get(layerType);
    return f != null && f > 0 && Double.isFinite(f) ? f : overall > 0 && Double.isFinite(overall) ? overall : 1;
  }
}
