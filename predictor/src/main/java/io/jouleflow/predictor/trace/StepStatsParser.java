package io.jouleflow.predictor.trace;

import io.jouleflow.predictor.layers.RuntimeNodes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.NodeOutput;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.StepStats;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Turns the serialized RunMetadata of a traced run into its step stats and {@link NodeRecord}s.
 * Runs on the worker thread only. The proto classes are TensorFlow's own, relocated into the
 * agent jar.
 */
public final class StepStatsParser {

  private static final Pattern DEVICE = Pattern.compile("device:([A-Za-z_]+):(\\d+)");

  private StepStatsParser() {}

  /**
   * The step stats of a serialized RunMetadata message, parsed once per traced run for both the
   * node records ({@link #nodes}) and the runtime shapes; malformed bytes yield an
   * IllegalArgumentException.
   */
  public static StepStats stepStats(byte[] runMetadata) {
    try {
      return RunMetadata.parseFrom(runMetadata).getStepStats();
    } catch (Exception e) {
      throw new IllegalArgumentException("unparseable RunMetadata: " + e.getMessage(), e);
    }
  }

  /** The executed nodes of a traced run's step stats. */
  public static List<NodeRecord> nodes(StepStats stats) {
    List<DeviceStepStats> devices = stats.getDevStatsList();
    // On GPUs, FULL_TRACE reports each kernel twice: the host-side launch under the device and
    // the kernel itself under ".../stream:all". Where a stream:all view exists, only it counts.
    List<String> streamAll = new ArrayList<>();
    for (DeviceStepStats d : devices) {
      if (d.getDevice().endsWith("/stream:all")) {
        streamAll.add(shortDevice(d.getDevice()));
      }
    }
    List<NodeRecord> out = new ArrayList<>();
    for (DeviceStepStats d : devices) {
      String full = d.getDevice();
      String device = shortDevice(full);
      boolean isStreamAll = full.endsWith("/stream:all");
      if (!isStreamAll && (streamAll.contains(device) || full.contains("/stream") || full.contains("memcpy"))) {
        continue;
      }
      for (NodeExecStats n : d.getNodeStatsList()) {
        out.add(toRecord(n, device));
      }
    }
    return out;
  }

  static NodeRecord toRecord(NodeExecStats n, String device) {
    long base = n.getAllStartMicros();
    long start = base + n.getOpStartRelMicros();
    long end = base + n.getOpEndRelMicros();
    if (n.getOpEndRelMicros() <= 0) {
      start = base;
      end = base + n.getAllEndRelMicros();
    }
    List<long[]> shapes = new ArrayList<>(n.getOutputCount());
    for (NodeOutput o : n.getOutputList()) {
      TensorShapeProto shape = o.getTensorDescription().getShape();
      long[] dims = new long[shape.getDimCount()];
      for (int i = 0; i < dims.length; i++) {
        dims[i] = shape.getDim(i).getSize();
      }
      shapes.add(dims);
    }
    return new NodeRecord(n.getNodeName(), opType(n), device, start, Math.max(start, end), shapes,
        RuntimeNodes.inputs(n.getTimelineLabel()));
  }

  /** The op type from a timeline label {@code "name = OpType(inputs)"}; the node name otherwise. */
  static String opType(NodeExecStats n) {
    String op = RuntimeNodes.opType(n.getTimelineLabel());
    return op == null || op.isEmpty() ? n.getNodeName() : op;
  }

  /** {@code /job:localhost/replica:0/task:0/device:CPU:0} becomes {@code cpu:0}. */
  public static String shortDevice(String device) {
    Matcher m = DEVICE.matcher(device);
    if (m.find()) {
      return m.group(1).toLowerCase(Locale.ROOT) + ":" + m.group(2);
    }
    return device.isEmpty() ? "unknown" : device.toLowerCase(Locale.ROOT);
  }

}
