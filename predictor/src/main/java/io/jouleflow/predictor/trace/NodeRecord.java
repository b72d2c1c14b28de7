package io.jouleflow.predictor.trace;

import java.util.List;

/**
 * One executed node of a traced run, from TensorFlow's step stats.
 *
 * @param node node name as executed (Grappler's fused nodes carry the last fused op's name)
 * @param opType op type from the timeline label ({@code _FusedConv2D}, {@code MatMul}, ...)
 * @param device short device name, e.g. {@code cpu:0} or {@code gpu:0}
 * @param startMicros absolute start (microseconds since the epoch, TensorFlow's clock)
 * @param endMicros absolute end
 * @param outputShapes one shape per output; -1 for unknown dimensions
 * @param inputs the node's inputs as its timeline label names them (tells fused nodes apart)
 */
public record NodeRecord(
    String node,
    String opType,
    String device,
    long startMicros,
    long endMicros,
    List<long[]> outputShapes,
    List<String> inputs) {

  /** A node without input names (tests, synthetic traces). */
  public NodeRecord(
      String node, String opType, String device, long startMicros, long endMicros,
      List<long[]> outputShapes) {
    this(node, opType, device, startMicros, endMicros, outputShapes, List.of());
  }

  public long durationMicros() {
    return Math.max(0, endMicros - startMicros);
  }
}
