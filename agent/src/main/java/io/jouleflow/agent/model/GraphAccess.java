package io.jouleflow.agent.model;

import com.google.protobuf.InvalidProtocolBufferException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.tensorflow.proto.GraphDef;

/**
 * Reads the GraphDef of a live {@code org.tensorflow.Session} by reflection (the agent has no
 * TensorFlow API classes, only TensorFlow's proto messages). Worker thread only, but for {@link
 * #graphOf}: serializing a graph with inlined constants takes a few hundred milliseconds the
 * first time. Works on TensorFlow Java 1.x and 0.x alike: the graph is read through its public
 * methods, the GraphDef as bytes (0.x's proto classes live in another package).
 */
public final class GraphAccess {

  private GraphAccess() {}

  /**
   * The graph's structure without its weights: one line {@code name|op|input,input} per
   * operation, data inputs as {@code producer} or {@code producer:index}. Walks {@code
   * Graph.operations()}, so no serialized copy of the constants is made.
   */
  public static List<String> structureOf(Object session) throws ReflectiveOperationException {
    Object graph = requireGraph(session);
    Iterator<?> ops = (Iterator<?>) graph.getClass().getMethod("operations").invoke(graph);
    List<String> lines = new ArrayList<>();
    while (ops.hasNext()) {
      Object op = ops.next();
      Class<?> c = op.getClass();
      StringBuilder line = new StringBuilder();
      line.append(c.getMethod("name").invoke(op)).append('|').append(c.getMethod("type").invoke(op))
          .append('|');
      int inputs = (Integer) c.getMethod("numInputs").invoke(op);
      for (int i = 0; i < inputs; i++) {
        Object output = c.getMethod("input", int.class).invoke(op, i);
        Object producer = output.getClass().getMethod("op").invoke(output);
        int index = (Integer) output.getClass().getMethod("index").invoke(output);
        if (i > 0) {
          line.append(',');
        }
        line.append(producer.getClass().getMethod("name").invoke(producer));
        if (index > 0) {
          line.append(':').append(index);
        }
      }
      lines.add(line.toString());
    }
    return lines;
  }

  /**
   * {@code session.graph().toGraphDef()}, parsed with the agent's copy of the proto classes. It
   * copies the graph's constants (weights of frozen graphs): called once per model.
   */
  public static GraphDef graphDefOf(Object session) throws ReflectiveOperationException {
    Object graph = requireGraph(session);
    Object graphDef = graph.getClass().getMethod("toGraphDef").invoke(graph);
    byte[] bytes = (byte[]) graphDef.getClass().getMethod("toByteArray").invoke(graphDef);
    try {
      return GraphDef.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new ReflectiveOperationException("unparseable GraphDef: " + e.getMessage(), e);
    }
  }

  /**
   * {@code session.graph()}, or null (no session, or its graph cannot be reached). TensorFlow
   * Java 1.x has a public {@code graph()}; 0.x's is package-private, so it is made accessible
   * (an application on the class path, as TensorFlow Java's are; on the module path it stays
   * closed and the graph unread).
   */
  public static Object graphOf(Object session) {
    if (session == null) {
      return null;
    }
    try {
      Method m = GRAPH.get(session.getClass());
      return m == null ? null : m.invoke(session);
    } catch (Exception | LinkageError e) {
      return null;
    }
  }

  private static Object requireGraph(Object session) throws ReflectiveOperationException {
    Method m = GRAPH.get(session.getClass());
    if (m == null) {
      throw new NoSuchMethodException(session.getClass().getName() + ".graph() (not accessible)");
    }
    return m.invoke(session);
  }

  // In a ClassValue of TensorFlow's Session class: it goes away with TensorFlow's class loader.
  private static final ClassValue<Method> GRAPH = new ClassValue<>() {
    @Override
    protected Method computeValue(Class<?> type) {
      try {
        return type.getMethod("graph");
      } catch (NoSuchMethodException notPublic) {
        try {
          Method m = type.getDeclaredMethod("graph");
          m.setAccessible(true);
          return m;
        } catch (NoSuchMethodException | RuntimeException e) {
          return null; // InaccessibleObjectException: a named module that does not open it
        }
      }
    }
  };
}
