package io.jouleflow.predictor.model;

/**
 * One layer's predicted energy and how it was found.
 *
 * @param joules predicted joules per inference, never negative or NaN
 * @param method {@link #FOREST} (the type's random forest), {@link #FUSED} (0: the layer runs inside
 *     its producer's kernel, see {@code Fusion}), or a fallback: {@link #PER_FLOP}, {@link
 *     #PER_BYTE}, {@link #PER_LAYER} (see {@link FallbackRates})
 */
public record LayerPrediction(double joules, String method) {

  public static final String FOREST = "forest";
  public static final String PER_FLOP = "per-flop";
  public static final String PER_BYTE = "per-byte";
  public static final String PER_LAYER = "per-layer";
  public static final String FUSED = "fused";
  /** 0: an InputLayer, whose feeding a set that predicts the overhead row counts there. */
  public static final String IN_OVERHEAD = "in-overhead";

  public LayerPrediction {
    if (!(joules >= 0) || Double.isInfinite(joules)) {
      joules = 0; // a NaN feature can reach a rate; the contract says never NaN
    }
  }

  /** Whether the fallback rule, not a forest, gave the joules. */
  public boolean fallback() {
    return !FOREST.equals(method) && !FUSED.equals(method) && !IN_OVERHEAD.equals(method);
  }
}
