package io.jouleflow.predictor.layers;

import io.jouleflow.predictor.layers.GraphIndex.Ref;
import io.jouleflow.predictor.layers.GraphIndex.Use;
import org.tensorflow.proto.NodeDef;

/**
 * Output shapes of static nodes: the given {@link NodeShapes}, else what a node declares itself
 * (constants, variables, placeholders), else the shape of a neighbour that an element-wise op
 * passes on unchanged. The last matters for runtime shapes: Grappler fuses Conv2D+BiasAdd+Relu into
 * one node named after the Relu, so the Conv2D's shape comes from there.
 */
final class ShapeResolver {

  private static final int MAX_HOPS = 32;

  private final GraphIndex index;
  private final NodeShapes shapes;

  ShapeResolver(GraphIndex index, NodeShapes shapes) {
    this.index = index;
    this.shapes = shapes;
  }

  long[] shape(Ref ref) {
    return ref == null ? null : shape(ref.node(), ref.output());
  }

  /** The shape of output {@code output} of {@code node}; null if unknown. */
  long[] shape(String node, int output) {
    long[] direct = direct(node, output);
    if (direct != null || output != 0) {
      return direct;
    }
    long[] before = backward(node, 0);
    return before != null ? before : forward(node, 0);
  }

  private long[] direct(String node, int output) {
    NodeDef def = index.node(node);
    // A variable handle's own output is a scalar resource; its declared shape is the weight's.
    if (def != null && output == 0 && OpKind.WEIGHT_SOURCES.contains(def.getOp())) {
      long[] declared = TensorValues.declaredShape(def);
      if (declared != null) {
        return declared;
      }
    }
    long[] given = shapes.outputShape(node, output);
    if (given != null) {
      return given;
    }
    return def == null || output != 0 ? null : TensorValues.declaredShape(def);
  }

  private long[] backward(String node, int hops) {
    long[] direct = direct(node, 0);
    if (direct != null || hops > MAX_HOPS) {
      return direct;
    }
    Ref main;
    if (OpKind.READS.contains(index.op(node)) && !index.inputs(node).isEmpty()) {
      main = index.inputs(node).get(0);
    } else if (OpKind.preservesShape(index, node)) {
      main = index.mainInput(node);
    } else {
      return null;
    }
    return main == null || main.output() != 0 ? null : backward(main.node(), hops + 1);
  }

  private long[] forward(String node, int hops) {
    long[] direct = direct(node, 0);
    if (direct != null || hops > MAX_HOPS) {
      return direct;
    }
    for (Use use : index.uses(node)) {
      Ref main = index.mainInput(use.consumer());
      if (use.output() == 0
          && OpKind.preservesShape(index, use.consumer())
          && main != null
          && main.node().equals(node)
          && main.output() == 0) {
        long[] after = forward(use.consumer(), hops + 1);
        if (after != null) {
          return after;
        }
      }
    }
    return null;
  }
}
