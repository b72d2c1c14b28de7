package io.jouleflow.launcher.zoo;

import io.jouleflow.predictor.keras.KerasModel;
import java.util.Random;

/**
 * Random Keras architectures for training data beyond the zoo: layer types, channel counts, kernel
 * sizes, strides and paddings are sampled, branches are merged (Add, Multiply, Concatenate), and
 * shapes are tracked so that every model is valid: the spatial size never drops below 1, merges
 * only join tensors of equal shape, and no layer grows an activation beyond 2^22 elements per
 * example (except a convolution's minimum of 8 channels on a large input).
 *
 * <p>A model has {@value #MIN_LAYERS} to {@value #MAX_LAYERS} layers (InputLayer included), and
 * always ends in GlobalAveragePooling2D or Flatten followed by a Dense classifier (softmax). The
 * same seed and input size give the same model on every JVM ({@link java.util.Random}'s algorithm
 * is specified); the model is named {@code random_<seed>}, its layers get Keras' automatic names.
 */
public final class RandomArchitectures {

  /** Fewest layers in a generated model, the InputLayer included. */
  public static final int MIN_LAYERS = 5;

  /** Most layers in a generated model, the InputLayer included. */
  public static final int MAX_LAYERS = 60;

  /** Largest activation, in elements per example, a generated layer may produce. */
  static final int MAX_ELEMENTS = 1 << 22;

  /** Largest activation that may be flattened into the classifier (keeps Dense kernels sane). */
  private static final int MAX_FLATTEN = 1 << 14;

  /** Largest height:width (or width:height) ratio a Reshape may create. */
  private static final int MAX_ASPECT = 4;

  private static final int[] CHANNELS = {8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512};
  private static final String[] ACTIVATIONS = {"relu", "sigmoid", "tanh", "swish", "elu"};
  private static final String[] CONV_ACTIVATIONS = {"linear", "linear", "relu", "relu", "swish"};
  private static final int[] CLASSES = {10, 100, 1000};

  private RandomArchitectures() {}

  /** A random architecture for {@code inputSize x inputSize x 3} inputs. */
  public static KerasModel generate(long seed, int inputSize) {
    if (inputSize < 1) {
      throw new IllegalArgumentException("input size must be positive: " + inputSize);
    }
    Random random = new Random(seed);
    int target = MIN_LAYERS + random.nextInt(MAX_LAYERS - MIN_LAYERS + 1);
    ModelBuilder b = new ModelBuilder("random_" + seed);
    String x = b.input(inputSize, inputSize, 3);
    int bodyEnd = target - 2; // the head adds pooling/flatten and the classifier
    if (b.size() < bodyEnd && random.nextInt(4) == 0) {
      x = b.rescaling(null, 1.0 / 255.0, 0.0, x);
    }
    while (b.size() < bodyEnd) {
      x = step(b, random, x, bodyEnd - b.size(), inputSize);
    }
    int elements = b.height(x) * b.width(x) * b.channels(x);
    x =
        elements <= MAX_FLATTEN && random.nextBoolean()
            ? b.flatten(null, x)
            : b.globalAvgPool(null, false, x);
    b.dense(null, CLASSES[random.nextInt(CLASSES.length)], "softmax", true, x);
    return b.build();
  }

  /** Adds one to three layers after {@code x} (never more than {@code room}); returns the last. */
  private static String step(ModelBuilder b, Random random, String x, int room, int inputSize) {
    while (true) {
      int kind = random.nextInt(16);
      String next =
          switch (kind) {
            case 0, 1, 2 -> conv(b, random, x);
            case 3 -> depthwise(b, random, x);
            case 4 -> separable(b, random, x);
            case 5 -> pool(b, random, x);
            case 6 -> b.batchNorm(null, x);
            case 7 -> b.activation(null, pick(random, ACTIVATIONS), x);
            case 8 -> b.relu(null, random.nextBoolean() ? 6.0 : null, x);
            case 9 -> b.dropout(null, (1 + random.nextInt(5)) / 10.0, x);
            case 10 -> padding(b, random, x);
            case 11 -> upsampling(b, random, x, inputSize);
            case 12 -> reshape(b, random, x);
            case 13 -> room >= 3 ? residual(b, random, x) : null;
            case 14 -> room >= 2 ? gate(b, random, x) : null;
            default -> room >= 3 ? inception(b, random, x) : null;
          };
      if (next != null) {
        return next;
      }
    }
  }

  private static String conv(ModelBuilder b, Random random, String x) {
    int kernel = fittingKernel(b, random, x, new int[] {1, 3, 3, 5, 7});
    int stride = strideFor(b, random, x);
    String padding = paddingFor(b, random, x, kernel, stride);
    int filters = channelsFor(b, random, x, stride);
    String activation = pick(random, CONV_ACTIVATIONS);
    return b.conv2d(null, filters, kernel, stride, padding, random.nextBoolean(), activation, x);
  }

  private static String depthwise(ModelBuilder b, Random random, String x) {
    int kernel = fittingKernel(b, random, x, new int[] {3, 5});
    int stride = strideFor(b, random, x);
    String padding = paddingFor(b, random, x, kernel, stride);
    int multiplier =
        random.nextInt(4) == 0 && fits(b, x, 1, 2 * b.channels(x)) ? 2 : 1; // grows channels
    return b.depthwise(null, kernel, stride, padding, multiplier, random.nextBoolean(), null, x);
  }

  private static String separable(ModelBuilder b, Random random, String x) {
    int kernel = fittingKernel(b, random, x, new int[] {3, 5});
    int stride = strideFor(b, random, x);
    String padding = paddingFor(b, random, x, kernel, stride);
    int filters = channelsFor(b, random, x, stride);
    String activation = pick(random, CONV_ACTIVATIONS);
    return b.separable(null, filters, kernel, stride, padding, random.nextBoolean(), activation, x);
  }

