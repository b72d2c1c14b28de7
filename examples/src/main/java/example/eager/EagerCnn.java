package example.eager;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.tensorflow.EagerSession;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A small CNN run op by op in TensorFlow eager mode: every op executes the moment it is built.
 *
 * <p>Per iteration, on a fresh random batch: Conv2D → BiasAdd → Relu → MaxPool → Conv2D → BiasAdd →
 * Relu → Mean (global average pooling) → MatMul → Softmax. Weights and inputs come from fixed-seed
 * {@code java.util.Random}s, so the checksum of the last output is the same on every run.
 */
public final class EagerCnn {

  static final int CHANNELS = 3;
  static final int FILTERS_1 = 8;
  static final int FILTERS_2 = 16;
  static final int CLASSES = 10;
  static final long WEIGHT_SEED = 7L;
  static final long INPUT_SEED = 11L;
  static final int REPORT_EVERY = 10;

  static final String USAGE =
      String.join(
          System.lineSeparator(),
          "Usage: java -cp <classpath> example.eager.EagerCnn [options]",
          "",
          "Runs a small CNN op by op in TensorFlow eager mode on random input.",
          "",
          "Options:",
          "  --iterations N   forward passes (default 50)",
          "  --batch N        images per pass (default 4)",
          "  --input-size N   images are N x N x 3 (default 32)",
          "  --help           print this text and exit");

  /**
   * @param iterations forward passes
   * @param batch images per pass
   * @param inputSize height and width of the square RGB images
   */
  public record Options(int iterations, int batch, int inputSize) {

    public Options {
      if (iterations < 1 || batch < 1 || inputSize < 2) {
        throw new IllegalArgumentException(
            "need --iterations >= 1, --batch >= 1 and --input-size >= 2");
      }
    }

    public static Options defaults() {
      return new Options(50, 4, 32);
    }

    /** Parses {@code --name value} pairs over the defaults. */
    public static Options parse(String... args) {
      Options defaults = defaults();
      int iterations = defaults.iterations;
      int batch = defaults.batch;
      int inputSize = defaults.inputSize;
      for (int i = 0; i < args.length; i++) {
        String name = args[i];
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("missing value for " + name);
        }
        int value = parseInt(name, args[++i]);
        switch (name) {
          case "--iterations" -> iterations = value;
          case "--batch" -> batch = value;
          case "--input-size" -> inputSize = value;
          default -> throw new IllegalArgumentException("unknown option " + name);
        }
      }
      return new Options(iterations, batch, inputSize);
    }

