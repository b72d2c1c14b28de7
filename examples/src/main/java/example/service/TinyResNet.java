package example.service;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;

/**
 * A small ResNet-style image classifier, written with TensorFlow Java ops under the name scopes
 * Keras would give the same layers ({@code conv2d/Conv2D}, {@code
 * batch_normalization/FusedBatchNormV3}, {@code dense/MatMul}, ...), so the graph reads like one
 * exported from Keras.
 *
 * <p>Layers: conv2d → batch_normalization → activation → max_pooling2d → residual block (conv2d_1,
 * batch_normalization_1, activation_1, conv2d_2, batch_normalization_2, add with the shortcut,
 * activation_2) → global_average_pooling2d → dense → softmax.
 *
 * <p>The weights are constants drawn from {@code java.util.Random(WEIGHT_SEED)} in a fixed order,
 * so every export holds the same model and its outputs are reproducible bit for bit.
 */
public final class TinyResNet {

  public static final String SIGNATURE_KEY = Signature.DEFAULT_KEY;
  public static final String INPUT_KEY = "input";
  public static final String OUTPUT_KEY = "probabilities";

  /** Name of the operation whose output 0 is the signature output. */
  public static final String OUTPUT_OPERATION = "softmax/Softmax";

  public static final int CHANNELS = 3;
  public static final int FILTERS = 16;
  public static final int CLASSES = 10;
  public static final long WEIGHT_SEED = 42L;

  private static final float BATCH_NORM_EPSILON = 1e-3f;

  private final Ops tf;
  private final Random weights = new Random(WEIGHT_SEED);

  private TinyResNet(Ops tf) {
    this.tf = tf;
  }

