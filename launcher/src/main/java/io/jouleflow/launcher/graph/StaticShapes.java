package io.jouleflow.launcher.graph;

import io.jouleflow.predictor.layers.NodeShapes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorShapeProto;

/**
 * The static shapes TensorFlow's shape inference gives a live graph, and the GraphDef rewrite that
 * makes them concrete: placeholders declared open ({@code [-1, -1, -1, 3]}) pinned to the shape
 * that is fed, so that every shape downstream is known too.
 */
final class StaticShapes {

  private StaticShapes() {}

  /**
   * The shape of every output of every op of {@code graph} (null where the rank is unknown), with
   * {@code batch} for an unknown dimension 0: whatever is still open at dimension 0 downstream of
   * an input is its batch.
   */
  static NodeShapes of(Graph graph, int batch) {
    Map<String, List<long[]>> shapes = new HashMap<>();
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      List<long[]> outputs = new ArrayList<>(op.numOutputs());
      for (int i = 0; i < op.numOutputs(); i++) {
        outputs.add(dims(op.output(i).shape()));
      }
      shapes.put(op.name(), outputs);
    }
    return NodeShapes.of(shapes).withBatch(batch);
  }

  /** The dimensions, -1 where unknown; null for an unknown rank. */
  static long[] dims(Shape shape) {
    return shape == null || shape.isUnknown() ? null : shape.asArray();
  }

  /** {@code graph} with the {@code shape} attribute of the named placeholders set as given. */
  static GraphDef pinned(GraphDef graph, Map<String, long[]> placeholderShapes) {
    GraphDef.Builder builder = graph.toBuilder();
    for (int i = 0; i < builder.getNodeCount(); i++) {
      NodeDef node = builder.getNode(i);
      long[] shape = placeholderShapes.get(node.getName());
      if (shape != null && node.getOp().equals("Placeholder")) {
        TensorShapeProto.Builder proto = TensorShapeProto.newBuilder();
        for (long d : shape) {
          proto.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
        }
        builder.getNodeBuilder(i).putAttr("shape", AttrValue.newBuilder().setShape(proto).build());
      }
    }
    return builder.build();
  }
}
