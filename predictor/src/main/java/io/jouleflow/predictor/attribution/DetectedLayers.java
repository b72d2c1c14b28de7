package io.jouleflow.predictor.attribution;

import io.jouleflow.predictor.layers.LayerDetector;
import io.jouleflow.predictor.layers.LayerGraph;
import io.jouleflow.predictor.layers.NodeShapes;
import io.jouleflow.predictor.layers.RuntimeNodes;
import io.jouleflow.predictor.trace.NodeRecord;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.StepStats;

/**
 * Layers of a model as the predictor detects them in its graph (Keras scopes, else structure),
 * with traced nodes mapped back to them — Grappler's and oneDNN's fused nodes included — so the
 * agent and the launcher speak of the same layers. The agent builds one per session
 * ({@code SessionLayers}); the launcher one per model it measures in place.
 */
public final class DetectedLayers implements LayerResolver {

  private final RuntimeNodes runtime;
  private final GraphDef graphDef;

  public DetectedLayers(LayerGraph graph, GraphDef graphDef) {
    this.runtime = new RuntimeNodes(graph);
    this.graphDef = graphDef;
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
        continue;
      }
      String id = runtime.layerId(n.node(), n.opType(), n.inputs());
      if (id == null || id.equals(LayerGraph.UNATTRIBUTED)) {
        out.add(null);
      } else {
        out.add(new LayerRef(id, runtime.typeOf(id).label()));
      }
    }
    return out;
  }
}
