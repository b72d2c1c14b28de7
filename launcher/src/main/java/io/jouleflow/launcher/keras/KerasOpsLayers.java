package io.jouleflow.launcher.keras;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Constant;
import org.tensorflow.op.core.Reshape;
import org.tensorflow.op.core.StridedSlice;
import org.tensorflow.op.math.Maximum;
import org.tensorflow.op.math.Mul;
import org.tensorflow.op.math.RealDiv;
import org.tensorflow.op.math.Sqrt;
import org.tensorflow.op.math.Sub;
import org.tensorflow.types.TFloat32;

/**
 * The layers keras.applications adds to the core set, built with the ops Keras 2 emits for them:
 * Cropping2D (EfficientNet's and NASNet's stem), the preprocessing Normalization, the TFOpLambda
 * layers Keras 2 records for TensorFlow functions called on Keras tensors (MobileNetV3's {@code x +
 * 3.0}, {@code x * (1/6)}), and InceptionResNetV2's registered {@code CustomScaleLayer}.
 */
final class KerasOpsLayers {

  /** Keras' {@code backend.epsilon()}, the floor of Normalization's standard deviation. */
  private static final float EPSILON = 1e-7f;

  /** TFOpLambda functions of one tensor, as the Keras activation computing the same. */
  private static final Map<String, String> UNARY =
      Map.of(
          "nn.relu", "relu",
          "nn.relu6", "relu6",
          "math.sigmoid", "sigmoid",
          "nn.sigmoid", "sigmoid",
          "math.tanh", "tanh",
          "nn.softmax", "softmax");

  /** TFOpLambda functions of two operands, as the TensorFlow op they run. */
  private static final Map<String, String> BINARY =
      Map.of(
          "__operators__.add", "AddV2",
          "math.add", "AddV2",
          "math.subtract", "Sub",
          "math.multiply", "Mul",
          "math.truediv", "RealDiv",
          "math.divide", "RealDiv",
          "math.maximum", "Maximum");

  /** The supported function names, for messages. */
  static final List<String> FUNCTIONS =
      Stream.concat(UNARY.keySet().stream(), BINARY.keySet().stream())
          .sorted()
          .toList();

  private KerasOpsLayers() {}

  /** {@code x[:, top:h-bottom, left:w-right, :]}: one StridedSlice, as Keras' slicing. */
  static Operand<TFloat32> cropping2d(KerasOpsConfig c, KerasOpsScope s, Operand<TFloat32> x) {
    int[] crop = c.cropping();
    Shape shape = x.shape();
    int h = Math.toIntExact(shape.size(1));
    int w = Math.toIntExact(shape.size(2));
    if (crop[0] + crop[1] >= h || crop[2] + crop[3] >= w) {
      throw new IllegalArgumentException(
          "cropping " + Arrays.toString(crop) + " leaves nothing of " + h + "x" + w);
    }
    // Batch and channel axes are taken whole through the masks (bits 0 and 3).
    return StridedSlice.create(
        s.withName("strided_slice"),
        x,
        Constant.vectorOf(s.withName("stack"), new int[] {0, crop[0], crop[2], 0}),
        Constant.vectorOf(s.withName("stack_1"), new int[] {0, h - crop[1], w - crop[3], 0}),
        Constant.vectorOf(s.withName("stack_2"), new int[] {1, 1, 1, 1}),
        StridedSlice.beginMask(9L),
        StridedSlice.endMask(9L));
  }

  /**
   * Keras 2's preprocessing Normalization: {@code (x - mean) / max(sqrt(variance), epsilon)}, or
   * {@code mean + x * max(sqrt(variance), epsilon)} when inverted. Statistics given in the config
   * are constants; absent ones are the layer's weights {@code mean} (zeros) and {@code variance}
   * (ones), as before {@code adapt()}, reshaped to broadcast over the other axes.
   */
  static Operand<TFloat32> normalization(
      KerasOpsConfig c, KerasOpsScope s, Operand<TFloat32> x) {
    int rank = x.shape().numDimensions();
    int[] kept = keptAxes(c, rank);
    int[] broadcast = new int[rank];
    Arrays.fill(broadcast, 1);
    int statistics = 1;
    for (int axis : kept) {
      broadcast[axis] = Math.toIntExact(x.shape().size(axis));
      statistics *= broadcast[axis];
    }
    Operand<TFloat32> mean = statistic(c, s, "mean", 0f, statistics, broadcast);
    Operand<TFloat32> variance = statistic(c, s, "variance", 1f, statistics, broadcast);
    Operand<TFloat32> std =
        Maximum.create(
            s.withName("Maximum"),
            Sqrt.create(s.withName("Sqrt"), variance),
            Constant.scalarOf(s.withName("Maximum_y"), EPSILON));
    if (c.bool("invert", false)) {
      return KerasOps.addV2(s, "add", mean, Mul.create(s.withName("mul"), x, std));
    }
    return RealDiv.create(s.withName("truediv"), Sub.create(s.withName("sub"), x, mean), std);
  }

