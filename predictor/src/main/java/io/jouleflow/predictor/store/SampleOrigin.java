package io.jouleflow.predictor.store;

/**
 * Where a sample comes from, the {@code origin} column: {@link #COLLECT} for the launcher's
 * controlled measurements, {@link #AGENT} for observations of a model in production.
 */
public final class SampleOrigin {

  /** Measured by {@code jouleflow collect}: one sample per model, run configuration and layer. */
  public static final String COLLECT = "collect";

  /** Observed by the agent: one sample per model, configuration, layer and observation window. */
  public static final String AGENT = "agent";

  private SampleOrigin() {}

  /** {@code origin} if it is {@link #COLLECT} or {@link #AGENT}. */
  static String check(String origin) {
    if (!COLLECT.equals(origin) && !AGENT.equals(origin)) {
      throw new IllegalArgumentException(
          "origin must be " + COLLECT + " or " + AGENT + ", not " + origin);
    }
    return origin;
  }
}
