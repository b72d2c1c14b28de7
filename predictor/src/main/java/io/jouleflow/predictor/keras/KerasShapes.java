package io.jouleflow.predictor.keras;

/**
 * Keras' output-shape arithmetic, the one copy that the importer's rules, the model zoo's builder
 * and the TensorFlow graph builder share. Each function is the Keras function it names ({@code
 * keras.utils.conv_utils}, {@code Reshape._fix_unknown_dimension}), on plain numbers: checking a
 * layer's config and saying what is wrong with it stays with the caller, which knows the layer.
 *
 * <p>Paddings are spelled as Keras spells them, lower case: {@code valid}, {@code same}, {@code
 * causal}, {@code full}.
 */
public final class KerasShapes {

  private KerasShapes() {}

  /**
   * The kernel's extent once dilated: {@code (kernel - 1) * dilation + 1}.
   *
   * @throws IllegalArgumentException where kernel or dilation is not positive
   */
  public static long dilatedKernel(int kernel, int dilation) {
    if (kernel <= 0 || dilation <= 0) {
      throw new IllegalArgumentException(
          "kernel " + kernel + " and dilation " + dilation + " must be positive");
    }
    return (long) (kernel - 1) * dilation + 1;
  }

  /**
   * Keras' {@code conv_output_length}: the length of one spatial dimension after a convolution or
   * pooling window. Zero or less where the window does not fit ({@code valid} padding and a
   * dilated kernel longer than the input): the caller rejects that with its own message.
   *
   * @param input the input's length along the dimension
   * @param kernel the window (kernel or pool size) along the dimension
   * @param padding {@code valid}, {@code same}, {@code causal} or {@code full}
   * @throws IllegalArgumentException for another padding, or a kernel, stride or dilation that is
   *     not positive
   */
  public static long convOutputLength(
      long input, int kernel, String padding, int stride, int dilation) {
    long dilated = dilatedKernel(kernel, dilation);
    requirePositiveStride(stride);
    long span =
        switch (padding) {
          case "same", "causal" -> input;
          case "valid" -> input - dilated + 1;
          case "full" -> input + dilated - 1;
          default -> throw unknownPadding(padding);
        };
    // Integer ceil(span / stride) for span > 0; zero or less for span <= 0.
    return (span + stride - 1) / stride;
  }

  /**
   * Keras' {@code deconv_output_length}: the length of one spatial dimension after a transposed
   * convolution. Without {@code outputPadding} the length Keras infers; with it the exact length.
   * Any padding other than {@code same} and {@code full} counts as {@code valid} (Keras' transposed
   * convolutions take no {@code causal}).
   *
   * @param outputPadding the config's {@code output_padding} along the dimension; null where none
   * @throws IllegalArgumentException for a kernel, stride or dilation that is not positive
   */
  public static long deconvOutputLength(
      long input, int kernel, String padding, Integer outputPadding, int stride, int dilation) {
    long dilated = dilatedKernel(kernel, dilation);
    requirePositiveStride(stride);
    if (outputPadding == null) {
      return switch (padding) {
        case "same" -> input * stride;
        case "full" -> input * stride - (stride + dilated - 2);
        default -> input * stride + Math.max(dilated - stride, 0);
      };
    }
    long pad =
        switch (padding) {
          case "same" -> dilated / 2;
          case "full" -> dilated - 1;
          default -> 0;
        };
    return (input - 1) * stride + dilated - 2 * pad + outputPadding;
  }

  /**
   * Keras' {@code Reshape._fix_unknown_dimension}: a Reshape's target dimensions (the batch left
   * out) with the one unknown (negative) dimension, if any, set so that they hold {@code elements}.
   *
   * @param elements the elements of one example of the input
   * @param target the target dimensions; at most one negative
   * @return the resolved dimensions, a new array; null where no unknown dimension makes them hold
   *     exactly {@code elements} (the caller says why, naming the layer)
   * @throws IllegalArgumentException where more than one dimension is unknown
   */
  public static long[] reshapeTarget(long elements, long[] target) {
    long[] out = target.clone();
    int unknown = -1;
    long known = 1;
    for (int i = 0; i < out.length; i++) {
      if (out[i] < 0) {
        if (unknown >= 0) {
          throw new IllegalArgumentException("more than one unknown dimension");
        }
        unknown = i;
      } else {
        known *= out[i];
      }
    }
    if (unknown >= 0) {
      if (known == 0 || elements % known != 0) {
        return null;
      }
      out[unknown] = elements / known;
    } else if (known != elements) {
      return null;
    }
    return out;
  }

  private static void requirePositiveStride(int stride) {
    if (stride <= 0) {
      throw new IllegalArgumentException("stride " + stride + " must be positive");
    }
  }

  private static IllegalArgumentException unknownPadding(String padding) {
    return new IllegalArgumentException(
        "padding \"" + padding + "\" is not valid, same, causal or full");
  }
}
