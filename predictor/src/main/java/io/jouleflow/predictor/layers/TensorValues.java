package io.jouleflow.predictor.layers;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/** Reads shapes, dtypes and small integer or scalar values out of TensorFlow protos. */
final class TensorValues {

  private TensorValues() {}

  /** The dimensions of a shape proto; null for an unknown rank. */
  static long[] dims(TensorShapeProto shape) {
    if (shape.getUnknownRank()) {
      return null;
    }
    long[] dims = new long[shape.getDimCount()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = shape.getDim(i).getSize();
    }
    return dims;
  }

  /**
   * The output shape a node states itself: a constant's value shape, a variable's or placeholder's
   * {@code shape} attribute; null otherwise.
   */
  static long[] declaredShape(NodeDef node) {
    AttrValue value = node.getAttrMap().get("value");
    if (value != null && value.hasTensor()) {
      return dims(value.getTensor().getTensorShape());
    }
    AttrValue shape = node.getAttrMap().get("shape");
    if (shape != null && shape.hasShape()) {
      return dims(shape.getShape());
    }
    return null;
  }

  /** The element type of a node's output: its {@code T} or {@code dtype} attribute. */
  static DataType dtype(NodeDef node) {
    AttrValue t = node.getAttrMap().get("T");
    if (t != null && t.getValueCase() == AttrValue.ValueCase.TYPE) {
      return t.getType();
    }
    AttrValue dtype = node.getAttrMap().get("dtype");
    if (dtype != null && dtype.getValueCase() == AttrValue.ValueCase.TYPE) {
      return dtype.getType();
    }
    return DataType.DT_INVALID;
  }

  /** Bytes per element of {@code type}; 4 (float32) where the type is unknown or not numeric. */
  static int byteSize(DataType type) {
    return switch (type) {
      case DT_DOUBLE, DT_INT64, DT_UINT64, DT_COMPLEX64 -> 8;
      case DT_COMPLEX128 -> 16;
      case DT_HALF, DT_BFLOAT16, DT_INT16, DT_UINT16, DT_QINT16, DT_QUINT16 -> 2;
      case DT_INT8, DT_UINT8, DT_QINT8, DT_QUINT8, DT_BOOL -> 1;
      default -> 4;
    };
  }

  /** Whether a tensor of this type holds learned values rather than shapes, axes or indices. */
  static boolean isWeightType(DataType type) {
    return switch (type) {
      case DT_FLOAT,
          DT_DOUBLE,
          DT_HALF,
          DT_BFLOAT16,
          DT_INT8,
          DT_UINT8,
          DT_QINT8,
          DT_QUINT8,
          DT_INT16,
          DT_QINT16,
          DT_QINT32 ->
          true;
      default -> false;
    };
  }

  /** Product of {@code dims[from..]}; -1 if any of them is unknown or the shape is null. */
  static long elements(long[] dims, int from) {
    if (dims == null) {
      return -1;
    }
    long product = 1;
    for (int i = from; i < dims.length; i++) {
      if (dims[i] < 0) {
        return -1;
      }
      product *= dims[i];
    }
    return product;
  }

  /**
   * The integer values of an int32 or int64 constant (window sizes, strides, axes, paddings); null
   * if it holds none. A proto that states fewer values than its shape has elements repeats the last
   * one, as TensorFlow does.
   */
  static long[] integers(TensorProto tensor) {
    long count = elements(dims(tensor.getTensorShape()), 0);
    long[] values;
    if (tensor.getDtype() == DataType.DT_INT32 && tensor.getIntValCount() > 0) {
      values = tensor.getIntValList().stream().mapToLong(Integer::longValue).toArray();
    } else if (tensor.getDtype() == DataType.DT_INT64 && tensor.getInt64ValCount() > 0) {
      values = tensor.getInt64ValList().stream().mapToLong(Long::longValue).toArray();
    } else if (!tensor.getTensorContent().isEmpty()) {
      ByteBuffer bytes =
          tensor.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      if (tensor.getDtype() == DataType.DT_INT32) {
        values = new long[bytes.remaining() / 4];
        for (int i = 0; i < values.length; i++) {
          values[i] = bytes.getInt();
        }
      } else if (tensor.getDtype() == DataType.DT_INT64) {
        values = new long[bytes.remaining() / 8];
        for (int i = 0; i < values.length; i++) {
          values[i] = bytes.getLong();
        }
      } else {
        return null;
      }
    } else {
      return null;
    }
    if (count > values.length && values.length > 0 && count < 1 << 20) {
      long[] filled = new long[(int) count];
      for (int i = 0; i < filled.length; i++) {
        filled[i] = values[Math.min(i, values.length - 1)];
      }
      return filled;
    }
    return values;
  }

  /** The value of a float, double or integer scalar constant; NaN if it is none of those. */
  static double scalar(TensorProto tensor) {
    if (tensor.getFloatValCount() > 0) {
      return tensor.getFloatVal(0);
    }
    if (tensor.getDoubleValCount() > 0) {
      return tensor.getDoubleVal(0);
    }
    ByteBuffer bytes =
        tensor.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    if (tensor.getDtype() == DataType.DT_FLOAT && bytes.remaining() >= 4) {
      return bytes.getFloat();
    }
    if (tensor.getDtype() == DataType.DT_DOUBLE && bytes.remaining() >= 8) {
      return bytes.getDouble();
    }
    long[] ints = integers(tensor);
    return ints != null && ints.length > 0 ? ints[0] : Double.NaN;
  }
}
