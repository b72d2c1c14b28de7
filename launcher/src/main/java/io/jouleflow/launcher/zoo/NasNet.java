package io.jouleflow.launcher.zoo;

import io.jouleflow.predictor.keras.KerasModel;
import java.util.HashMap;
import java.util.Map;

/**
 * NASNetMobile as {@code keras.applications.nasnet} builds it with the top: NASNet-A with 4 normal
 * cells per stage and penultimate filters 1056 ("4 @ 1056"), stem filters 32, and no skipped
 * reductions. Cells are built from unnamed ReLUs and named separable convolutions, pools and adds
 * ({@code separable_conv_1_normal_left1_0}, {@code normal_add_1_0}, ...).
 */
final class NasNet {

  private static final double MOMENTUM = 0.9997;
  private static final double EPSILON = 1e-3;
  private static final int CHANNEL_AXIS = -1;

  private NasNet() {}

  /** A cell's output and the input it was given (the next cell's "previous" input). */
  private record Cell(String output, String previous) {}

  static KerasModel nasNetMobile(int size) {
    return nasNet(size, 1056, 4, 32, false, 2);
  }

  private static KerasModel nasNet(
      int size,
      int penultimateFilters,
      int numBlocks,
      int stemFilters,
      boolean skipReduction,
      int filterMultiplier) {
    ModelBuilder b = new ModelBuilder("NASNet");
    String x = b.input(size, size, 3);
    int filters = penultimateFilters / 24;
    b.kernelInitializer(ModelBuilder.initializer("HeNormal", nullSeed()));
    x = b.conv2d("stem_conv1", stemFilters, 3, 2, "valid", false, null, x);
    x = bn(b, "stem_bn1", x);

    String p = null;
    int m2 = filterMultiplier * filterMultiplier;
    Cell c = reductionCell(b, x, p, filters / m2, "stem_1");
    c = reductionCell(b, c.output(), c.previous(), filters / filterMultiplier, "stem_2");
    x = c.output();
    p = c.previous();
    for (int i = 0; i < numBlocks; i++) {
      c = normalCell(b, x, p, filters, Integer.toString(i));
      x = c.output();
      p = c.previous();
    }
    c = reductionCell(b, x, p, filters * filterMultiplier, "reduce_" + numBlocks);
    x = c.output();
    p = skipReduction ? p : c.previous();
    for (int i = 0; i < numBlocks; i++) {
      c = normalCell(b, x, p, filters * filterMultiplier, Integer.toString(numBlocks + i + 1));
      x = c.output();
      p = c.previous();
    }
    c = reductionCell(b, x, p, filters * m2, "reduce_" + (2 * numBlocks));
    x = c.output();
    p = skipReduction ? p : c.previous();
    for (int i = 0; i < numBlocks; i++) {
      c = normalCell(b, x, p, filters * m2, Integer.toString(2 * numBlocks + i + 1));
      x = c.output();
      p = c.previous();
    }
    x = b.activation(null, "relu", x);
    x = b.globalAvgPool(null, false, x);
    b.kernelInitializer(null);
    b.dense("predictions", 1000, "softmax", true, x);
    return b.build();
  }

  /** ReLU, separable conv (strided ones after a {@code correct_pad}), BN; twice. */
  private static String separableBlock(
      ModelBuilder b, String in, int filters, int kernel, int stride, String id) {
    String x = b.activation(null, "relu", in);
    String padding = "same";
    if (stride == 2) {
      x = b.zeroPadding("separable_conv_1_pad_" + id, MobileNets.correctPad(b, x, kernel), x);
      padding = "valid";
    }
    x = b.separable("separable_conv_1_" + id, filters, kernel, stride, padding, false, null, x);
    x = bn(b, "separable_conv_1_bn_" + id, x);
    x = b.activation(null, "relu", x);
    x = b.separable("separable_conv_2_" + id, filters, kernel, 1, "same", false, null, x);
    return bn(b, "separable_conv_2_bn_" + id, x);
  }