  /** The axes Normalization keeps statistics for: {@code axis} (int or list), -1 by default. */
  private static int[] keptAxes(KerasOpsConfig c, int rank) {
    JsonNode config = c.layer().config();
    JsonNode axis = config == null ? null : config.get("axis");
    int[] axes;
    if (axis == null) {
      axes = new int[] {-1};
    } else if (axis.isNull()) {
      axes = new int[0]; // one mean and variance for the whole tensor
    } else if (axis.isArray()) {
      axes = c.ints("axis");
    } else {
      axes = new int[] {c.integer("axis", -1)};
    }
    int[] resolved = new int[axes.length];
    for (int i = 0; i < axes.length; i++) {
      resolved[i] = axes[i] < 0 ? axes[i] + rank : axes[i];
      if (resolved[i] <= 0 || resolved[i] >= rank) {
        throw new IllegalArgumentException("axis " + axes[i] + " is no non-batch axis");
      }
    }
    return resolved;
  }

  private static Operand<TFloat32> statistic(
      KerasOpsConfig c, KerasOpsScope s, String name, float initial, int size, int[] broadcast) {
    Operand<TFloat32> vector;
    if (c.has(name)) {
      float[] given = c.numbers(name, initial);
      float[] values = new float[size];
      if (given.length == 1) {
        Arrays.fill(values, given[0]);
      } else if (given.length == size) {
        values = given;
      } else {
        throw new IllegalArgumentException(
            name + " has " + given.length + " values, the normalised axes " + size);
      }
      vector = Constant.vectorOf(s.withName(name), values);
    } else {
      vector = KerasOps.constantWeight(s, name, Shape.of(size), initial);
    }
    return Reshape.create(
        s.withName("Reshape" + (name.equals("mean") ? "" : "_1")),
        vector,
        Constant.vectorOf(s.withName(name.equals("mean") ? "shape" : "shape_1"), broadcast));
  }

  /** InceptionResNetV2's {@code CustomScaleLayer}: {@code inputs[0] + inputs[1] * scale}. */
  static Operand<TFloat32> customScale(
      KerasOpsConfig c, KerasOpsScope s, List<Operand<TFloat32>> in) {
    if (in.size() != 2) {
      throw new IllegalArgumentException("expects two inputs, has " + in.size());
    }
    if (!c.has("scale")) {
      throw new IllegalArgumentException("has no scale");
    }
    Operand<TFloat32> scaled =
        Mul.create(
            s.withName("mul"),
            in.get(1),
            Constant.scalarOf(s.withName("mul_y"), (float) c.number("scale", 1)));
    return KerasOps.addV2(s, "add", in.get(0), scaled);
  }

  /**
   * A TFOpLambda: the TensorFlow function named by {@code function}. A binary function takes its
   * second operand from a second inbound tensor, else from the call's scalar {@code y} (Keras 2
   * keeps it in the call kwargs, which the importer copies to {@code call_kwargs}).
   */
  static Operand<TFloat32> tfOpLambda(
      KerasOpsConfig c, KerasOpsScope s, List<Operand<TFloat32>> in) {
    String function = c.string("function", "");
    String unary = UNARY.get(function);
    if (unary != null) {
      if (in.size() != 1) {
        throw new IllegalArgumentException("expects one input, has " + in.size());
      }
      return KerasOps.activation(s, unary, in.get(0));
    }
    String binary = BINARY.get(function);
    if (binary == null) {
      throw c.unsupported(
          "function " + function + " (supported: " + String.join(", ", FUNCTIONS) + ")");
    }
    Operand<TFloat32> y;
    if (in.size() == 2) {
      y = in.get(1);
    } else if (in.size() == 1) {
      JsonNode kwargs = c.node("call_kwargs");
      JsonNode value = kwargs == null ? null : kwargs.get("y");
      if (value == null || !value.isNumber()) {
        throw c.unsupported(function + " without a tensor or number as its operand y");
      }
      y = Constant.scalarOf(s.withName("y"), (float) value.asDouble());
    } else {
      throw new IllegalArgumentException("expects one or two inputs, has " + in.size());
    }
    Operand<TFloat32> x = in.get(0);
    return switch (binary) {
      case "AddV2" -> KerasOps.addV2(s, "AddV2", x, y);
      case "Sub" -> Sub.create(s.withName("Sub"), x, y);
      case "Mul" -> Mul.create(s.withName("Mul"), x, y);
      case "RealDiv" -> RealDiv.create(s.withName("RealDiv"), x, y);
      case "Maximum" -> Maximum.create(s.withName("Maximum"), x, y);
      default -> throw new IllegalStateException(binary);
    };
  }

}
