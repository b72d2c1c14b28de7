package io.jouleflow.launcher.zoo;

import io.jouleflow.predictor.keras.KerasModel;

/** VGG16 and VGG19 as {@code keras.applications.vgg16/vgg19} build them with the top. */
final class Vgg {

  private static final int[] FILTERS = {64, 128, 256, 512, 512};

  private Vgg() {}

  static KerasModel vgg16(int size) {
    return vgg("vgg16", new int[] {2, 2, 3, 3, 3}, size);
  }

  static KerasModel vgg19(int size) {
    return vgg("vgg19", new int[] {2, 2, 4, 4, 4}, size);
  }

  /**
   * Five blocks of 3x3 "same" convolutions with ReLU, each closed by a 2x2 max pool, then the
   * Flatten + fc1/fc2 (4096, ReLU) + predictions (1000, softmax) top. The top's Flatten makes fc1
   * grow with the input size (7x7x512 inputs at 224).
   */
  private static KerasModel vgg(String modelName, int[] convsPerBlock, int size) {
    ModelBuilder b = new ModelBuilder(modelName);
    String x = b.input(size, size, 3);
    for (int block = 1; block <= convsPerBlock.length; block++) {
      for (int conv = 1; conv <= convsPerBlock[block - 1]; conv++) {
        String name = "block" + block + "_conv" + conv;
        x = b.conv2d(name, FILTERS[block - 1], 3, 1, "same", true, "relu", x);
      }
      x = b.maxPool("block" + block + "_pool", 2, 2, "valid", x);
    }
    x = b.flatten("flatten", x);
    x = b.dense("fc1", 4096, "relu", true, x);
    x = b.dense("fc2", 4096, "relu", true, x);
    b.dense("predictions", 1000, "softmax", true, x);
    return b.build();
  }
}