  /**
   * Brings the previous cell's output {@code p} to the shape of this cell's input {@code ip}: a
   * factorized reduction (two offset 1x1 strided paths, concatenated) when the resolution differs,
   * a 1x1 projection when only the channels do.
   */
  private static String adjust(ModelBuilder b, String p, String ip, int filters, String id) {
    if (p == null) {
      return ip;
    }
    if (b.width(p) != b.width(ip)) {
      p = b.activation("adjust_relu_1_" + id, "relu", p);
      String p1 = b.avgPool("adjust_avg_pool_1_" + id, 1, 2, "valid", p);
      p1 = b.conv2d("adjust_conv_1_" + id, filters / 2, 1, 1, "same", false, null, p1);
      String p2 = b.zeroPadding(null, 0, 1, 0, 1, p);
      p2 = b.cropping(null, 1, 0, 1, 0, p2);
      p2 = b.avgPool("adjust_avg_pool_2_" + id, 1, 2, "valid", p2);
      p2 = b.conv2d("adjust_conv_2_" + id, filters / 2, 1, 1, "same", false, null, p2);
      p = b.concatenate(null, CHANNEL_AXIS, p1, p2);
      return bn(b, "adjust_bn_" + id, p);
    }
    if (b.channels(p) != filters) {
      p = b.activation(null, "relu", p);
      p = b.conv2d("adjust_conv_projection_" + id, filters, 1, 1, "same", false, null, p);
      return bn(b, "adjust_bn_" + id, p);
    }
    return p;
  }

  private static Cell normalCell(ModelBuilder b, String ip, String p, int filters, String id) {
    p = adjust(b, p, ip, filters, id);
    String h = b.activation(null, "relu", ip);
    h = b.conv2d("normal_conv_1_" + id, filters, 1, 1, "same", false, null, h);
    h = bn(b, "normal_bn_1_" + id, h);

    String x11 = separableBlock(b, h, filters, 5, 1, "normal_left1_" + id);
    String x12 = separableBlock(b, p, filters, 3, 1, "normal_right1_" + id);
    String x1 = b.add("normal_add_1_" + id, x11, x12);

    String x21 = separableBlock(b, p, filters, 5, 1, "normal_left2_" + id);
    String x22 = separableBlock(b, p, filters, 3, 1, "normal_right2_" + id);
    String x2 = b.add("normal_add_2_" + id, x21, x22);

    String x3 = b.avgPool("normal_left3_" + id, 3, 1, "same", h);
    x3 = b.add("normal_add_3_" + id, x3, p);

    String x41 = b.avgPool("normal_left4_" + id, 3, 1, "same", p);
    String x42 = b.avgPool("normal_right4_" + id, 3, 1, "same", p);
    String x4 = b.add("normal_add_4_" + id, x41, x42);

    String x5 = separableBlock(b, h, filters, 3, 1, "normal_left5_" + id);
    x5 = b.add("normal_add_5_" + id, x5, h);

    String x = b.concatenate("normal_concat_" + id, CHANNEL_AXIS, p, x1, x2, x3, x4, x5);
    return new Cell(x, ip);
  }

  private static Cell reductionCell(ModelBuilder b, String ip, String p, int filters, String id) {
    p = adjust(b, p, ip, filters, id);
    String h = b.activation(null, "relu", ip);
    h = b.conv2d("reduction_conv_1_" + id, filters, 1, 1, "same", false, null, h);
    h = bn(b, "reduction_bn_1_" + id, h);
    String h3 = b.zeroPadding("reduction_pad_1_" + id, MobileNets.correctPad(b, h, 3), h);

    String x11 = separableBlock(b, h, filters, 5, 2, "reduction_left1_" + id);
    String x12 = separableBlock(b, p, filters, 7, 2, "reduction_right1_" + id);
    String x1 = b.add("reduction_add_1_" + id, x11, x12);

    String x21 = b.maxPool("reduction_left2_" + id, 3, 2, "valid", h3);
    String x22 = separableBlock(b, p, filters, 7, 2, "reduction_right2_" + id);
    String x2 = b.add("reduction_add_2_" + id, x21, x22);

    String x31 = b.avgPool("reduction_left3_" + id, 3, 2, "valid", h3);
    String x32 = separableBlock(b, p, filters, 5, 2, "reduction_right3_" + id);
    String x3 = b.add("reduction_add3_" + id, x31, x32);

    String x4 = b.avgPool("reduction_left4_" + id, 3, 1, "same", x1);
    x4 = b.add(null, x2, x4);

    String x51 = separableBlock(b, x1, filters, 3, 1, "reduction_left4_" + id);
    String x52 = b.maxPool("reduction_right5_" + id, 3, 2, "valid", h3);
    String x5 = b.add("reduction_add4_" + id, x51, x52);

    String x = b.concatenate("reduction_concat_" + id, CHANNEL_AXIS, x2, x3, x4, x5);
    return new Cell(x, ip);
  }

  private static String bn(ModelBuilder b, String name, String in) {
    return b.batchNorm(name, MOMENTUM, EPSILON, true, true, in);
  }

  private static Map<String, Object> nullSeed() {
    Map<String, Object> m = new HashMap<>();
    m.put("seed", null);
    return m;
  }
}
