package io.jouleflow.agent.attribution;

import io.jouleflow.agent.log.AgentLog;
import io.jouleflow.agent.model.GraphAccess;
import io.jouleflow.agent.trace.NodeRecord;
import io.jouleflow.predictor.layers.LayerDetector;
import io.jouleflow.predictor.layers.LayerGraph;
import io.jouleflow.predictor.layers.NodeShapes;
import io.jouleflow.predictor.layers.RuntimeNodes;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.StepStats;

/**
 * Layers of a model as the predictor detects them in its graph (Keras scopes, else structure),
 * with traced nodes mapped back to them — Grappler's and oneDNN's fused nodes included — so the
 * agent and the launcher speak of the same layers.
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

  /**
   * The resolver for a session's model: detected layers of its graph, or name-scope grouping
   * when the graph cannot be read (one log line says why).
   */
  public static LayerResolver forSession(Object session, String model) {
    if (session == null) {
      return new ScopeLayers();
    }
    try {
      GraphDef def = GraphAccess.graphDefOf(session);
      LayerGraph graph = LayerDetector.detect(def, NodeShapes.fromGraphDef(def));
      AgentLog.info("model \"" + model + "\": " + graph.size() + " layers detected");
      return new DetectedLayers(graph, def);
    } catch (Exception | LinkageError e) {
      AgentLog.warn("model \"" + model + "\": layers could not be detected (" + cause(e)
          + "); grouping ops by name scope instead");
      return new ScopeLayers();
    }
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

  /** What went wrong, through the reflection that reached TensorFlow's graph. */
  static String cause(Throwable t) {
    Throwable c = t;
    while ((c instanceof InvocationTargetException || c instanceof UndeclaredThrowableException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getName()
        : c.getClass().getSimpleName() + ": " + c.getMessage();
  }
}
