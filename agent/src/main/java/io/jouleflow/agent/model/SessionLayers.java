package io.jouleflow.agent.model;

import io.jouleflow.agent.log.AgentLog;
import io.jouleflow.predictor.attribution.DetectedLayers;
import io.jouleflow.predictor.attribution.LayerResolver;
import io.jouleflow.predictor.attribution.ScopeLayers;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import org.tensorflow.proto.GraphDef;

/** The layer resolver of an application's session: its graph read through reflection. */
public final class SessionLayers {

  private SessionLayers() {}

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
      DetectedLayers layers = DetectedLayers.of(def); // a training graph: its forward layers
      AgentLog.info("model \"" + model + "\": " + layers.graph().size() + " layers detected");
      return layers;
    } catch (Exception | LinkageError e) {
      AgentLog.warn("model \"" + model + "\": layers could not be detected (" + cause(e)
          + "); grouping ops by name scope instead");
      return new ScopeLayers();
    }
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