  /**
   * Exports the model for {@code inputSize x inputSize} RGB inputs as a SavedModel in {@code
   * exportDir}, with the single signature {@value #SIGNATURE_KEY}: {@value #INPUT_KEY} → {@value
   * #OUTPUT_KEY}.
   */
  public static void export(Path exportDir, int inputSize) throws IOException {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Signature signature = build(graph, inputSize);
      SavedModelBundle.exporter(exportDir.toString())
          .withFunction(session.function(signature))
          .export();
    }
  }

  /** Adds the model to {@code graph} and returns its serving signature. */
  public static Signature build(Graph graph, int inputSize) {
    return new TinyResNet(Ops.create(graph)).buildSignature(inputSize);
  }

  private Signature buildSignature(int inputSize) {
    Placeholder<TFloat32> input =
        tf.withName(INPUT_KEY)
            .placeholder(
                TFloat32.class, Placeholder.shape(Shape.of(-1, inputSize, inputSize, CHANNELS)));

    Operand<TFloat32> x = conv2d("conv2d", input, CHANNELS, FILTERS);
    x = batchNormalization("batch_normalization", x, FILTERS);
    x = relu("activation", x);
    Operand<TFloat32> shortcut = maxPooling2d("max_pooling2d", x);

    x = conv2d("conv2d_1", shortcut, FILTERS, FILTERS);
    x = batchNormalization("batch_normalization_1", x, FILTERS);
    x = relu("activation_1", x);
    x = conv2d("conv2d_2", x, FILTERS, FILTERS);
    x = batchNormalization("batch_normalization_2", x, FILTERS);
    x = add("add", x, shortcut);
    x = relu("activation_2", x);

    x = globalAveragePooling2d("global_average_pooling2d", x);
    x = dense("dense", x, FILTERS, CLASSES);
    Operand<TFloat32> probabilities = tf.withSubScope("softmax").withName("Softmax").nn.softmax(x);

    return Signature.builder(SIGNATURE_KEY)
        .methodName("tensorflow/serving/predict")
        .input(INPUT_KEY, input)
        .output(OUTPUT_KEY, probabilities)
        .build();
  }

  /** 3x3 convolution, stride 1, SAME padding, then a bias. */
  private Operand<TFloat32> conv2d(String layer, Operand<TFloat32> x, int inChannels, int filters) {
    Ops scope = tf.withSubScope(layer);
    int fanIn = 3 * 3 * inChannels;
    var kernel =
        scope
            .withName("kernel")
            .constant(
                Shape.of(3, 3, inChannels, filters), heNormal(fanIn, 3 * 3 * inChannels * filters));
    var bias = scope.withName("bias").constant(Shape.of(filters), uniform(filters, 0f, 0.05f));
    var conv = scope.withName("Conv2D").nn.conv2d(x, kernel, Arrays.asList(1L, 1L, 1L, 1L), "SAME");
    return scope.withName("BiasAdd").nn.biasAdd(conv, bias);
  }

  /** Inference-mode batch normalization with fixed moving statistics. */
  private Operand<TFloat32> batchNormalization(String layer, Operand<TFloat32> x, int channels) {
    Ops scope = tf.withSubScope(layer);
    var gamma = scope.withName("gamma").constant(Shape.of(channels), uniform(channels, 1f, 0.1f));
    var beta = scope.withName("beta").constant(Shape.of(channels), uniform(channels, 0f, 0.1f));
    var movingMean =
        scope.withName("moving_mean").constant(Shape.of(channels), uniform(channels, 0f, 0.1f));
    var movingVariance =
        scope.withName("moving_variance").constant(Shape.of(channels), uniform(channels, 1f, 0.2f));
    return scope
        .withName("FusedBatchNormV3")
        .nn
        .fusedBatchNorm(
            x,
            gamma,
            beta,
            movingMean,
            movingVariance,
            FusedBatchNorm.isTraining(false),
            FusedBatchNorm.epsilon(BATCH_NORM_EPSILON),
            FusedBatchNorm.dataFormat("NHWC"))
        .y();
  }

  private Operand<TFloat32> relu(String layer, Operand<TFloat32> x) {
    return tf.withSubScope(layer).withName("Relu").nn.relu(x);
  }

  /**
   * 2x2 max pooling with stride 2, as the {@code MaxPool} op with {@code ksize} and {@code strides}
   * attributes (what Keras produces); {@code tf.nn.maxPool} would build {@code MaxPoolV2}, whose
   * window and strides are constant inputs instead.
   */
  private Operand<TFloat32> maxPooling2d(String layer, Operand<TFloat32> x) {
    var pool =
        tf.withSubScope(layer)
            .scope()
            .opBuilder("MaxPool", "MaxPool")
            .addInput(x.asOutput())
            .setAttr("ksize", new long[] {1, 2, 2, 1})
            .setAttr("strides", new long[] {1, 2, 2, 1})
            .setAttr("padding", "VALID")
            .setAttr("data_format", "NHWC")
            .build();
    return pool.output(0);
  }

  /**
   * Elementwise sum as {@code AddV2}, the op Keras' {@code Add} layer produces; {@code tf.math.add}
   * in TF Java 1.1.0 builds the older {@code Add}.
   */
  private Operand<TFloat32> add(String layer, Operand<TFloat32> a, Operand<TFloat32> b) {
    var sum =
        tf.withSubScope(layer)
            .scope()
            .opBuilder("AddV2", "AddV2")
            .addInput(a.asOutput())
            .addInput(b.asOutput())
            .build();
    return sum.output(0);
  }

  private Operand<TFloat32> globalAveragePooling2d(String layer, Operand<TFloat32> x) {
    Ops scope = tf.withSubScope(layer);
    var axes = scope.withName("reduction_indices").constant(new int[] {1, 2});
    return scope.withName("Mean").math.mean(x, axes);
  }

  private Operand<TFloat32> dense(String layer, Operand<TFloat32> x, int inUnits, int units) {
    Ops scope = tf.withSubScope(layer);
    var kernel =
        scope
            .withName("kernel")
            .constant(Shape.of(inUnits, units), heNormal(inUnits, inUnits * units));
    var bias = scope.withName("bias").constant(Shape.of(units), uniform(units, 0f, 0.05f));
    var matMul = scope.withName("MatMul").linalg.matMul(x, kernel);
    return scope.withName("BiasAdd").nn.biasAdd(matMul, bias);
  }

  /** He-normal initialisation: keeps the activations' scale steady through ReLU layers. */
  private FloatDataBuffer heNormal(int fanIn, int count) {
    double std = Math.sqrt(2.0 / fanIn);
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = (float) (weights.nextGaussian() * std);
    }
    return DataBuffers.of(values, true, false);
  }

  /** Uniform values in {@code [center - spread, center + spread)}. */
  private FloatDataBuffer uniform(int count, float center, float spread) {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = center + spread * (2f * weights.nextFloat() - 1f);
    }
    return DataBuffers.of(values, true, false);
  }
}
