package io.jouleflow.predictor.attribution;

import io.jouleflow.predictor.layers.LayerDetector;
import io.jouleflow.predictor.layers.LayerGraph;
import io.jouleflow.predictor.layers.NodeShapes;
import io.jouleflow.predictor.layers.RuntimeNodes;
import io.jouleflow.predictor.layers.TrainingGraph;
import io.jouleflow.predictor.layers.TrainingGraph.Role;
import io.jouleflow.predictor.trace.NodeRecord;
import io.jouleflow.predictor.layers.Layer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.StepStats;

/**
 * Layers of a model as the predictor detects them in its graph (Keras scopes, else structure),
 * with traced nodes mapped back to them — Grappler's and oneDNN's fused nodes included — so the
 * agent and the launcher speak of the same layers. The agent builds one per session
 * ({@code SessionLayers}); the launcher one per model it measures in place.
 *
 * <p>In a training graph the layers are those of its forward part ({@link TrainingGraph}): a
 * backward node goes to the layer of the forward node it differentiates, optimizer work to
 * {@link TrainingSteps#OPTIMIZER}, the loss to {@link TrainingSteps#LOSS}.
 */
public final class DetectedLayers implements LayerResolver {

  private final RuntimeNodes runtime;
  private final GraphDef graphDef; // forward part: what layers and features come from
  private final TrainingGraph training; // null: an inference graph
  private final Set<String> lossLayers = new HashSet<>(); // layers holding a loss node

  public DetectedLayers(LayerGraph graph, GraphDef graphDef) {
    this(graph, graphDef, null);
  }

  private DetectedLayers(LayerGraph graph, GraphDef graphDef, TrainingGraph training) {
    this.runtime = new RuntimeNodes(graph);
    this.graphDef = graphDef;
    this.training = training;
    if (training != null) {
      for (Layer layer : graph.layers()) {
        if (layer.nodes().stream().anyMatch(training::isLoss)) {
          lossLayers.add(layer.id());
        }
      }
    }
  }

  /** The layers of a graph, a training graph's found in its forward part. */
  public static DetectedLayers of(GraphDef def) {
    TrainingGraph training = TrainingGraph.of(def);
    GraphDef forward = training.forward();
    LayerGraph graph = LayerDetector.detect(forward, NodeShapes.fromGraphDef(forward));
    return new DetectedLayers(graph, forward, training.isTraining() ? training : null);
  }

  /** The detected layers (static shapes). */
  public LayerGraph graph() {
    return runtime.graph();
  }

  /**
   * The layers again, with the shapes a traced run actually had (the real batch), so their
   * features are those the predictor was trained on. Worker thread; once per model and batch.
   *
   * @param stats the traced run's step stats, as parsed for its node records
   */
  public LayerGraph withRuntimeShapes(StepStats stats) {
    return LayerDetector.detect(graphDef,
        NodeShapes.fromStepStats(stats).orElse(NodeShapes.fromGraphDef(graphDef)));
  }

  @Override
  public List<LayerRef> resolve(List<NodeRecord> nodes) {
    List<LayerRef> out = new ArrayList<>(nodes.size());
    for (NodeRecord n : nodes) {
      if (RuntimeNodes.isExecutorNode(n.node(), n.opType())) {
        out.add(null);
      } else if (training != null) {
        out.add(trainingLayer(n));
      } else {
        out.add(layer(n.node(), n.opType(), n.inputs()));
      }
    }
    return out;
  }

  private LayerRef layer(String node, String opType, List<String> inputs) {
    String id = runtime.layerId(node, opType, inputs);
    if (id == null || id.equals(LayerGraph.UNATTRIBUTED)) {
      return null;
    }
    return new LayerRef(id, runtime.typeOf(id).label());
  }

  /** A node of a training graph: its forward layer, the optimizer, the loss or unknown backward. */
  private LayerRef trainingLayer(NodeRecord n) {
    String node = staticName(n.node());
    Role role = training.role(node);
    if (role == Role.OPTIMIZER || TrainingGraph.isOptimizerOp(n.opType())) {
      return TrainingSteps.OPTIMIZER;
    }
    if (role == Role.BACKWARD || TrainingGraph.isBackwardName(node)) {
      String forward = training.differentiated(node);
      if (forward == null) {
        forward = TrainingGraph.forwardOfName(node);
      }
      LayerRef layer = forward == null ? null : forwardLayer(forward, "", List.of());
      return layer == null ? TrainingSteps.BACKWARD : layer;
    }
    LayerRef layer = forwardLayer(n.node(), n.opType(), n.inputs());
    // A name Grappler made up that no forward layer explains (ConstantFolding/Div_recip) is a
    // backward helper: a training graph's forward part is the model and its loss.
    return layer != null && !layer.id().startsWith("_")
        && runtime.graph().layer(layer.id()).isEmpty() ? TrainingSteps.BACKWARD : layer;
  }

  private LayerRef forwardLayer(String node, String opType, List<String> inputs) {
    if (training.isLoss(node)) {
      return TrainingSteps.LOSS;
    }
    LayerRef layer = layer(node, opType, inputs);
    if (layer == null) {
      return null;
    }
    return lossLayers.contains(layer.id()) ? TrainingSteps.LOSS : layer;
  }

  /** Grappler's stage segments removed ({@code ConstantFolding/gradients/...}). */
  private static String staticName(String runtimeName) {
    int slash = runtimeName.indexOf('/');
    if (slash > 0 && (runtimeName.startsWith("ConstantFolding/")
        || runtimeName.startsWith("ArithmeticOptimizer/"))) {
      return runtimeName.substring(slash + 1);
    }
    return runtimeName;
  }
}
