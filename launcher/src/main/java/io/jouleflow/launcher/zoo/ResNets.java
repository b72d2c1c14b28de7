package io.jouleflow.launcher.zoo;

import io.jouleflow.predictor.keras.KerasModel;

/**
 * ResNet50/101/152 (v1, {@code keras.applications.resnet}) and ResNet50V2/101V2/152V2 ({@code
 * keras.applications.resnet_v2}), with their layer names ({@code conv1_conv}, {@code
 * conv2_block1_1_conv}, ...).
 */
final class ResNets {

  private static final double EPSILON = 1.001e-5;
  private static final double MOMENTUM = 0.99;

  private ResNets() {}

  static KerasModel resnet50(int size) {
    return v1("resnet50", new int[] {3, 4, 6, 3}, size);
  }

  static KerasModel resnet101(int size) {
    return v1("resnet101", new int[] {3, 4, 23, 3}, size);
  }

  static KerasModel resnet152(int size) {
    return v1("resnet152", new int[] {3, 8, 36, 3}, size);
  }

  static KerasModel resnet50v2(int size) {
    return v2("resnet50v2", new int[] {3, 4, 6, 3}, size);
  }

  static KerasModel resnet101v2(int size) {
    return v2("resnet101v2", new int[] {3, 4, 23, 3}, size);
  }

  static KerasModel resnet152v2(int size) {
    return v2("resnet152v2", new int[] {3, 8, 36, 3}, size);
  }

  private static KerasModel v1(String modelName, int[] blocks, int size) {
    ModelBuilder b = new ModelBuilder(modelName);
    String x = stem(b, size, false);
    int[] filters = {64, 128, 256, 512};
    for (int s = 0; s < 4; s++) {
      String stack = "conv" + (s + 2);
      // stack1: the first block of a stack projects the shortcut; conv2 keeps the resolution.
      x = bottleneck(b, x, filters[s], s == 0 ? 1 : 2, true, stack + "_block1");
      for (int i = 2; i <= blocks[s]; i++) {
        x = bottleneck(b, x, filters[s], 1, false, stack + "_block" + i);
      }
    }
    return top(b, x);
  }

  private static KerasModel v2(String modelName, int[] blocks, int size) {
    ModelBuilder b = new ModelBuilder(modelName);
    String x = stem(b, size, true);
    int[] filters = {64, 128, 256, 512};
    for (int s = 0; s < 4; s++) {
      String stack = "conv" + (s + 2);
      // stack2: projection in the first block, the stride in the last (none in conv5).
      x = preactBottleneck(b, x, filters[s], 1, true, stack + "_block1");
      for (int i = 2; i < blocks[s]; i++) {
        x = preactBottleneck(b, x, filters[s], 1, false, stack + "_block" + i);
      }
      x = preactBottleneck(b, x, filters[s], s == 3 ? 1 : 2, false, stack + "_block" + blocks[s]);
    }
    x = b.batchNorm("post_bn", MOMENTUM, EPSILON, true, true, x);
    x = b.activation("post_relu", "relu", x);
    return top(b, x);
  }

  private static String stem(ModelBuilder b, int size, boolean preact) {
    String x = b.input(size, size, 3);
    x = b.zeroPadding("conv1_pad", 3, 3, 3, 3, x);
    x = b.conv2d("conv1_conv", 64, 7, 2, "valid", true, null, x);
    if (!preact) {
      x = b.batchNorm("conv1_bn", MOMENTUM, EPSILON, true, true, x);
      x = b.activation("conv1_relu", "relu", x);
    }
    x = b.zeroPadding("pool1_pad", 1, 1, 1, 1, x);
    return b.maxPool("pool1_pool", 3, 2, "valid", x);
  }

  private static KerasModel top(ModelBuilder b, String x) {
    x = b.globalAvgPool("avg_pool", false, x);
    b.dense("predictions", 1000, "softmax", true, x);
    return b.build();
  }

  /** {@code block1}: 1x1, 3x3, 1x1 (x4) convolutions with batch norm, added to the shortcut. */
  private static String bottleneck(
      ModelBuilder b, String in, int filters, int stride, boolean convShortcut, String name) {
    String shortcut = in;
    if (convShortcut) {
      shortcut = b.conv2d(name + "_0_conv", 4 * filters, 1, stride, "valid", true, null, in);
      shortcut = b.batchNorm(name + "_0_bn", MOMENTUM, EPSILON, true, true, shortcut);
    }
    String x = b.conv2d(name + "_1_conv", filters, 1, stride, "valid", true, null, in);
    x = b.batchNorm(name + "_1_bn", MOMENTUM, EPSILON, true, true, x);
    x = b.activation(name + "_1_relu", "relu", x);
    x = b.conv2d(name + "_2_conv", filters, 3, 1, "same", true, null, x);
    x = b.batchNorm(name + "_2_bn", MOMENTUM, EPSILON, true, true, x);
    x = b.activation(name + "_2_relu", "relu", x);
    x = b.conv2d(name + "_3_conv", 4 * filters, 1, 1, "valid", true, null, x);
    x = b.batchNorm(name + "_3_bn", MOMENTUM, EPSILON, true, true, x);
    x = b.add(name + "_add", shortcut, x);
    return b.activation(name + "_out", "relu", x);
  }

  /**
   * {@code block2}: batch norm and ReLU before the convolutions; a strided block without a
   * projection takes its shortcut through an (unnamed) 1x1 max pool.
   */
  private static String preactBottleneck(
      ModelBuilder b, String in, int filters, int stride, boolean convShortcut, String name) {
    String preact = b.batchNorm(name + "_preact_bn", MOMENTUM, EPSILON, true, true, in);
    preact = b.activation(name + "_preact_relu", "relu", preact);
    String shortcut;
    if (convShortcut) {
      shortcut = b.conv2d(name + "_0_conv", 4 * filters, 1, stride, "valid", true, null, preact);
    } else {
      shortcut = stride > 1 ? b.maxPool(null, 1, stride, "valid", in) : in;
    }
    String x = b.conv2d(name + "_1_conv", filters, 1, 1, "valid", false, null, preact);
    x = b.batchNorm(name + "_1_bn", MOMENTUM, EPSILON, true, true, x);
    x = b.activation(name + "_1_relu", "relu", x);
    x = b.zeroPadding(name + "_2_pad", 1, 1, 1, 1, x);
    x = b.conv2d(name + "_2_conv", filters, 3, stride, "valid", false, null, x);
    x = b.batchNorm(name + "_2_bn", MOMENTUM, EPSILON, true, true, x);
    x = b.activation(name + "_2_relu", "relu", x);
    x = b.conv2d(name + "_3_conv", 4 * filters, 1, 1, "valid", true, null, x);
    return b.add(name + "_out", shortcut, x);
  }
}
