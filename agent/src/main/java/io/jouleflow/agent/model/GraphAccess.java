package io.jouleflow.agent.model;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.tensorflow.proto.GraphDef;

/**
 * Reads the GraphDef of a live {@code org.tensorflow.Session} by reflection (the agent has no
 * TensorFlow API classes, only TensorFlow's proto messages). Worker thread only: serializing a
 * graph with inlined constants takes a few hundred milliseconds the first time.
 */
public final class GraphAccess {

  private GraphAccess() {}

  /**
   * The graph's structure without its weights: one line {@code name|op|input,input} per
   * operation, data inputs as {@code producer} or {@code producer:index}. Walks {@code
   * Graph.operations()}, so no serialized copy of the constants is made.
   */
  public static List<String> structureOf(Object session) throws ReflectiveOperationException {
    Object graph = session.getClass().getMethod("graph").invoke(session);
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
    Object graph = session.getClass().getMethod("graph").invoke(session);
    Object graphDef = graph.getClass().getMethod("toGraphDef").invoke(graph);
    byte[] bytes = (byte[]) graphDef.getClass().getMethod("toByteArray").invoke(graphDef);
    try {
      return GraphDef.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new ReflectiveOperationException("unparseable GraphDef: " + e.getMessage(), e);
    }
  }
}
