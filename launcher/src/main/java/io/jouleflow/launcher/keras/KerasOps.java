package io.jouleflow.launcher.keras;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Scope;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.ClipByValue;
import org.tensorflow.op.core.Constant;
import org.tensorflow.op.core.Fill;
import org.tensorflow.op.core.Identity;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.dtypes.Cast;
import org.tensorflow.op.linalg.Transpose;
import org.tensorflow.op.math.Erf;
import org.tensorflow.op.math.Exp;
import org.tensorflow.op.math.Greater;
import org.tensorflow.op.math.Mul;
import org.tensorflow.op.math.Neg;
import org.tensorflow.op.math.RealDiv;
import org.tensorflow.op.math.Sigmoid;
import org.tensorflow.op.math.Softplus;
import org.tensorflow.op.math.Sub;
import org.tensorflow.op.math.Tanh;
import org.tensorflow.op.nn.Elu;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.op.nn.LogSoftmax;
import org.tensorflow.op.nn.Relu6;
import org.tensorflow.op.nn.Relu;
import org.tensorflow.op.nn.Selu;
import org.tensorflow.op.nn.Softmax;
import org.tensorflow.op.nn.Softsign;
import org.tensorflow.op.random.TruncatedNormal;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The TensorFlow ops Keras layers are made of, named as Keras names them: weights created and
 * initialised inside TensorFlow, the attribute forms of ops TF Java only builds in their V2 form
 * ({@code MaxPool}, {@code Pad}), {@code AddV2}, and Keras' activation functions.
 */
final class KerasOps {

  /** The standard deviation of a unit normal truncated at two standard deviations. */
  private static final double TRUNCATED_STDDEV = 0.87962566103423978;

  private KerasOps() {}

  /**
   * A weight of {@code shape} drawn from a truncated normal with He scaling ({@code sqrt(2 /
   * fanIn)}), as variable {@code <layer>/<name>} with its initializer under {@code
   * <layer>/<name>/Initializer/} and {@code <layer>/<name>/Assign}. Op-level seeds make the values
   * reproducible; {@code seed2} must differ between the weights of one graph.
   */
  static Variable<TFloat32> heNormal(
      KerasOpsScope layer, String name, Shape shape, long fanIn, long seed, long seed2) {
    KerasOpsScope init = layer.withInitScope();
    Variable<TFloat32> variable = Variable.create(init.withName(name), shape, TFloat32.class);
    KerasOpsScope weight = init.withSubScope(name);
    KerasOpsScope initializer = weight.withSubScope("Initializer");
    Operand<TFloat32> unit =
        TruncatedNormal.create(
            initializer.withName("TruncatedNormal"),
            Constant.vectorOf(initializer.withName("shape"), dims(shape)),
            TFloat32.class,
            TruncatedNormal.seed(seed),
            TruncatedNormal.seed2(seed2));
    double stddev = Math.sqrt(2.0 / Math.max(1, fanIn)) / TRUNCATED_STDDEV;
    Operand<TFloat32> value =
        Mul.create(
            initializer.withName("mul"),
            unit,
            Constant.scalarOf(initializer.withName("stddev"), (float) stddev));
    Assign.create(weight.withName("Assign"), variable, value);
    return variable;
  }

  /** A weight of {@code shape} with every element {@code value}; see {@link #heNormal}. */
  static Variable<TFloat32> constantWeight(
      KerasOpsScope layer, String name, Shape shape, float value) {
    KerasOpsScope init = layer.withInitScope();
    Variable<TFloat32> variable = Variable.create(init.withName(name), shape, TFloat32.class);
    KerasOpsScope weight = init.withSubScope(name);
    Operand<TFloat32> filled = fill(weight.withSubScope("Initializer"), shape, value);
    Assign.create(weight.withName("Assign"), variable, filled);
    return variable;
  }

  /**
   * A tensor of {@code shape} filled with {@code value}, built by a {@code Fill} rather than held
   * as a constant: layer detection counts constant tensors as parameters, and Keras does not count
   * the ones it substitutes for absent weights.
   */
  static Operand<TFloat32> fill(Scope scope, Shape shape, float value) {
    return Fill.create(
        scope.withName("Fill"),
        Constant.vectorOf(scope.withName("shape"), dims(shape)),
        Constant.scalarOf(scope.withName("value"), value));
  }

