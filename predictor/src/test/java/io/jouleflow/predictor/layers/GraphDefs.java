package io.jouleflow.predictor.layers;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/** Hand-built GraphDefs, node by node, as TensorFlow writes them. */
final class GraphDefs {

  private GraphDefs() {}

  static GraphDef graph(NodeDef... nodes) {
    return GraphDef.newBuilder().addAllNode(List.of(nodes)).build();
  }

  /** A node of float type {@code T}. */
  static Node node(String name, String op, String... inputs) {
    return new Node(name, op)
        .in(inputs)
        .attr("T", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build());
  }

  static NodeDef placeholder(String name, long... shape) {
    return new Node(name, "Placeholder")
        .attr("dtype", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build())
        .attr("shape", AttrValue.newBuilder().setShape(shape(shape)).build())
        .build();
  }

  /** A float constant with a shape and no values (enough for detection). */
  static NodeDef weights(String name, long... shape) {
    TensorProto tensor =
        TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape(shape)).build();
    return constant(name, DataType.DT_FLOAT, tensor);
  }

  static NodeDef scalar(String name, float value) {
    TensorProto tensor =
        TensorProto.newBuilder()
            .setDtype(DataType.DT_FLOAT)
            .setTensorShape(TensorShapeProto.getDefaultInstance())
            .addFloatVal(value)
            .build();
    return constant(name, DataType.DT_FLOAT, tensor);
  }

  /** An int32 constant vector with its values in {@code int_val}. */
  static NodeDef ints(String name, int... values) {
    TensorProto.Builder tensor =
        TensorProto.newBuilder().setDtype(DataType.DT_INT32).setTensorShape(shape(values.length));
    for (int v : values) {
      tensor.addIntVal(v);
    }
    return constant(name, DataType.DT_INT32, tensor.build());
  }

  /** An int32 constant vector with its values in {@code tensor_content}, little-endian. */
  static NodeDef intsAsContent(String name, int... values) {
    ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      bytes.putInt(v);
    }
    TensorProto tensor =
        TensorProto.newBuilder()
            .setDtype(DataType.DT_INT32)
            .setTensorShape(shape(values.length))
            .setTensorContent(ByteString.copyFrom(bytes.array()))
            .build();
    return constant(name, DataType.DT_INT32, tensor);
  }

  private static NodeDef constant(String name, DataType type, TensorProto tensor) {
    return new Node(name, "Const")
        .attr("dtype", AttrValue.newBuilder().setType(type).build())
        .attr("value", AttrValue.newBuilder().setTensor(tensor).build())
        .build();
  }

  static TensorShapeProto shape(long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return shape.build();
  }

  static AttrValue intList(long... values) {
    AttrValue.ListValue.Builder list = AttrValue.ListValue.newBuilder();
    for (long v : values) {
      list.addI(v);
    }
    return AttrValue.newBuilder().setList(list).build();
  }

  static AttrValue string(String value) {
    return AttrValue.newBuilder().setS(ByteString.copyFromUtf8(value)).build();
  }

  /** Shapes from pairs: node name, long[] shape of output 0, ... */
  static NodeShapes shapes(Object... pairs) {
    Map<String, List<long[]>> map = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], List.of((long[]) pairs[i + 1]));
    }
    return NodeShapes.of(map);
  }

  static long[] dims(long... dims) {
    return dims;
  }

  /** A NodeDef under construction. */
  static final class Node {
    private final NodeDef.Builder node;
    private final List<String> inputs = new ArrayList<>();

    Node(String name, String op) {
      node = NodeDef.newBuilder().setName(name).setOp(op);
    }

    Node in(String... names) {
      inputs.addAll(List.of(names));
      return this;
    }

    Node attr(String name, AttrValue value) {
      node.putAttr(name, value);
      return this;
    }

    Node attr(String name, String value) {
      return attr(name, string(value));
    }

    NodeDef build() {
      return node.clone().addAllInput(inputs).build();
    }
  }
}
