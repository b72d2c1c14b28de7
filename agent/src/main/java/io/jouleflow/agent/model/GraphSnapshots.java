package io.jouleflow.agent.model;

import io.jouleflow.agent.log.AgentLog;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.tensorflow.proto.GraphDef;

/**
 * Copies of graphs the application closed before the worker read them. A batch job or a
 * per-request session runs a graph and closes it within milliseconds, while the worker reads a
 * model's graph (for its name and layers) only when it processes the run, later. So a graph
 * whose sessions ran is "pending" until the worker has read it; if the application closes it
 * while pending, {@link #graphClosing} serializes its GraphDef on the application thread, once,
 * just before TensorFlow frees it. Graphs are held weakly throughout.
 *
 * <p>Graphs known only as C API handles (DJL's TensorFlow engine) are copied when their model is
 * loaded instead, by session: the worker never reads a native handle the application may delete.
 */
public final class GraphSnapshots {

  private final Map<Object, Boolean> pending = Collections.synchronizedMap(new WeakHashMap<>());
  private final Map<Object, Boolean> read = Collections.synchronizedMap(new WeakHashMap<>());
  private final Map<Object, byte[]> copies = Collections.synchronizedMap(new WeakHashMap<>());
  // By session: graphs known only as C API handles (DJL), copied when their model was loaded.
  private final WeakIdentityMap<Object, byte[]> sessionCopies = new WeakIdentityMap<>();
  private volatile boolean failureLogged;

  /** Application thread, at a session's first run: its graph is pending unless already read. */
  public void sessionRan(Object session) {
    Object graph = graphOf(session);
    if (graph != null && !read.containsKey(graph)) {
      pending.putIfAbsent(graph, Boolean.TRUE);
    }
  }

  /**
   * Application thread, on entry of {@code Graph.close()}: copies a pending graph. Never throws;
   * a failure costs one log line (the graph's model then has no layers).
   */
  public void graphClosing(Object graph) {
    if (graph == null || pending.remove(graph) == null) {
      return;
    }
    try {
      Object def = graph.getClass().getMethod("toGraphDef").invoke(graph);
      copies.put(graph, (byte[]) def.getClass().getMethod("toByteArray").invoke(def));
    } catch (Exception | LinkageError e) {
      if (!failureLogged) {
        failureLogged = true;
        AgentLog.warn("could not copy a graph the application closed ("
            + SessionLayers.cause(e) + "); its layers will not be detected");
      }
    }
  }

  /**
   * Application thread, when a model whose graph is a C API handle ({@code TF_Graph}, DJL's
   * TensorFlow engine) was loaded: copies its GraphDef now, while the graph surely lives. Never
   * throws; a failure costs one log line (the model then has no layers).
   */
  public void copyCApiGraph(Object session, Object graph) {
    try {
      sessionCopies.put(session, CApiGraphs.graphDefBytes(graph));
    } catch (Exception | LinkageError e) {
      if (!failureLogged) {
        failureLogged = true;
        AgentLog.warn("could not read the graph of a loaded model through TensorFlow's C API ("
            + SessionLayers.cause(e) + "); its layers will not be detected");
      }
    }
  }

  /** Worker: the copy of a session's graph taken when it was closed (or loaded), or null. */
  public GraphDef copyOf(Object session) {
    byte[] bytes = session == null ? null : sessionCopies.get(session);
    Object graph = bytes != null ? null : graphOf(session);
    bytes = bytes != null ? bytes : graph == null ? null : copies.get(graph);
    if (bytes == null) {
      return null;
    }
    try {
      return GraphDef.parseFrom(bytes);
    } catch (Exception e) {
      return null;
    }
  }

  /** Worker: everything needed from this session's graph has been read; nothing more to copy. */
  public void done(Object session) {
    if (session != null) {
      sessionCopies.remove(session);
    }
    Object graph = graphOf(session);
    if (graph != null) {
      read.put(graph, Boolean.TRUE);
      pending.remove(graph);
      copies.remove(graph);
    }
  }

  /** {@code session.graph()}, or null: see {@link GraphAccess#graphOf}. */
  static Object graphOf(Object session) {
    return GraphAccess.graphOf(session);
  }
}
