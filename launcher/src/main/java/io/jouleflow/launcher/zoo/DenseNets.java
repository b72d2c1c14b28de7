package io.jouleflow.launcher.zoo;

import io.jouleflow.predictor.keras.KerasModel;

/** DenseNet121/169/201 as {@code keras.applications.densenet} builds them with the top. */
final class DenseNets {

  private static final double EPSILON = 1.001e-5;
  private static final int GROWTH_RATE = 32;

  private DenseNets() {}

  static KerasModel densenet121(int size) {
    return densenet("densenet121", new int[] {6, 12, 24, 16}, size);
  }

  static KerasModel densenet169(int size) {
    return densenet("densenet169", new int[] {6, 12, 32, 32}, size);
  }

  static KerasModel densenet201(int size) {
    return densenet("densenet201", new int[] {6, 12, 48, 32}, size);
  }

  private static KerasModel densenet(String modelName, int[] blocks, int size) {
    ModelBuilder b = new ModelBuilder(modelName);
    String x = b.input(size, size, 3);
    x = b.zeroPadding(null, 3, 3, 3, 3, x);
    x = b.conv2d("conv1/conv", 64, 7, 2, "valid", false, null, x);
    x = bn(b, "conv1/bn", x);
    x = b.activation("conv1/relu", "relu", x);
    x = b.zeroPadding(null, 1, 1, 1, 1, x);
    x = b.maxPool("pool1", 3, 2, "valid", x);
    for (int i = 0; i < blocks.length; i++) {
      for (int j = 1; j <= blocks[i]; j++) {
        x = convBlock(b, x, "conv" + (i + 2) + "_block" + j);
      }
      if (i < blocks.length - 1) {
        x = transition(b, x, "pool" + (i + 2));
      }
    }
    x = bn(b, "bn", x);
    x = b.activation("relu", "relu", x);
    x = b.globalAvgPool("avg_pool", false, x);
    b.dense("predictions", 1000, "softmax", true, x);
    return b.build();
  }

  /** BN-ReLU-1x1 (4 x growth) - BN-ReLU-3x3 (growth), concatenated to the block's input. */
  private static String convBlock(ModelBuilder b, String in, String name) {
    String x = bn(b, name + "_0_bn", in);
    x = b.activation(name + "_0_relu", "relu", x);
    x = b.conv2d(name + "_1_conv", 4 * GROWTH_RATE, 1, 1, "valid", false, null, x);
    x = bn(b, name + "_1_bn", x);
    x = b.activation(name + "_1_relu", "relu", x);
    x = b.conv2d(name + "_2_conv", GROWTH_RATE, 3, 1, "same", false, null, x);
    return b.concatenate(name + "_concat", 3, in, x);
  }

  /** BN-ReLU, a 1x1 convolution halving the channels, a 2x2 average pool. */
  private static String transition(ModelBuilder b, String in, String name) {
    String x = bn(b, name + "_bn", in);
    x = b.activation(name + "_relu", "relu", x);
    x = b.conv2d(name + "_conv", (int) (b.channels(x) * 0.5), 1, 1, "valid", false, null, x);
    return b.avgPool(name + "_pool", 2, 2, "valid", x);
  }

  private static String bn(ModelBuilder b, String name, String in) {
    return b.batchNorm(name, 0.99, EPSILON, true, true, in);
  }
}