  static int[] dims(Shape shape) {
    int[] dims = new int[shape.numDimensions()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = Math.toIntExact(shape.size(i));
    }
    return dims;
  }

  static List<Long> nhwc(int[] pair) {
    return List.of(1L, (long) pair[0], (long) pair[1], 1L);
  }

  /** {@code MaxPool} or {@code AvgPool} with ksize and strides as attributes, as Keras builds. */
  static Operand<TFloat32> pool(
      Scope scope, String type, Operand<TFloat32> x, int[] size, int[] strides, String padding) {
    Operation op =
        scope
            .opBuilder(type, type)
            .addInput(x.asOutput())
            .setAttr("ksize", new long[] {1, size[0], size[1], 1})
            .setAttr("strides", new long[] {1, strides[0], strides[1], 1})
            .setAttr("padding", padding)
            .setAttr("data_format", "NHWC")
            .build();
    return op.output(0);
  }

  /** {@code Pad} (zeros; TF Java builds {@code PadV2}). */
  static Operand<TFloat32> pad(Scope scope, Operand<TFloat32> x, int[][] paddings) {
    Operand<TInt32> amounts = Constant.tensorOf(scope.withName("paddings"), paddings);
    Operation op =
        scope.opBuilder("Pad", "Pad").addInput(x.asOutput()).addInput(amounts.asOutput()).build();
    return op.output(0);
  }

  /** {@code AddV2}, which Keras emits for {@code +} (TF Java has no wrapper for it). */
  static Operand<TFloat32> addV2(
      Scope scope, String name, Operand<TFloat32> a, Operand<TFloat32> b) {
    Operation op =
        scope.opBuilder("AddV2", name).addInput(a.asOutput()).addInput(b.asOutput()).build();
    return op.output(0);
  }

  static Operand<TFloat32> scalar(Scope scope, float value) {
    return Constant.scalarOf(scope, value);
  }

  /** Whether {@link #activation} knows {@code name}. */
  static boolean knowsActivation(String name) {
    return switch (name) {
      case "linear",
              "relu",
              "relu6",
              "sigmoid",
              "tanh",
              "softmax",
              "log_softmax",
              "elu",
              "selu",
              "softplus",
              "softsign",
              "exponential",
              "swish",
              "silu",
              "hard_sigmoid",
              "hard_swish",
              "hard_silu",
              "gelu",
              "mish",
              "leaky_relu" ->
          true;
      default -> false;
    };
  }

  /**
   * Keras activation {@code name} applied to {@code x} in {@code scope}; {@code x} itself for
   * {@code linear}. Ops carry TensorFlow's names ({@code Relu}, {@code Sigmoid}, {@code mul}), so a
   * Conv2D with relu ends in {@code conv2d/Relu}. Composite functions follow Keras 3: {@code
   * hard_sigmoid} is {@code relu6(x + 3) / 6}, {@code gelu} the exact (erf) form.
   */
  static Operand<TFloat32> activation(Scope scope, String name, Operand<TFloat32> x) {
    return switch (name) {
      case "linear" -> x;
      case "relu" -> Relu.create(scope.withName("Relu"), x);
      case "relu6" -> Relu6.create(scope.withName("Relu6"), x);
      case "sigmoid" -> Sigmoid.create(scope.withName("Sigmoid"), x);
      case "tanh" -> Tanh.create(scope.withName("Tanh"), x);
      case "softmax" -> Softmax.create(scope.withName("Softmax"), x);
      case "log_softmax" -> LogSoftmax.create(scope.withName("LogSoftmax"), x);
      case "elu" -> Elu.create(scope.withName("Elu"), x);
      case "selu" -> Selu.create(scope.withName("Selu"), x);
      case "softplus" -> Softplus.create(scope.withName("Softplus"), x);
      case "softsign" -> Softsign.create(scope.withName("Softsign"), x);
      case "exponential" -> Exp.create(scope.withName("Exp"), x);
      case "leaky_relu" -> LeakyRelu.create(scope.withName("LeakyRelu"), x, LeakyRelu.alpha(0.2f));
      case "swish", "silu" ->
          Mul.create(scope.withName("mul"), x, Sigmoid.create(scope.withName("Sigmoid"), x));
      case "hard_sigmoid" -> hardSigmoid(scope, x);
      case "hard_swish", "hard_silu" -> Mul.create(scope.withName("mul"), x, hardSigmoid(scope, x));
      case "gelu" -> {
        Operand<TFloat32> erf =
            Erf.create(
                scope.withName("Erf"),
                Mul.create(scope.withName("mul"), x, scalar(scope, (float) (1 / Math.sqrt(2)))));
        Operand<TFloat32> onePlus = addV2(scope, "add", erf, scalar(scope, 1f));
        yield Mul.create(
            scope.withName("mul_1"),
            Mul.create(scope.withName("mul_2"), x, scalar(scope, 0.5f)),
            onePlus);
      }
      case "mish" ->
          Mul.create(
              scope.withName("mul"),
              x,
              Tanh.create(scope.withName("Tanh"), Softplus.create(scope.withName("Softplus"), x)));
      default -> throw new IllegalArgumentException("unknown activation " + name);
    };
  }

