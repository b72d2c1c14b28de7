package io.jouleflow.launcher.zoo;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jouleflow.predictor.keras.KerasModel;

/**
 * InceptionV3 ({@code keras.applications.inception_v3}) and InceptionResNetV2 ({@code
 * keras.applications.inception_resnet_v2}). Their conv-BN-ReLU units are unnamed in Keras, so they
 * carry Keras' automatic names ({@code conv2d_17}, {@code batch_normalization_17}, {@code
 * activation_17}); the merge points are named ({@code mixed0}, {@code block35_1_mixed}).
 */
final class Inceptions {

  private Inceptions() {}

  // ---------------------------------------------------------------- InceptionV3

  static KerasModel inceptionV3(int size) {
    ModelBuilder b = new ModelBuilder("inception_v3");
    String x = b.input(size, size, 3);
    x = v3Unit(b, x, 32, 3, 3, 2, "valid");
    x = v3Unit(b, x, 32, 3, 3, 1, "valid");
    x = v3Unit(b, x, 64, 3, 3, 1, "same");
    x = b.maxPool(null, 3, 2, "valid", x);
    x = v3Unit(b, x, 80, 1, 1, 1, "valid");
    x = v3Unit(b, x, 192, 3, 3, 1, "valid");
    x = b.maxPool(null, 3, 2, "valid", x);

    // mixed 0, 1, 2: 35 x 35 x 256 / 288 / 288
    for (int i = 0; i < 3; i++) {
      String branch1x1 = v3Unit(b, x, 64, 1, 1);
      String branch5x5 = v3Unit(b, x, 48, 1, 1);
      branch5x5 = v3Unit(b, branch5x5, 64, 5, 5);
      String branch3x3dbl = v3Unit(b, x, 64, 1, 1);
      branch3x3dbl = v3Unit(b, branch3x3dbl, 96, 3, 3);
      branch3x3dbl = v3Unit(b, branch3x3dbl, 96, 3, 3);
      String pool = b.avgPool(null, 3, 1, "same", x);
      pool = v3Unit(b, pool, i == 0 ? 32 : 64, 1, 1);
      x = b.concatenate("mixed" + i, 3, branch1x1, branch5x5, branch3x3dbl, pool);
    }

    // mixed 3: 17 x 17 x 768
    String branch3x3 = v3Unit(b, x, 384, 3, 3, 2, "valid");
    String branch3x3dbl = v3Unit(b, x, 64, 1, 1);
    branch3x3dbl = v3Unit(b, branch3x3dbl, 96, 3, 3);
    branch3x3dbl = v3Unit(b, branch3x3dbl, 96, 3, 3, 2, "valid");
    String pool = b.maxPool(null, 3, 2, "valid", x);
    x = b.concatenate("mixed3", 3, branch3x3, branch3x3dbl, pool);

    // mixed 4, 5, 6, 7: 17 x 17 x 768, with factorized 7x7 convolutions of 128/160/160/192
    int[] widths = {128, 160, 160, 192};
    for (int i = 0; i < 4; i++) {
      int w = widths[i];
      String branch1x1 = v3Unit(b, x, 192, 1, 1);
      String branch7x7 = v3Unit(b, x, w, 1, 1);
      branch7x7 = v3Unit(b, branch7x7, w, 1, 7);
      branch7x7 = v3Unit(b, branch7x7, 192, 7, 1);
      String branch7x7dbl = v3Unit(b, x, w, 1, 1);
      branch7x7dbl = v3Unit(b, branch7x7dbl, w, 7, 1);
      branch7x7dbl = v3Unit(b, branch7x7dbl, w, 1, 7);
      branch7x7dbl = v3Unit(b, branch7x7dbl, w, 7, 1);
      branch7x7dbl = v3Unit(b, branch7x7dbl, 192, 1, 7);
      String branchPool = b.avgPool(null, 3, 1, "same", x);
      branchPool = v3Unit(b, branchPool, 192, 1, 1);
      x = b.concatenate("mixed" + (4 + i), 3, branch1x1, branch7x7, branch7x7dbl, branchPool);
    }

    // mixed 8: 8 x 8 x 1280
    branch3x3 = v3Unit(b, x, 192, 1, 1);
    branch3x3 = v3Unit(b, branch3x3, 320, 3, 3, 2, "valid");
    String branch7x7x3 = v3Unit(b, x, 192, 1, 1);
    branch7x7x3 = v3Unit(b, branch7x7x3, 192, 1, 7);
    branch7x7x3 = v3Unit(b, branch7x7x3, 192, 7, 1);
    branch7x7x3 = v3Unit(b, branch7x7x3, 192, 3, 3, 2, "valid");
    pool = b.maxPool(null, 3, 2, "valid", x);
    x = b.concatenate("mixed8", 3, branch3x3, branch7x7x3, pool);

    // mixed 9, 10: 8 x 8 x 2048
    for (int i = 0; i < 2; i++) {
      String branch1x1 = v3Unit(b, x, 320, 1, 1);
      String b3 = v3Unit(b, x, 384, 1, 1);
      String b3a = v3Unit(b, b3, 384, 1, 3);
      String b3b = v3Unit(b, b3, 384, 3, 1);
      b3 = b.concatenate("mixed9_" + i, 3, b3a, b3b);
      String dbl = v3Unit(b, x, 448, 1, 1);
      dbl = v3Unit(b, dbl, 384, 3, 3);
      String dbla = v3Unit(b, dbl, 384, 1, 3);
      String dblb = v3Unit(b, dbl, 384, 3, 1);
      dbl = b.concatenate(null, 3, dbla, dblb);
      String branchPool = b.avgPool(null, 3, 1, "same", x);
      branchPool = v3Unit(b, branchPool, 192, 1, 1);
      x = b.concatenate("mixed" + (9 + i), 3, branch1x1, b3, dbl, branchPool);
    }
    x = b.globalAvgPool("avg_pool", false, x);
    b.dense("predictions", 1000, "softmax", true, x);
    return b.build();
  }

