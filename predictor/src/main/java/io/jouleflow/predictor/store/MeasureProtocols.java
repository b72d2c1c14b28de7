package io.jouleflow.predictor.store;

/**
 * How a sample's energy was measured, the {@code protocol} column.
 *
 * <ul>
 *   <li>{@link #IN_PLACE}: the whole model ran, and its measured energy was split over its layers
 *       by traced runs (the agent's attribution); what no layer covers is the model's overhead row.
 *       Layers sum to the whole by construction. The agent observes this way, and {@code measure}
 *       and {@code collect} do by default.
 *   <li>{@link #ISOLATED}: each layer ran alone in a graph of its own (the paper's protocol), paying
 *       TensorFlow's per-run cost once per layer; the sum of layers is not the whole model.
 * </ul>
 */
public final class MeasureProtocols {

  public static final String IN_PLACE = "inplace";
  public static final String ISOLATED = "isolated";

  private MeasureProtocols() {}

  /** The protocol of a row that does not say: agent rows were always in place, collect rows isolated. */
  public static String defaultFor(String origin) {
    return SampleOrigin.AGENT.equals(origin) ? IN_PLACE : ISOLATED;
  }

  /** {@code protocol} if it is one of the two. */
  public static String check(String protocol) {
    if (!IN_PLACE.equals(protocol) && !ISOLATED.equals(protocol)) {
      throw new IllegalArgumentException(
          "protocol must be " + IN_PLACE + " or " + ISOLATED + ", not " + protocol);
    }
    return protocol;
  }
}