    private static int parseInt(String name, String value) {
      try {
        return Integer.parseInt(value.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + " expects an integer, got '" + value + "'");
      }
    }
  }

  /**
   * What a run did.
   *
   * @param checksum class-weighted sum of the last batch's probabilities: equal runs, equal sums
   */
  public record Summary(int iterations, double msPerIteration, double checksum) {

    /** {@code done iterations=N ms_per_iteration=X checksum=Y}. */
    public String line() {
      return String.format(
          Locale.ROOT,
          "done iterations=%d ms_per_iteration=%.3f checksum=%.6f",
          iterations,
          msPerIteration,
          checksum);
    }
  }

  private EagerCnn() {}

  public static void main(String[] args) {
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      System.out.println(USAGE);
      return;
    }
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    Summary summary = run(options, System.out);
    System.out.println(summary.line());
  }

  /**
   * Runs the CNN {@code options.iterations()} times in a new eager session.
   *
   * @param progress one line per {@value #REPORT_EVERY} iterations goes here
   */
  public static Summary run(Options options, PrintStream progress) {
    int size = options.inputSize();
    int batch = options.batch();
    Random weights = new Random(WEIGHT_SEED);
    Random inputs = new Random(INPUT_SEED);
    try (EagerSession session = EagerSession.create()) {
      Ops tf = Ops.create(session);
      Operand<TFloat32> kernel1 = heNormal(tf, weights, 3, 3, CHANNELS, FILTERS_1);
      Operand<TFloat32> bias1 = tf.constant(Shape.of(FILTERS_1), DataBuffers.ofFloats(FILTERS_1));
      Operand<TFloat32> kernel2 = heNormal(tf, weights, 3, 3, FILTERS_1, FILTERS_2);
      Operand<TFloat32> bias2 = tf.constant(Shape.of(FILTERS_2), DataBuffers.ofFloats(FILTERS_2));
      Operand<TFloat32> denseKernel = heNormal(tf, weights, FILTERS_2, CLASSES);
      Operand<TInt32> spatialAxes = tf.constant(new int[] {1, 2});

      float[] probabilities = new float[batch * CLASSES];
      long start = System.nanoTime();
      long lastReport = start;
      for (int iteration = 1; iteration <= options.iterations(); iteration++) {
        float[] pixels = new float[batch * size * size * CHANNELS];
        for (int i = 0; i < pixels.length; i++) {
          pixels[i] = inputs.nextFloat();
        }
        Operand<TFloat32> x =
            tf.constant(Shape.of(batch, size, size, CHANNELS), DataBuffers.of(pixels, true, false));
        x = tf.nn.conv2d(x, kernel1, Arrays.asList(1L, 1L, 1L, 1L), "SAME");
        x = tf.nn.biasAdd(x, bias1);
        x = tf.nn.relu(x);
        x = maxPool2x2(tf, x);
        x = tf.nn.conv2d(x, kernel2, Arrays.asList(1L, 1L, 1L, 1L), "SAME");
        x = tf.nn.biasAdd(x, bias2);
        x = tf.nn.relu(x);
        x = tf.math.mean(x, spatialAxes);
        x = tf.linalg.matMul(x, denseKernel);
        x = tf.nn.softmax(x);
        x.asTensor().copyTo(DataBuffers.of(probabilities, false, false));

        if (iteration % REPORT_EVERY == 0) {
          long now = System.nanoTime();
          progress.printf(
              Locale.ROOT,
              "iteration %d/%d ms_per_iteration=%.3f top_class=%d%n",
              iteration,
              options.iterations(),
              (now - lastReport) / 1e6 / REPORT_EVERY,
              argMax(probabilities, 0, CLASSES));
          lastReport = now;
        }
      }
      double msPerIteration = (System.nanoTime() - start) / 1e6 / options.iterations();
      return new Summary(options.iterations(), msPerIteration, checksum(probabilities));
    }
  }

  /**
   * 2x2 max pooling, stride 2, as the {@code MaxPool} op (window and strides as attributes); {@code
   * tf.nn.maxPool} would build {@code MaxPoolV2} instead.
   */
  private static Operand<TFloat32> maxPool2x2(Ops tf, Operand<TFloat32> x) {
    return tf.scope()
        .opBuilder("MaxPool", "MaxPool")
        .addInput(x.asOutput())
        .setAttr("ksize", new long[] {1, 2, 2, 1})
        .setAttr("strides", new long[] {1, 2, 2, 1})
        .setAttr("padding", "VALID")
        .build()
        .<TFloat32>output(0);
  }

  /** A constant of He-normal weights; {@code dims} ends with fan-out, the rest is fan-in. */
  private static Operand<TFloat32> heNormal(Ops tf, Random random, long... dims) {
    long count = 1;
    for (long dim : dims) {
      count *= dim;
    }
    long fanIn = count / dims[dims.length - 1];
    double std = Math.sqrt(2.0 / fanIn);
    float[] values = new float[(int) count];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (random.nextGaussian() * std);
    }
    return tf.constant(Shape.of(dims), DataBuffers.of(values, true, false));
  }

  private static int argMax(float[] values, int from, int length) {
    int best = 0;
    for (int i = 1; i < length; i++) {
      if (values[from + i] > values[from + best]) {
        best = i;
      }
    }
    return best;
  }

  /** Weights each probability by its class (1..CLASSES) so a permuted output changes the sum. */
  static double checksum(float[] probabilities) {
    double sum = 0;
    for (int i = 0; i < probabilities.length; i++) {
      sum += probabilities[i] * (i % CLASSES + 1);
    }
    return sum;
  }
}
