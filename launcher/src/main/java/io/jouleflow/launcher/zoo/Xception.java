package io.jouleflow.launcher.zoo;

import io.jouleflow.predictor.keras.KerasModel;

/** Xception as {@code keras.applications.xception} builds it with the top. */
final class Xception {

  private Xception() {}

  static KerasModel xception(int size) {
    ModelBuilder b = new ModelBuilder("xception");
    String x = b.input(size, size, 3);
    x = b.conv2d("block1_conv1", 32, 3, 2, "valid", false, null, x);
    x = b.batchNorm("block1_conv1_bn", x);
    x = b.activation("block1_conv1_act", "relu", x);
    x = b.conv2d("block1_conv2", 64, 3, 1, "valid", false, null, x);
    x = b.batchNorm("block1_conv2_bn", x);
    x = b.activation("block1_conv2_act", "relu", x);

    // Entry flow: blocks 2-4 halve the resolution; the residual is a strided 1x1 projection.
    int[] entryFilters = {128, 256, 728};
    for (int i = 0; i < entryFilters.length; i++) {
      int block = i + 2;
      int f = entryFilters[i];
      String residual = b.conv2d(null, f, 1, 2, "same", false, null, x);
      residual = b.batchNorm(null, residual);
      String p = "block" + block;
      if (block == 2) {
        x = b.separable(p + "_sepconv1", f, 3, 1, "same", false, null, x);
      } else {
        x = b.activation(p + "_sepconv1_act", "relu", x);
        x = b.separable(p + "_sepconv1", f, 3, 1, "same", false, null, x);
      }
      x = b.batchNorm(p + "_sepconv1_bn", x);
      x = b.activation(p + "_sepconv2_act", "relu", x);
      x = b.separable(p + "_sepconv2", f, 3, 1, "same", false, null, x);
      x = b.batchNorm(p + "_sepconv2_bn", x);
      x = b.maxPool(p + "_pool", 3, 2, "same", x);
      x = b.add(null, x, residual);
    }

    // Middle flow: eight identity blocks of three separable convolutions.
    for (int i = 0; i < 8; i++) {
      String residual = x;
      String p = "block" + (i + 5);
      for (int j = 1; j <= 3; j++) {
        x = b.activation(p + "_sepconv" + j + "_act", "relu", x);
        x = b.separable(p + "_sepconv" + j, 728, 3, 1, "same", false, null, x);
        x = b.batchNorm(p + "_sepconv" + j + "_bn", x);
      }
      x = b.add(null, x, residual);
    }

    // Exit flow.
    String residual = b.conv2d(null, 1024, 1, 2, "same", false, null, x);
    residual = b.batchNorm(null, residual);
    x = b.activation("block13_sepconv1_act", "relu", x);
    x = b.separable("block13_sepconv1", 728, 3, 1, "same", false, null, x);
    x = b.batchNorm("block13_sepconv1_bn", x);
    x = b.activation("block13_sepconv2_act", "relu", x);
    x = b.separable("block13_sepconv2", 1024, 3, 1, "same", false, null, x);
    x = b.batchNorm("block13_sepconv2_bn", x);
    x = b.maxPool("block13_pool", 3, 2, "same", x);
    x = b.add(null, x, residual);

    x = b.separable("block14_sepconv1", 1536, 3, 1, "same", false, null, x);
    x = b.batchNorm("block14_sepconv1_bn", x);
    x = b.activation("block14_sepconv1_act", "relu", x);
    x = b.separable("block14_sepconv2", 2048, 3, 1, "same", false, null, x);
    x = b.batchNorm("block14_sepconv2_bn", x);
    x = b.activation("block14_sepconv2_act", "relu", x);

    x = b.globalAvgPool("avg_pool", false, x);
    b.dense("predictions", 1000, "softmax", true, x);
    return b.build();
  }
}
