package example.training;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.framework.optimizers.Adam;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A training job as the public tensorflow/java-models examples write one: a small CNN in a graph,
 * trained with TensorFlow Java's framework optimizer {@link Adam} ({@code minimize} adds the
 * {@code gradients/...} backward pass and one {@code ApplyAdam} per variable), on random data.
 *
 * <p>Layers under Keras-style scopes: conv2d → max_pooling2d → conv2d_1 → flatten → dense; loss
 * {@code training_loss} (softmax cross entropy). A training step feeds a batch, fetches the loss
 * and targets the optimizer; every {@code --eval-every} steps an inference step fetches the
 * predictions only, on the same session.
 */
public final class TrainCnn {

  static final int CHANNELS = 3;
  static final int CLASSES = 10;
  static final long SEED = 5L;

  static final String USAGE = String.join(System.lineSeparator(),
      "Usage: java -cp <classpath> example.training.TrainCnn [options]",
      "",
      "Trains a small CNN with Adam on random data (graph mode).",
      "",
      "Options:",
      "  --steps N        training steps (default 300)",
      "  --batch N        images per step (default 8)",
      "  --input-size N   images are N x N x 3 (default 16)",
      "  --eval-every N   an inference step after every N training steps; 0: none (default 10)",
      "  --help           print this text and exit");

  /** Command-line options. */
  public record Options(int steps, int batch, int inputSize, int evalEvery) {

    public Options {
      if (steps < 1 || batch < 1 || inputSize < 4 || evalEvery < 0) {
        throw new IllegalArgumentException(
            "need --steps >= 1, --batch >= 1, --input-size >= 4 and --eval-every >= 0");
      }
    }

    static Options parse(String[] args) {
      int steps = 300;
      int batch = 8;
      int size = 16;
      int evalEvery = 10;
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--steps" -> steps = number(args[i], value);
          case "--batch" -> batch = number(args[i], value);
          case "--input-size" -> size = number(args[i], value);
          case "--eval-every" -> evalEvery = number(args[i], value);
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
        i++;
      }
      return new Options(steps, batch, size, evalEvery);
    }

    private static int number(String option, String value) {
      try {
        return Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(option + " needs a whole number");
      }
    }
  }

  private final Ops tf;
  private final Random weights = new Random(SEED);

  private TrainCnn(Ops tf) {
    this.tf = tf;
  }

  public static void main(String[] args) {
    if (Arrays.asList(args).contains("--help")) {
      System.out.println(USAGE);
      return;
    }
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    train(options, System.out);
  }

  /** Builds the graph, trains, and prints the loss now and then; returns the last loss. */
  public static float train(Options o, PrintStream out) {
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> input = tf.withName("input").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, o.inputSize(), o.inputSize(), CHANNELS)));
      Placeholder<TInt32> labels =
          tf.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Operand<TFloat32> logits = new TrainCnn(tf).logits(input, o.inputSize());
      Operand<TFloat32> predictions = tf.withSubScope("softmax").withName("Softmax")
          .nn.softmax(logits);
      Operand<TFloat32> loss = tf.withName("training_loss").math.mean(
          tf.nn.softmaxCrossEntropyWithLogits(logits,
              tf.oneHot(labels, tf.constant(CLASSES), tf.constant(1f), tf.constant(0f)))
              .loss(),
          tf.constant(0));
      Op minimize = new Adam(graph, 0.001f).minimize(loss);

      Random data = new Random(SEED + 1);
      float last = Float.NaN;
      for (int step = 1; step <= o.steps(); step++) {
        try (TFloat32 x = images(data, o); TInt32 y = labels(data, o);
            Result r = session.runner().feed(input, x).feed(labels, y)
                .addTarget(minimize).fetch(loss).run()) {
          last = ((TFloat32) r.get(0)).getFloat();
        }
        if (o.evalEvery() > 0 && step % o.evalEvery() == 0) {
          try (TFloat32 x = images(data, o);
              Result r = session.runner().feed(input, x).fetch(predictions).run()) {
            r.get(0); // an inference step: the predictions only, no update
          }
        }
        if (step % 50 == 0 || step == o.steps()) {
          out.printf(Locale.ROOT, "step %d loss %.4f%n", step, last);
        }
      }
      out.printf(Locale.ROOT, "trained %d steps, final loss %.4f%n", o.steps(), last);
      return last;
    }
  }

  private Operand<TFloat32> logits(Operand<TFloat32> input, int size) {
    Operand<TFloat32> x = conv2d("conv2d", input, CHANNELS, 8);
    x = tf.withSubScope("max_pooling2d").withName("MaxPool").nn.maxPool(x,
        tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "VALID");
    x = conv2d("conv2d_1", x, 8, 16);
    int flat = (size / 2) * (size / 2) * 16;
    x = tf.withSubScope("flatten").withName("Reshape")
        .reshape(x, tf.constant(new int[] {-1, flat}));
    Ops dense = tf.withSubScope("dense");
    Variable<TFloat32> kernel = variable("dense", "kernel", Shape.of(flat, CLASSES), flat);
    Variable<TFloat32> bias = variable("dense", "bias", Shape.of(CLASSES), 0);
    return dense.withName("BiasAdd").nn.biasAdd(dense.withName("MatMul").linalg.matMul(x, kernel),
        bias);
  }

  /** 3x3 convolution, SAME padding, a bias and ReLU: trainable kernel and bias. */
  private Operand<TFloat32> conv2d(String layer, Operand<TFloat32> x, int in, int filters) {
    Ops scope = tf.withSubScope(layer);
    Variable<TFloat32> kernel =
        variable(layer, "kernel", Shape.of(3, 3, in, filters), 3 * 3 * in);
    Variable<TFloat32> bias = variable(layer, "bias", Shape.of(filters), 0);
    var conv = scope.withName("Conv2D").nn.conv2d(x, kernel, Arrays.asList(1L, 1L, 1L, 1L), "SAME");
    return scope.withName("Relu").nn.relu(scope.withName("BiasAdd").nn.biasAdd(conv, bias));
  }

  /**
   * A variable initialised from seeded He-normal values (zeros when {@code fanIn} is 0). Named
   * {@code <layer>_<name>} at the root: the optimizer names its slots after the variable and
   * rejects a {@code /} in them.
   */
  private Variable<TFloat32> variable(String layer, String name, Shape shape, int fanIn) {
    float[] values = new float[(int) shape.size()];
    double std = fanIn == 0 ? 0 : Math.sqrt(2.0 / fanIn);
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (weights.nextGaussian() * std);
    }
    return tf.withName(layer + "_" + name).variable(
        tf.constant(shape, DataBuffers.of(values, true, false)));
  }

  private static TFloat32 images(Random data, Options o) {
    float[] v = new float[o.batch() * o.inputSize() * o.inputSize() * CHANNELS];
    for (int i = 0; i < v.length; i++) {
      v[i] = data.nextFloat();
    }
    return TFloat32.tensorOf(Shape.of(o.batch(), o.inputSize(), o.inputSize(), CHANNELS),
        DataBuffers.of(v, true, false));
  }

  private static TInt32 labels(Random data, Options o) {
    int[] v = new int[o.batch()];
    for (int i = 0; i < v.length; i++) {
      v[i] = data.nextInt(CLASSES);
    }
    return TInt32.tensorOf(Shape.of(o.batch()), DataBuffers.of(v, true, false));
  }
}
