package io.jouleflow.launcher.cli;

import io.jouleflow.launcher.graph.GraphModel;
import io.jouleflow.launcher.zoo.ModelZoo;
import io.jouleflow.predictor.keras.KerasFormatException;
import io.jouleflow.predictor.keras.KerasJson;
import io.jouleflow.predictor.keras.KerasLayers;
import io.jouleflow.predictor.keras.KerasModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The {@code <model>} argument of {@code measure} and {@code predict}: {@code zoo:NAME} for a model
 * of the zoo, a Keras JSON file ({@code model.to_json()} or TF.js {@code model.json}), or a
 * TensorFlow graph: a SavedModel directory or a GraphDef {@code .pb} ({@link #isGraph}). Bad input
 * throws {@link IllegalArgumentException} with a one-line reason.
 */
final class ModelArgument {

  private ModelArgument() {}

  /**
   * Whether {@code argument} names a TensorFlow graph rather than an architecture: a directory
   * (a SavedModel, or else an error {@link #loadGraph} reports) or a {@code .pb} file.
   */
  static boolean isGraph(String argument) {
    if (argument.startsWith("zoo:")) {
      return false;
    }
    return argument.toLowerCase(Locale.ROOT).endsWith(".pb") || Files.isDirectory(Path.of(argument));
  }

  /** The graph {@code argument} names (see {@link #isGraph}), loaded for {@code batch}. */
  static GraphModel loadGraph(String argument, int batch, int[] inputHWC) {
    return GraphModel.load(Path.of(argument), batch, inputHWC);
  }

  /** The Keras architecture {@code argument} names: {@code zoo:NAME} or a Keras JSON file. */
  static KerasModel resolve(String argument, Integer inputSize) {
    if (argument.startsWith("zoo:")) {
      String name = argument.substring(4);
      if (!ModelZoo.names().stream().anyMatch(n -> n.equalsIgnoreCase(name))) {
        throw new IllegalArgumentException("no zoo model '" + name + "'; one of: "
            + String.join(", ", ModelZoo.names()));
      }
      return inputSize == null ? ModelZoo.build(name) : ModelZoo.build(name, inputSize);
    }
    Path path = Path.of(argument);
    if (!Files.exists(path)) {
      throw new IllegalArgumentException("no such file or directory: " + argument);
    }
    if (isGraph(argument)) {
      throw new IllegalArgumentException(argument + " is a TensorFlow graph, not a Keras"
          + " architecture (JSON or zoo:)");
    }
    try {
      return KerasJson.parse(path);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + argument + ": " + e.getMessage());
    } catch (KerasFormatException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  /** {@code HxWxC} to {@code [H, W, C]}; null for null. */
  static int[] inputShape(String hxwxc) {
    if (hxwxc == null) {
      return null;
    }
    String[] parts = hxwxc.toLowerCase(Locale.ROOT).split("x");
    if (parts.length != 3) {
      throw new IllegalArgumentException("--input must be HxWxC, e.g. 224x224x3, not '" + hxwxc + "'");
    }
    int[] out = new int[3];
    for (int i = 0; i < 3; i++) {
      try {
        out[i] = Integer.parseInt(parts[i]);
      } catch (NumberFormatException e) {
        out[i] = -1;
      }
      if (out[i] <= 0) {
        throw new IllegalArgumentException("--input must be HxWxC with positive numbers, not '"
            + hxwxc + "'");
      }
    }
    // In double: three ints multiply past a long; near 2^31 a double is exact.
    if ((double) out[0] * out[1] * out[2] > KerasLayers.MAX_ELEMENTS_PER_EXAMPLE) {
      throw new IllegalArgumentException("--input " + hxwxc + " holds more than "
          + KerasLayers.MAX_ELEMENTS_PER_EXAMPLE + " elements per example");
    }
    return out;
  }
}
