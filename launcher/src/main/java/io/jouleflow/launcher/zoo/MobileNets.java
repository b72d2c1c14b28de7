package io.jouleflow.launcher.zoo;

import io.jouleflow.predictor.keras.KerasModel;
import java.util.Locale;

/**
 * MobileNet ({@code keras.applications.mobilenet}), MobileNetV2 ({@code mobilenet_v2}) and
 * MobileNetV3Small/Large ({@code mobilenet_v3}, {@code minimalistic=False}, with the Rescaling
 * preprocessing layer), all at width multiplier 1.0.
 */
final class MobileNets {

  private static final double V2_MOMENTUM = 0.999;
  private static final double V2_EPSILON = 1e-3;

  private MobileNets() {}

  // ---------------------------------------------------------------- MobileNet (v1)

  static KerasModel mobileNet(int size) {
    ModelBuilder b = new ModelBuilder(String.format(Locale.ROOT, "mobilenet_%.2f_%d", 1.0, size));
    String x = b.input(size, size, 3);
    x = b.conv2d("conv1", 32, 3, 2, "same", false, null, x);
    x = b.batchNorm("conv1_bn", x);
    x = b.relu("conv1_relu", 6.0, x);
    int[][] blocks = { // pointwise filters, stride
      {64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2}, {512, 1}, {512, 1}, {512, 1},
      {512, 1}, {512, 1}, {1024, 2}, {1024, 1}
    };
    for (int i = 0; i < blocks.length; i++) {
      x = depthwiseSeparable(b, x, blocks[i][0], blocks[i][1], i + 1);
    }
    x = b.globalAvgPool(null, true, x);
    x = b.dropout("dropout", 1e-3, x);
    x = b.conv2d("conv_preds", 1000, 1, 1, "same", true, null, x);
    x = b.reshape("reshape_2", new int[] {1000}, x);
    b.activation("predictions", "softmax", x);
    return b.build();
  }

  /** A strided block pads bottom/right by one and convolves "valid", as Keras does. */
  private static String depthwiseSeparable(
      ModelBuilder b, String in, int pointwise, int stride, int id) {
    String x = in;
    if (stride != 1) {
      x = b.zeroPadding("conv_pad_" + id, 0, 1, 0, 1, x);
    }
    String padding = stride == 1 ? "same" : "valid";
    x = b.depthwise("conv_dw_" + id, 3, stride, padding, 1, false, null, x);
    x = b.batchNorm("conv_dw_" + id + "_bn", x);
    x = b.relu("conv_dw_" + id + "_relu", 6.0, x);
    x = b.conv2d("conv_pw_" + id, pointwise, 1, 1, "same", false, null, x);
    x = b.batchNorm("conv_pw_" + id + "_bn", x);
    return b.relu("conv_pw_" + id + "_relu", 6.0, x);
  }

  // ---------------------------------------------------------------- MobileNetV2

  static KerasModel mobileNetV2(int size) {
    ModelBuilder b = new ModelBuilder(String.format(Locale.ROOT, "mobilenetv2_%.2f_%d", 1.0, size));
    String x = b.input(size, size, 3);
    x = b.conv2d("Conv1", 32, 3, 2, "same", false, null, x);
    x = b.batchNorm("bn_Conv1", V2_MOMENTUM, V2_EPSILON, true, true, x);
    x = b.relu("Conv1_relu", 6.0, x);
    int[][] blocks = { // filters, stride, expansion
      {16, 1, 1}, {24, 2, 6}, {24, 1, 6}, {32, 2, 6}, {32, 1, 6}, {32, 1, 6},
      {64, 2, 6}, {64, 1, 6}, {64, 1, 6}, {64, 1, 6}, {96, 1, 6}, {96, 1, 6},
      {96, 1, 6}, {160, 2, 6}, {160, 1, 6}, {160, 1, 6}, {320, 1, 6}
    };
    for (int id = 0; id < blocks.length; id++) {
      x = invertedResidualV2(b, x, blocks[id][0], blocks[id][1], blocks[id][2], id);
    }
    x = b.conv2d("Conv_1", 1280, 1, 1, "valid", false, null, x);
    x = b.batchNorm("Conv_1_bn", V2_MOMENTUM, V2_EPSILON, true, true, x);
    x = b.relu("out_relu", 6.0, x);
    x = b.globalAvgPool(null, false, x);
    b.dense("predictions", 1000, "softmax", true, x);
    return b.build();
  }

