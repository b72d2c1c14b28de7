package example.service;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * The {@link TinyResNet} SavedModel, loaded from disk and served through its {@value
 * TinyResNet#SIGNATURE_KEY} signature. Safe for concurrent use: every call runs the bundle's
 * session ({@code Session.run} is thread-safe) and owns its tensors.
 */
public final class ImageClassifier implements AutoCloseable {

  private final SavedModelBundle bundle;
  private final SessionFunction serving;
  private final int inputSize;

  private ImageClassifier(SavedModelBundle bundle, int inputSize) {
    this.bundle = bundle;
    this.serving = bundle.function(TinyResNet.SIGNATURE_KEY);
    this.inputSize = inputSize;
  }

  /**
   * Loads the SavedModel in {@code modelDir}, exporting the model there first when the directory
   * holds none. The model is always served from what was loaded, never from the graph that was
   * exported.
   *
   * @param log one line about the export and the load goes here
   * @throws IllegalStateException when the SavedModel there expects another input size
   */
  public static ImageClassifier openOrExport(Path modelDir, int inputSize, PrintStream log)
      throws IOException {
    if (!Files.isRegularFile(modelDir.resolve("saved_model.pb"))) {
      long start = System.nanoTime();
      Files.createDirectories(modelDir);
      TinyResNet.export(modelDir, inputSize);
      log.printf(
          Locale.ROOT,
          "exported tiny ResNet (%dx%dx%d input) as a SavedModel to %s in %d ms%n",
          inputSize,
          inputSize,
          TinyResNet.CHANNELS,
          modelDir,
          (System.nanoTime() - start) / 1_000_000);
    }
    long start = System.nanoTime();
    SavedModelBundle bundle =
        SavedModelBundle.load(modelDir.toString(), SavedModelBundle.DEFAULT_TAG);
    try {
      checkInputShape(bundle, modelDir, inputSize);
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
    log.printf(
        Locale.ROOT,
        "loaded SavedModel %s (signature %s) in %d ms%n",
        modelDir,
        TinyResNet.SIGNATURE_KEY,
        (System.nanoTime() - start) / 1_000_000);
    return new ImageClassifier(bundle, inputSize);
  }

  private static void checkInputShape(SavedModelBundle bundle, Path modelDir, int inputSize) {
    Signature signature = bundle.function(TinyResNet.SIGNATURE_KEY).signature();
    Signature.TensorDescription input = signature.getInputs().get(TinyResNet.INPUT_KEY);
    if (input == null) {
      throw new IllegalStateException(
          modelDir
              + ": signature "
              + TinyResNet.SIGNATURE_KEY
              + " has no input "
              + TinyResNet.INPUT_KEY);
    }
    Shape expected = Shape.of(-1, inputSize, inputSize, TinyResNet.CHANNELS);
    // Shape.equals is false whenever a dimension is unknown (the batch here): compare the arrays.
    if (!Arrays.equals(input.shape.asArray(), expected.asArray())) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "%s expects input %s but --input-size %d needs %s: remove the directory or change"
                  + " --input-size",
              modelDir,
              input.shape,
              inputSize,
              expected));
    }
  }

  /** Height and width of the square inputs. */
  public int inputSize() {
    return inputSize;
  }

  /** Number of floats in one input image. */
  public int valuesPerImage() {
    return inputSize * inputSize * TinyResNet.CHANNELS;
  }

  /**
   * Classifies {@code batch} images given as one NHWC array.
   *
   * @param pixels {@code batch * valuesPerImage()} values
   * @return one row of {@value TinyResNet#CLASSES} class probabilities per image
   */
  public float[][] classify(float[] pixels, int batch) {
    if (batch < 1 || pixels.length != (long) batch * valuesPerImage()) {
      throw new IllegalArgumentException(
          "expected "
              + ((long) batch * valuesPerImage())
              + " values for a batch of "
              + batch
              + ", got "
              + pixels.length);
    }
    Shape shape = Shape.of(batch, inputSize, inputSize, TinyResNet.CHANNELS);
    try (TFloat32 input = TFloat32.tensorOf(shape, DataBuffers.of(pixels, true, false));
        Result result = serving.call(Map.<String, Tensor>of(TinyResNet.INPUT_KEY, input))) {
      TFloat32 probabilities =
          (TFloat32)
              result
                  .get(TinyResNet.OUTPUT_KEY)
                  .orElseThrow(
                      () -> new IllegalStateException("no output " + TinyResNet.OUTPUT_KEY));
      float[] flat = new float[batch * TinyResNet.CLASSES];
      probabilities.copyTo(DataBuffers.of(flat, false, false));
      float[][] rows = new float[batch][];
      for (int i = 0; i < batch; i++) {
        rows[i] = Arrays.copyOfRange(flat, i * TinyResNet.CLASSES, (i + 1) * TinyResNet.CLASSES);
      }
      return rows;
    }
  }

  @Override
  public void close() {
    bundle.close();
  }
}
