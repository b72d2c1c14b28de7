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
    return forSession(session, model, new GraphSnapshots());
  }

  /**
   * As {@link #forSession(Object, String)}; a graph the application has closed already is read
   * from the copy {@code snapshots} took when it was closed.
   */
  public static LayerResolver forSession(Object session, String model, GraphSnapshots snapshots) {
    if (session == null) {
      return new ScopeLayers();
    }
    try {
      GraphDef def = graphDefOf(session, snapshots);
      DetectedLayers layers = DetectedLayers.of(def); // a training graph: its forward layers
      AgentLog.info("model \"" + model + "\": " + layers.graph().size() + " layers detected");
      return layers;
    } catch (Exception | LinkageError e) {
      AgentLog.warn("model \"" + model + "\": layers could not be detected (" + cause(e)
          + "); grouping ops by name scope instead");
      return new ScopeLayers();
    }
  }


  /** The live graph's GraphDef, else the copy taken at its close; the live failure otherwise. */
  static GraphDef graphDefOf(Object session, GraphSnapshots snapshots)
      throws ReflectiveOperationException {
    try {
      return GraphAccess.graphDefOf(session);
    } catch (ReflectiveOperationException | RuntimeException e) {
      GraphDef copy = snapshots.copyOf(session); // closed since: its copy, if it ran before
      if (copy == null) {
        throw e;
      }
      return copy;
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