  private static String invertedResidualV2(
      ModelBuilder b, String in, int filters, int stride, int expansion, int id) {
    int inChannels = b.channels(in);
    int pointwise = makeDivisible(filters, 8);
    String x = in;
    String prefix = "block_" + id + "_";
    if (id != 0) {
      x = b.conv2d(prefix + "expand", expansion * inChannels, 1, 1, "same", false, null, x);
      x = b.batchNorm(prefix + "expand_BN", V2_MOMENTUM, V2_EPSILON, true, true, x);
      x = b.relu(prefix + "expand_relu", 6.0, x);
    } else {
      prefix = "expanded_conv_";
    }
    if (stride == 2) {
      x = b.zeroPadding(prefix + "pad", correctPad(b, x, 3), x);
    }
    String padding = stride == 1 ? "same" : "valid";
    x = b.depthwise(prefix + "depthwise", 3, stride, padding, 1, false, null, x);
    x = b.batchNorm(prefix + "depthwise_BN", V2_MOMENTUM, V2_EPSILON, true, true, x);
    x = b.relu(prefix + "depthwise_relu", 6.0, x);
    x = b.conv2d(prefix + "project", pointwise, 1, 1, "same", false, null, x);
    x = b.batchNorm(prefix + "project_BN", V2_MOMENTUM, V2_EPSILON, true, true, x);
    if (inChannels == pointwise && stride == 1) {
      return b.add(prefix + "add", in, x);
    }
    return x;
  }

  // ---------------------------------------------------------------- MobileNetV3

  /** One bottleneck of MobileNetV3: expansion, filters, kernel, stride, SE?, hard-swish?. */
  private record V3Block(
      double expansion, int filters, int kernel, int stride, boolean se, boolean hardSwish) {}

  static KerasModel mobileNetV3Small(int size) {
    V3Block[] blocks = {
      new V3Block(1, 16, 3, 2, true, false),
      new V3Block(72.0 / 16, 24, 3, 2, false, false),
      new V3Block(88.0 / 24, 24, 3, 1, false, false),
      new V3Block(4, 40, 5, 2, true, true),
      new V3Block(6, 40, 5, 1, true, true),
      new V3Block(6, 40, 5, 1, true, true),
      new V3Block(3, 48, 5, 1, true, true),
      new V3Block(3, 48, 5, 1, true, true),
      new V3Block(6, 96, 5, 2, true, true),
      new V3Block(6, 96, 5, 1, true, true),
      new V3Block(6, 96, 5, 1, true, true)
    };
    return mobileNetV3("MobilenetV3small", blocks, 1024, size);
  }

  static KerasModel mobileNetV3Large(int size) {
    V3Block[] blocks = {
      new V3Block(1, 16, 3, 1, false, false),
      new V3Block(4, 24, 3, 2, false, false),
      new V3Block(3, 24, 3, 1, false, false),
      new V3Block(3, 40, 5, 2, true, false),
      new V3Block(3, 40, 5, 1, true, false),
      new V3Block(3, 40, 5, 1, true, false),
      new V3Block(6, 80, 3, 2, false, true),
      new V3Block(2.5, 80, 3, 1, false, true),
      new V3Block(2.3, 80, 3, 1, false, true),
      new V3Block(2.3, 80, 3, 1, false, true),
      new V3Block(6, 112, 3, 1, true, true),
      new V3Block(6, 112, 3, 1, true, true),
      new V3Block(6, 160, 5, 2, true, true),
      new V3Block(6, 160, 5, 1, true, true),
      new V3Block(6, 160, 5, 1, true, true)
    };
    return mobileNetV3("MobilenetV3large", blocks, 1280, size);
  }

  private static KerasModel mobileNetV3(
      String modelName, V3Block[] blocks, int lastPointChannels, int size) {
    ModelBuilder b = new ModelBuilder(modelName);
    String x = b.input(size, size, 3);
    x = b.rescaling(null, 1.0 / 127.5, -1.0, x);
    x = b.conv2d("Conv", 16, 3, 2, "same", false, null, x);
    x = b.batchNorm("Conv/BatchNorm", V2_MOMENTUM, V2_EPSILON, true, true, x);
    x = hardSwish(b, x);
    for (int id = 0; id < blocks.length; id++) {
      x = invertedResidualV3(b, x, blocks[id], id);
    }
    int lastConvChannels = makeDivisible(b.channels(x) * 6, 8);
    x = b.conv2d("Conv_1", lastConvChannels, 1, 1, "same", false, null, x);
    x = b.batchNorm("Conv_1/BatchNorm", V2_MOMENTUM, V2_EPSILON, true, true, x);
    x = hardSwish(b, x);
    x = b.globalAvgPool(null, true, x);
    x = b.conv2d("Conv_2", lastPointChannels, 1, 1, "same", true, null, x);
    x = hardSwish(b, x);
    x = b.dropout(null, 0.2, x);
    x = b.conv2d("Logits", 1000, 1, 1, "same", true, null, x);
    x = b.flatten(null, x);
    b.activation("Predictions", "softmax", x);
    return b.build();
  }

