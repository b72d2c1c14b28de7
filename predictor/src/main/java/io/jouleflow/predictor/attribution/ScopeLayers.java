package io.jouleflow.predictor.attribution;

import io.jouleflow.predictor.layers.OpKind;
import io.jouleflow.predictor.layers.RuntimeNodes;
import io.jouleflow.predictor.layers.TrainingGraph;
import io.jouleflow.predictor.trace.NodeRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Groups executed nodes into layers by Keras-style name scope: {@code conv2d_3/Conv2D},
 * {@code conv2d_3/BiasAdd} and Grappler's fused {@code conv2d_3/Relu} all belong to layer
 * {@code conv2d_3}; a node without a scope is its own layer. Executor nodes ({@code _SOURCE},
 * {@code _arg_*}, {@code _retval_*}) belong to no layer. A layer's type is that of its strongest
 * op ({@link OpKind#ofRuntimeOp}, the predictor's table).
 *
 * <p>Training work, told by names and op types alone: a backward node whose name says what it
 * differentiates ({@code gradients/conv2d_1/Conv2D_grad/...}) goes to that scope's layer, other
 * backward nodes to {@link TrainingSteps#BACKWARD}, optimizer updates to {@link
 * TrainingSteps#OPTIMIZER}.
 *
 * <p>This is the agent's fallback for a model whose graph cannot be read; {@link DetectedLayers}
 * is the rule otherwise.
 */
public final class ScopeLayers implements LayerResolver {

  // Layer id -> strongest op kind seen so far; a layer's type is fixed by its strongest op.
  private final Map<String, OpKind> kinds = new HashMap<>();

  @Override
  public List<LayerRef> resolve(List<NodeRecord> nodes) {
    for (NodeRecord n : nodes) {
      String layer = pseudoLayer(n) == null ? layerOf(n) : null;
      if (layer != null && !TrainingGraph.isBackwardName(n.node())) {
        kinds.merge(layer, OpKind.ofRuntimeOp(n.opType()), ScopeLayers::stronger);
      }
    }
    List<LayerRef> out = new ArrayList<>(nodes.size());
    for (NodeRecord n : nodes) {
      LayerRef pseudo = pseudoLayer(n);
      String layer = pseudo == null ? layerOf(n) : null;
      out.add(pseudo != null ? pseudo
          : layer == null ? null
          : new LayerRef(layer, kinds.getOrDefault(layer, OpKind.OTHER).type().label()));
    }
    return out;
  }

  /** The layer a node belongs to, or null for an executor node ({@link RuntimeNodes}' rule). */
  public static String layerOf(NodeRecord node) {
    if (RuntimeNodes.isExecutorNode(node.node(), node.opType())) {
      return null;
    }
    String name = node.node();
    String forward = TrainingGraph.forwardOfName(name);
    if (forward != null) {
      name = forward; // gradients/conv2d_1/Conv2D_grad/... trains conv2d_1
    }
    int slash = name.indexOf('/');
    return slash > 0 ? name.substring(0, slash) : name;
  }

  /** Optimizer updates, and backward nodes whose name does not say what they differentiate. */
  private static LayerRef pseudoLayer(NodeRecord n) {
    if (TrainingGraph.isOptimizerOp(n.opType())) {
      return TrainingSteps.OPTIMIZER;
    }
    if (TrainingGraph.isBackwardName(n.node()) && TrainingGraph.forwardOfName(n.node()) == null) {
      return TrainingSteps.BACKWARD;
    }
    return null;
  }

  private static OpKind stronger(OpKind a, OpKind b) {
    return b.rank() > a.rank() ? b : a;
  }
}
