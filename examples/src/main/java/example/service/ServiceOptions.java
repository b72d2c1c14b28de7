package example.service;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Command-line options of {@link InferenceService}.
 *
 * @param port TCP port on 127.0.0.1; 0 picks a free one
 * @param modelDir SavedModel directory; the model is exported there when it holds none
 * @param threads HTTP worker threads
 * @param inputSize height and width of the square RGB input images
 */
public record ServiceOptions(int port, Path modelDir, int threads, int inputSize) {

  public static final int MAX_INPUT_SIZE = 1024;

  public static final String USAGE =
      String.join(
          System.lineSeparator(),
          "Usage: java -cp <classpath> example.service.InferenceService [options]",
          "",
          "Serves a small ResNet-style image classifier (TensorFlow SavedModel) over HTTP.",
          "",
          "Options:",
          "  --port N          TCP port on 127.0.0.1, 0 picks a free one (default 8080)",
          "  --model-dir DIR   SavedModel directory; exported there on first start",
          "                    (default example-models/tiny_resnet)",
          "  --threads N       HTTP worker threads (default 4)",
          "  --input-size N    input images are N x N x 3 float32 (default 64)",
          "  --help            print this text and exit",
          "",
          "Endpoints:",
          "  GET  /predict?batch=N&seed=S   N random inputs from java.util.Random(S)",
          "  POST /predict?batch=N          body: N*size*size*3 little-endian float32",
          "  GET  /health                   answers ok");

  public ServiceOptions {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be in 0..65535, got " + port);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
    }
    if (inputSize < 2 || inputSize > MAX_INPUT_SIZE) {
      // The 2x2 max pooling needs 2 pixels; the upper bound keeps a full batch in one Java array.
      throw new IllegalArgumentException(
          "--input-size must be in 2.." + MAX_INPUT_SIZE + ", got " + inputSize);
    }
  }

  /** The defaults: port 8080, {@code example-models/tiny_resnet}, 4 threads, 64x64 inputs. */
  public static ServiceOptions defaults() {
    return new ServiceOptions(8080, Path.of("example-models", "tiny_resnet"), 4, 64);
  }

  /**
   * Parses {@code --name value} pairs over the defaults.
   *
   * @throws IllegalArgumentException on an unknown option, a missing value or a bad number
   */
  public static ServiceOptions parse(String... args) {
    ServiceOptions options = defaults();
    int port = options.port;
    Path modelDir = options.modelDir;
    int threads = options.threads;
    int inputSize = options.inputSize;
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + name);
      }
      String value = args[++i];
      switch (name) {
        case "--port" -> port = parseInt(name, value);
        case "--model-dir" -> modelDir = Path.of(value);
        case "--threads" -> threads = parseInt(name, value);
        case "--input-size" -> inputSize = parseInt(name, value);
        default -> throw new IllegalArgumentException("unknown option " + name);
      }
    }
    return new ServiceOptions(port, modelDir, threads, inputSize);
  }

  private static int parseInt(String name, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "%s expects an integer, got '%s'", name, value));
    }
  }
}