  private static String invertedResidualV3(ModelBuilder b, String in, V3Block block, int id) {
    int inChannels = b.channels(in);
    String prefix = "expanded_conv/";
    String x = in;
    int expanded = makeDivisible(inChannels * block.expansion(), 8);
    if (id != 0) {
      prefix = "expanded_conv_" + id + "/";
      x = b.conv2d(prefix + "expand", expanded, 1, 1, "same", false, null, x);
      x = b.batchNorm(prefix + "expand/BatchNorm", V2_MOMENTUM, V2_EPSILON, true, true, x);
      x = v3Activation(b, block, x);
    }
    if (block.stride() == 2) {
      x = b.zeroPadding(prefix + "depthwise/pad", correctPad(b, x, block.kernel()), x);
    }
    String padding = block.stride() == 1 ? "same" : "valid";
    x =
        b.depthwise(
            prefix + "depthwise", block.kernel(), block.stride(), padding, 1, false, null, x);
    x = b.batchNorm(prefix + "depthwise/BatchNorm", V2_MOMENTUM, V2_EPSILON, true, true, x);
    x = v3Activation(b, block, x);
    if (block.se()) {
      x = squeezeExcite(b, x, expanded, prefix);
    }
    x = b.conv2d(prefix + "project", block.filters(), 1, 1, "same", false, null, x);
    x = b.batchNorm(prefix + "project/BatchNorm", V2_MOMENTUM, V2_EPSILON, true, true, x);
    if (block.stride() == 1 && inChannels == block.filters()) {
      x = b.add(prefix + "Add", in, x);
    }
    return x;
  }

  private static String squeezeExcite(ModelBuilder b, String in, int filters, String prefix) {
    String x = b.globalAvgPool(prefix + "squeeze_excite/AvgPool", true, in);
    int reduced = makeDivisible(filters * 0.25, 8);
    x = b.conv2d(prefix + "squeeze_excite/Conv", reduced, 1, 1, "same", true, null, x);
    x = b.relu(prefix + "squeeze_excite/Relu", null, x);
    x = b.conv2d(prefix + "squeeze_excite/Conv_1", filters, 1, 1, "same", true, null, x);
    x = hardSigmoid(b, x);
    return b.multiply(prefix + "squeeze_excite/Mul", in, x);
  }

  private static String v3Activation(ModelBuilder b, V3Block block, String x) {
    return block.hardSwish() ? hardSwish(b, x) : b.relu(null, null, x);
  }

  /**
   * Keras 2 writes {@code hard_sigmoid(x) = ReLU(6)(x + 3) * (1/6)}: the two Python operators
   * become TFOpLambda layers around a ReLU layer.
   */
  private static String hardSigmoid(ModelBuilder b, String in) {
    String x = b.tfOpLambda("__operators__.add", 3.0, in);
    x = b.relu(null, 6.0, x);
    return b.tfOpLambda("math.multiply", 1.0 / 6.0, x);
  }

  /** {@code hard_swish(x) = Multiply()([x, hard_sigmoid(x)])}. */
  private static String hardSwish(ModelBuilder b, String in) {
    return b.multiply(null, in, hardSigmoid(b, in));
  }

  // ---------------------------------------------------------------- shared

  /** Keras' {@code _make_divisible} / {@code _depth}: round to a multiple, at most 10 % down. */
  static int makeDivisible(double value, int divisor) {
    int rounded = Math.max(divisor, (int) (value + divisor / 2.0) / divisor * divisor);
    if (rounded < 0.9 * value) {
      rounded += divisor;
    }
    return rounded;
  }

  /**
   * Keras' {@code imagenet_utils.correct_pad}: the zero padding before a strided "valid"
   * convolution that mimics TensorFlow's "same", one less on top/left for even sizes.
   */
  static int[][] correctPad(ModelBuilder b, String in, int kernel) {
    int adjustH = 1 - b.height(in) % 2;
    int adjustW = 1 - b.width(in) % 2;
    int correct = kernel / 2;
    return new int[][] {{correct - adjustH, correct}, {correct - adjustW, correct}};
  }
}