  private static String v3Unit(ModelBuilder b, String in, int filters, int rows, int cols) {
    return v3Unit(b, in, filters, rows, cols, 1, "same");
  }

  /** {@code conv2d_bn}: Conv2D without bias, BatchNorm without scale, ReLU; all unnamed. */
  private static String v3Unit(
      ModelBuilder b, String in, int filters, int rows, int cols, int stride, String padding) {
    String x = b.conv2d(null, filters, rows, cols, stride, stride, padding, false, null, in);
    x = b.batchNorm(null, 0.99, 1e-3, true, false, x);
    return b.activation(null, "relu", x);
  }

  // ---------------------------------------------------------------- InceptionResNetV2

  static KerasModel inceptionResNetV2(int size) {
    ModelBuilder b = new ModelBuilder("inception_resnet_v2");
    String x = b.input(size, size, 3);
    x = irUnit(b, x, 32, 3, 3, 2, "valid", null);
    x = irUnit(b, x, 32, 3, 3, 1, "valid", null);
    x = irUnit(b, x, 64, 3, 3, 1, "same", null);
    x = b.maxPool(null, 3, 2, "valid", x);
    x = irUnit(b, x, 80, 1, 1, 1, "valid", null);
    x = irUnit(b, x, 192, 3, 3, 1, "valid", null);
    x = b.maxPool(null, 3, 2, "valid", x);

    // mixed_5b (Inception-A)
    String branch0 = irUnit(b, x, 96, 1);
    String branch1 = irUnit(b, x, 48, 1);
    branch1 = irUnit(b, branch1, 64, 5);
    String branch2 = irUnit(b, x, 64, 1);
    branch2 = irUnit(b, branch2, 96, 3);
    branch2 = irUnit(b, branch2, 96, 3);
    String pool = b.avgPool(null, 3, 1, "same", x);
    pool = irUnit(b, pool, 64, 1);
    x = b.concatenate("mixed_5b", 3, branch0, branch1, branch2, pool);
    for (int i = 1; i <= 10; i++) {
      x = residualBlock(b, x, 0.17, "block35", i, true);
    }

    // mixed_6a (Reduction-A)
    branch0 = irUnit(b, x, 384, 3, 3, 2, "valid", null);
    branch1 = irUnit(b, x, 256, 1);
    branch1 = irUnit(b, branch1, 256, 3);
    branch1 = irUnit(b, branch1, 384, 3, 3, 2, "valid", null);
    pool = b.maxPool(null, 3, 2, "valid", x);
    x = b.concatenate("mixed_6a", 3, branch0, branch1, pool);
    for (int i = 1; i <= 20; i++) {
      x = residualBlock(b, x, 0.1, "block17", i, true);
    }

    // mixed_7a (Reduction-B)
    branch0 = irUnit(b, x, 256, 1);
    branch0 = irUnit(b, branch0, 384, 3, 3, 2, "valid", null);
    branch1 = irUnit(b, x, 256, 1);
    branch1 = irUnit(b, branch1, 288, 3, 3, 2, "valid", null);
    branch2 = irUnit(b, x, 256, 1);
    branch2 = irUnit(b, branch2, 288, 3);
    branch2 = irUnit(b, branch2, 320, 3, 3, 2, "valid", null);
    pool = b.maxPool(null, 3, 2, "valid", x);
    x = b.concatenate("mixed_7a", 3, branch0, branch1, branch2, pool);
    for (int i = 1; i <= 9; i++) {
      x = residualBlock(b, x, 0.2, "block8", i, true);
    }
    x = residualBlock(b, x, 1.0, "block8", 10, false);

    x = irUnit(b, x, 1536, 1, 1, 1, "same", "conv_7b");
    x = b.globalAvgPool("avg_pool", false, x);
    b.dense("predictions", 1000, "softmax", true, x);
    return b.build();
  }

