package io.jouleflow.predictor.layers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.NodeOutput;
import org.tensorflow.proto.StepStats;
import org.tensorflow.proto.TensorShapeProto;

/**
 * The shapes of graph node outputs, by static node name and output index. Static shapes carry -1
 * for unknown dimensions (the batch, usually); runtime shapes from step stats carry the real ones.
 */
@FunctionalInterface
public interface NodeShapes {

  /**
   * The shape of output {@code outputIndex} of node {@code nodeName}, or null if unknown (unknown
   * rank included). Dimensions may be -1 where unknown. Callers must not modify the array.
   */
  long[] outputShape(String nodeName, int outputIndex);

  /** No shape known. */
  static NodeShapes none() {
    return (node, index) -> null;
  }

  /**
   * Shapes from a map: node name → shapes of its outputs by index (a null entry is unknown). The
   * map and arrays are copied.
   */
  static NodeShapes of(Map<String, List<long[]>> shapes) {
    Map<String, List<long[]>> copy = new HashMap<>();
    shapes.forEach(
        (node, outputs) -> {
          List<long[]> list = new ArrayList<>(outputs.size());
          for (long[] shape : outputs) {
            list.add(shape == null ? null : shape.clone());
          }
          copy.put(node, list);
        });
    return (node, index) -> {
      List<long[]> outputs = copy.get(node);
      return outputs == null || index < 0 || index >= outputs.size() ? null : outputs.get(index);
    };
  }

  /**
   * The shapes a graph states itself: {@code _output_shapes} attributes (frozen TF1 graphs have
   * them), placeholder {@code shape} attributes, constant values and variable {@code shape}
   * attributes. Graphs from {@code Graph.toGraphDef()} state little beyond constants and
   * placeholders: shapes of a live graph or of a run are better.
   */
  static NodeShapes fromGraphDef(GraphDef graph) {
    Map<String, List<long[]>> shapes = new HashMap<>();
    for (NodeDef node : graph.getNodeList()) {
      AttrValue outputShapes = node.getAttrMap().get("_output_shapes");
      List<long[]> list = new ArrayList<>();
      if (outputShapes != null && outputShapes.getList().getShapeCount() > 0) {
        for (TensorShapeProto shape : outputShapes.getList().getShapeList()) {
          list.add(TensorValues.dims(shape));
        }
      } else {
        long[] own = TensorValues.declaredShape(node);
        if (own != null) {
          list.add(own);
        }
      }
      if (!list.isEmpty()) {
        shapes.put(node.getName(), list);
      }
    }
    return of(shapes);
  }

  /**
   * The output shapes of a traced run ({@code RunMetadata.getStepStats()}), by runtime node name.
   * An executor argument node ({@link ArgumentNode}) also gives the shape of its placeholder.
   * Runtime names differ from static ones where Grappler fused nodes; {@link
   * LayerDetector} fills such gaps from the neighbours of a node.
   */
  static NodeShapes fromStepStats(StepStats stats) {
    Map<String, List<long[]>> shapes = new HashMap<>();
    for (DeviceStepStats device : stats.getDevStatsList()) {
      for (NodeExecStats node : device.getNodeStatsList()) {
        for (NodeOutput output : node.getOutputList()) {
          long[] shape = TensorValues.dims(output.getTensorDescription().getShape());
          put(shapes, node.getNodeName(), output.getSlot(), shape);
          ArgumentNode argument = ArgumentNode.parse(node.getNodeName());
          if (argument != null) {
            put(shapes, argument.placeholder(), argument.output(), shape);
          }
        }
      }
    }
    return of(shapes);
  }

  private static void put(Map<String, List<long[]>> shapes, String node, int slot, long[] shape) {
    List<long[]> list = shapes.computeIfAbsent(node, n -> new ArrayList<>());
    while (list.size() <= slot) {
      list.add(null);
    }
    list.set(slot, shape);
  }

  /** These shapes with {@code batch} in place of an unknown (-1) dimension 0. */
  default NodeShapes withBatch(int batch) {
    if (batch <= 0) {
      throw new IllegalArgumentException("batch must be positive: " + batch);
    }
    NodeShapes base = this;
    return (node, index) -> {
      long[] shape = base.outputShape(node, index);
      if (shape == null || shape.length == 0 || shape[0] != -1) {
        return shape;
      }
      long[] copy = shape.clone();
      copy[0] = batch;
      return copy;
    };
  }

  /** These shapes, and {@code fallback}'s where these are unknown. */
  default NodeShapes orElse(NodeShapes fallback) {
    NodeShapes base = this;
    return (node, index) -> {
      long[] shape = base.outputShape(node, index);
      return shape != null ? shape : fallback.outputShape(node, index);
    };
  }
}