  private static Operand<TFloat32> hardSigmoid(Scope scope, Operand<TFloat32> x) {
    Operand<TFloat32> shifted = addV2(scope, "add", x, scalar(scope, 3f));
    return RealDiv.create(
        scope.withName("truediv"),
        Relu6.create(scope.withName("Relu6"), shifted),
        scalar(scope, 6f));
  }

  /**
   * Keras' {@code relu(x, negative_slope, max_value, threshold)}: LeakyRelu where only a slope is
   * given, Relu6 for a cap of 6, else Relu with clipping, thresholding and the negative part added
   * as Keras composes them.
   */
  static Operand<TFloat32> relu(
      Scope scope, Operand<TFloat32> x, double slope, Double maxValue, double threshold) {
    if (slope != 0 && maxValue == null && threshold == 0) {
      return LeakyRelu.create(scope.withName("LeakyRelu"), x, LeakyRelu.alpha((float) slope));
    }
    Operand<TFloat32> negative = null;
    if (slope != 0) {
      Operand<TFloat32> flipped = Neg.create(scope.withName("Neg"), x);
      if (threshold != 0) {
        flipped = addV2(scope, "add", flipped, scalar(scope, (float) threshold));
      }
      negative = Relu.create(scope.withName("Relu_1"), flipped);
    }
    boolean clip = maxValue != null;
    Operand<TFloat32> y;
    if (threshold != 0) {
      Operand<TFloat32> above =
          Cast.create(
              scope.withName("Cast"),
              Greater.create(scope.withName("Greater"), x, scalar(scope, (float) threshold)),
              TFloat32.class);
      y = Mul.create(scope.withName("mul"), x, above);
    } else if (maxValue != null && maxValue == 6.0) {
      y = Relu6.create(scope.withName("Relu6"), x);
      clip = false;
    } else {
      y = Relu.create(scope.withName("Relu"), x);
    }
    if (clip) {
      y =
          ClipByValue.create(
              scope.withName("clip_by_value"),
              y,
              scalar(scope, 0f),
              scalar(scope, maxValue.floatValue()));
    }
    if (negative != null) {
      y =
          Sub.create(
              scope.withName("sub"),
              y,
              Mul.create(scope.withName("mul_1"), scalar(scope, (float) slope), negative));
    }
    return y;
  }

  /**
   * Softmax over {@code axis}: the Softmax op, which works on the last axis, with the axis moved
   * there and back where it is another one. (A {@code exp / sum(exp)} form would reduce over inner
   * axes, which layer detection reads as global pooling.)
   */
  static Operand<TFloat32> softmax(Scope scope, Operand<TFloat32> x, int axis) {
    int rank = x.shape().numDimensions();
    int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw new IllegalArgumentException("axis " + axis + " for shape " + x.shape());
    }
    if (a == rank - 1) {
      return Softmax.create(scope.withName("Softmax"), x);
    }
    int[] perm = new int[rank];
    for (int i = 0; i < rank; i++) {
      perm[i] = i;
    }
    perm[a] = rank - 1;
    perm[rank - 1] = a;
    Operand<TInt32> swap = Constant.vectorOf(scope.withName("perm"), perm);
    Operand<TFloat32> moved = Transpose.create(scope.withName("transpose"), x, swap);
    Operand<TFloat32> y = Softmax.create(scope.withName("Softmax"), moved);
    return Transpose.create(scope.withName("transpose_1"), y, swap);
  }

  /** An {@code Identity} named {@code Identity}: keeps a layer that computes nothing visible. */
  static Operand<TFloat32> identity(Scope scope, Operand<TFloat32> x) {
    return Identity.create(scope.withName("Identity"), x);
  }
}