  private static String pool(ModelBuilder b, Random random, String x) {
    int size = fittingKernel(b, random, x, new int[] {2, 3});
    int stride = strideFor(b, random, x) == 2 ? 2 : (random.nextBoolean() ? size : 1);
    String padding = paddingFor(b, random, x, size, stride);
    return random.nextBoolean()
        ? b.maxPool(null, size, stride, padding, x)
        : b.avgPool(null, size, stride, padding, x);
  }

  private static String padding(ModelBuilder b, Random random, String x) {
    int p = 1 + random.nextInt(2);
    int h = b.height(x) + 2 * p;
    int w = b.width(x) + 2 * p;
    if ((long) h * w * b.channels(x) > MAX_ELEMENTS) {
      return null;
    }
    return random.nextBoolean()
        ? b.zeroPadding(null, p, p, p, p, x)
        : b.zeroPadding(null, 0, p, 0, p, x); // the bottom/right pad of strided Keras blocks
  }

  /** Doubles the resolution, but never beyond the input's. */
  private static String upsampling(ModelBuilder b, Random random, String x, int inputSize) {
    if (2 * Math.max(b.height(x), b.width(x)) > inputSize || !fits(b, x, 2, b.channels(x))) {
      return null;
    }
    return b.upsampling(null, 2, random.nextBoolean() ? "nearest" : "bilinear", x);
  }

  /**
   * A view change that keeps the tensor rank 3: moves a factor 2 between height, width and
   * channels, keeping the aspect ratio within {@value #MAX_ASPECT}.
   */
  private static String reshape(ModelBuilder b, Random random, String x) {
    int h = b.height(x);
    int w = b.width(x);
    int c = b.channels(x);
    int[][] options = {
      {h / 2, w * 2, c, h % 2}, {h * 2, w / 2, c, w % 2}, {h, w * 2, c / 2, c % 2}
    };
    int[] o = options[random.nextInt(options.length)];
    boolean exact = o[3] == 0 && o[0] >= 1 && o[1] >= 1 && o[2] >= 1;
    if (!exact || Math.max(o[0], o[1]) > MAX_ASPECT * Math.min(o[0], o[1])) {
      return null;
    }
    return b.reshape(null, new int[] {o[0], o[1], o[2]}, x);
  }

  /** Conv (same shape), batch norm, Add back onto the input: a residual block. */
  private static String residual(ModelBuilder b, Random random, String x) {
    int kernel = fittingKernel(b, random, x, new int[] {1, 3});
    String branch = b.conv2d(null, b.channels(x), kernel, 1, "same", false, "relu", x);
    branch = b.batchNorm(null, branch);
    return b.add(null, x, branch);
  }

  /** A sigmoid 1x1 convolution of the input multiplied onto it: an attention gate. */
  private static String gate(ModelBuilder b, Random random, String x) {
    String g = b.conv2d(null, b.channels(x), 1, 1, "same", true, "sigmoid", x);
    return b.multiply(null, x, g);
  }

  /** Two parallel branches of the same resolution concatenated on the channels. */
  private static String inception(ModelBuilder b, Random random, String x) {
    int c1 = CHANNELS[random.nextInt(6)];
    int c2 = CHANNELS[random.nextInt(6)];
    boolean poolBranch = random.nextBoolean();
    int total = c1 + (poolBranch ? b.channels(x) : c2);
    if (!fits(b, x, 1, total)) {
      return null;
    }
    int kernel = fittingKernel(b, random, x, new int[] {3, 5});
    String left = b.conv2d(null, c1, 1, 1, "same", true, "relu", x);
    String right =
        poolBranch
            ? b.maxPool(null, 3, 1, "same", x)
            : b.conv2d(null, c2, kernel, 1, "same", true, "relu", x);
    return b.concatenate(null, -1, left, right);
  }

  // ---------------------------------------------------------------- sampling helpers

  /** A kernel from {@code options} no larger than the input (1 if none fits). */
  private static int fittingKernel(ModelBuilder b, Random random, String x, int[] options) {
    int k = options[random.nextInt(options.length)];
    int limit = Math.min(b.height(x), b.width(x));
    return k <= limit ? k : Math.max(1, Math.min(limit, options[0]));
  }

  /** Stride 2 a third of the time while both spatial sizes are at least 2, else 1. */
  private static int strideFor(ModelBuilder b, Random random, String x) {
    return Math.min(b.height(x), b.width(x)) >= 2 && random.nextInt(3) == 0 ? 2 : 1;
  }

  /** "valid" or "same"; "valid" only where it leaves the tensor at least 1x1. */
  private static String paddingFor(ModelBuilder b, Random random, String x, int k, int stride) {
    boolean validFits = k <= b.height(x) && k <= b.width(x);
    return validFits && random.nextBoolean() ? "valid" : "same";
  }

  /** Output channels for a layer, small enough to respect {@link #MAX_ELEMENTS}. */
  private static int channelsFor(ModelBuilder b, Random random, String x, int stride) {
    int c = CHANNELS[random.nextInt(CHANNELS.length)];
    long pixels = (long) ceilDiv(b.height(x), stride) * ceilDiv(b.width(x), stride);
    while (c > CHANNELS[0] && pixels * c > MAX_ELEMENTS) {
      c /= 2;
    }
    return Math.max(CHANNELS[0], c);
  }

  private static boolean fits(ModelBuilder b, String x, int scale, int channels) {
    return (long) b.height(x) * scale * b.width(x) * scale * channels <= MAX_ELEMENTS;
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  private static String pick(Random random, String[] options) {
    return options[random.nextInt(options.length)];
  }
}