  /**
   * An Inception-ResNet block: parallel branches, concatenated, projected back to the input's
   * channels by a 1x1 convolution with bias, and added to the input scaled, by the registered
   * custom layer {@code CustomScaleLayer} ({@code inputs[0] + inputs[1] * scale}).
   */
  private static String residualBlock(
      ModelBuilder b, String in, double scale, String type, int index, boolean relu) {
    String[] branches;
    switch (type) {
      case "block35" -> {
        String b0 = irUnit(b, in, 32, 1);
        String b1 = irUnit(b, in, 32, 1);
        b1 = irUnit(b, b1, 32, 3);
        String b2 = irUnit(b, in, 32, 1);
        b2 = irUnit(b, b2, 48, 3);
        b2 = irUnit(b, b2, 64, 3);
        branches = new String[] {b0, b1, b2};
      }
      case "block17" -> {
        String b0 = irUnit(b, in, 192, 1);
        String b1 = irUnit(b, in, 128, 1);
        b1 = irUnit(b, b1, 160, 1, 7, 1, "same", null);
        b1 = irUnit(b, b1, 192, 7, 1, 1, "same", null);
        branches = new String[] {b0, b1};
      }
      case "block8" -> {
        String b0 = irUnit(b, in, 192, 1);
        String b1 = irUnit(b, in, 192, 1);
        b1 = irUnit(b, b1, 224, 1, 3, 1, "same", null);
        b1 = irUnit(b, b1, 256, 3, 1, 1, "same", null);
        branches = new String[] {b0, b1};
      }
      default -> throw new IllegalArgumentException(type);
    }
    String name = type + "_" + index;
    String mixed = b.concatenate(name + "_mixed", 3, branches);
    String up = b.conv2d(name + "_conv", b.channels(in), 1, 1, "same", true, null, mixed);
    ObjectNode scaleConfig = JsonNodeFactory.instance.objectNode().put("scale", scale);
    String x = b.custom(null, "CustomScaleLayer", scaleConfig, b.shape(in), in, up);
    return relu ? b.activation(name + "_ac", "relu", x) : x;
  }

  private static String irUnit(ModelBuilder b, String in, int filters, int kernel) {
    return irUnit(b, in, filters, kernel, kernel, 1, "same", null);
  }

  /** {@code conv2d_bn} of inception_resnet_v2: Conv2D, BatchNorm (no scale), ReLU. */
  private static String irUnit(
      ModelBuilder b,
      String in,
      int filters,
      int rows,
      int cols,
      int stride,
      String padding,
      String name) {
    String x = b.conv2d(name, filters, rows, cols, stride, stride, padding, false, null, in);
    x = b.batchNorm(name == null ? null : name + "_bn", 0.99, 1e-3, true, false, x);
    return b.activation(name == null ? null : name + "_ac", "relu", x);
  }
}
