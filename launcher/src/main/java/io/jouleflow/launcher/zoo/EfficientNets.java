package io.jouleflow.launcher.zoo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jouleflow.predictor.keras.KerasModel;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * EfficientNetB0-B3 as {@code keras.applications.efficientnet} builds them with the top and {@code
 * weights=None}: Rescaling(1/255) and Normalization inside the model, MBConv blocks with
 * squeeze-and-excitation (GlobalAveragePooling2D, Reshape, two 1x1 convolutions, Multiply) and
 * stochastic depth (Dropout with {@code noise_shape [null, 1, 1, 1]}) before each residual Add.
 *
 * <p>With {@code weights="imagenet"} Keras also multiplies the normalized input by a constant
 * ({@code tf.math.multiply}, a TFOpLambda whose constant lives in the call arguments); that layer
 * belongs to the weights, not to the architecture, and is left out.
 */
final class EfficientNets {

  /** kernel, repeats, filters in, filters out, expand ratio, stride (se ratio 0.25, id skip). */
  private static final int[][] BLOCKS = {
    {3, 1, 32, 16, 1, 1},
    {3, 2, 16, 24, 6, 2},
    {5, 2, 24, 40, 6, 2},
    {3, 3, 40, 80, 6, 2},
    {5, 3, 80, 112, 6, 1},
    {5, 4, 112, 192, 6, 2},
    {3, 1, 192, 320, 6, 1}
  };

  private static final double SE_RATIO = 0.25;
  private static final double DROP_CONNECT_RATE = 0.2;
  private static final String ACTIVATION = "swish";

  private EfficientNets() {}

  static KerasModel b0(int size) {
    return efficientNet("efficientnetb0", 1.0, 1.0, 0.2, size);
  }

  static KerasModel b1(int size) {
    return efficientNet("efficientnetb1", 1.0, 1.1, 0.2, size);
  }

  static KerasModel b2(int size) {
    return efficientNet("efficientnetb2", 1.1, 1.2, 0.3, size);
  }

  static KerasModel b3(int size) {
    return efficientNet("efficientnetb3", 1.2, 1.4, 0.3, size);
  }

  private static KerasModel efficientNet(
      String modelName, double width, double depth, double dropoutRate, int size) {
    ModelBuilder b = new ModelBuilder(modelName);
    b.kernelInitializer(convInitializer());
    String x = b.input(size, size, 3);
    x = b.rescaling(null, 1.0 / 255.0, 0.0, x);
    x = b.normalization(null, x);
    x = b.zeroPadding("stem_conv_pad", MobileNets.correctPad(b, x, 3), x);
    x = b.conv2d("stem_conv", roundFilters(32, width), 3, 2, "valid", false, null, x);
    x = b.batchNorm("stem_bn", x);
    x = b.activation("stem_activation", ACTIVATION, x);

    double blocks = Arrays.stream(BLOCKS).mapToInt(a -> roundRepeats(a[1], depth)).sum();
    int index = 0;
    for (int i = 0; i < BLOCKS.length; i++) {
      int[] args = BLOCKS[i];
      int filtersIn = roundFilters(args[2], width);
      int filtersOut = roundFilters(args[3], width);
      int stride = args[5];
      int repeats = roundRepeats(args[1], depth);
      for (int j = 0; j < repeats; j++) {
        if (j > 0) {
          stride = 1;
          filtersIn = filtersOut;
        }
        String name = "block" + (i + 1) + (char) ('a' + j) + "_";
        double dropRate = DROP_CONNECT_RATE * index / blocks;
        x = mbConv(b, x, dropRate, name, filtersIn, filtersOut, args[0], stride, args[4]);
        index++;
      }
    }

    x = b.conv2d("top_conv", roundFilters(1280, width), 1, 1, "same", false, null, x);
    x = b.batchNorm("top_bn", x);
    x = b.activation("top_activation", ACTIVATION, x);
    x = b.globalAvgPool("avg_pool", false, x);
    if (dropoutRate > 0) {
      x = b.dropout("top_dropout", dropoutRate, x);
    }
    b.kernelInitializer(denseInitializer());
    b.dense("predictions", 1000, "softmax", true, x);
    return b.build();
  }

  /** The inverted residual block with squeeze-and-excitation. */
  private static String mbConv(
      ModelBuilder b,
      String in,
      double dropRate,
      String name,
      int filtersIn,
      int filtersOut,
      int kernel,
      int stride,
      int expandRatio) {
    int filters = filtersIn * expandRatio;
    String x = in;
    if (expandRatio != 1) {
      x = b.conv2d(name + "expand_conv", filters, 1, 1, "same", false, null, x);
      x = b.batchNorm(name + "expand_bn", x);
      x = b.activation(name + "expand_activation", ACTIVATION, x);
    }
    String padding = "same";
    if (stride == 2) {
      x = b.zeroPadding(name + "dwconv_pad", MobileNets.correctPad(b, x, kernel), x);
      padding = "valid";
    }
    x = b.depthwise(name + "dwconv", kernel, stride, padding, 1, false, null, x);
    x = b.batchNorm(name + "bn", x);
    x = b.activation(name + "activation", ACTIVATION, x);

    int filtersSe = Math.max(1, (int) (filtersIn * SE_RATIO));
    String se = b.globalAvgPool(name + "se_squeeze", false, x);
    se = b.reshape(name + "se_reshape", new int[] {1, 1, filters}, se);
    se = b.conv2d(name + "se_reduce", filtersSe, 1, 1, "same", true, ACTIVATION, se);
    se = b.conv2d(name + "se_expand", filters, 1, 1, "same", true, "sigmoid", se);
    x = b.multiply(name + "se_excite", x, se);

    x = b.conv2d(name + "project_conv", filtersOut, 1, 1, "same", false, null, x);
    x = b.batchNorm(name + "project_bn", x);
    if (stride == 1 && filtersIn == filtersOut) {
      if (dropRate > 0) {
        x = b.dropout(name + "drop", dropRate, Arrays.asList(null, 1, 1, 1), x);
      }
      x = b.add(name + "add", x, in);
    }
    return x;
  }

  /** Keras' {@code round_filters}: scale by the width coefficient, round to a multiple of 8. */
  static int roundFilters(int filters, double width) {
    return MobileNets.makeDivisible(filters * width, 8);
  }

  /** Keras' {@code round_repeats}: scale by the depth coefficient, round up. */
  static int roundRepeats(int repeats, double depth) {
    return (int) Math.ceil(depth * repeats);
  }

  private static ObjectNode convInitializer() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("scale", 2.0);
    c.put("mode", "fan_out");
    c.put("distribution", "truncated_normal");
    c.put("seed", null);
    return ModelBuilder.initializer("VarianceScaling", c);
  }

  private static ObjectNode denseInitializer() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("scale", 1.0 / 3.0);
    c.put("mode", "fan_out");
    c.put("distribution", "uniform");
    c.put("seed", null);
    return ModelBuilder.initializer("VarianceScaling", c);
  }
}
