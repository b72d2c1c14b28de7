package io.jouleflow.launcher.keras;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.predictor.keras.KerasJson;
import io.jouleflow.predictor.keras.KerasLayers;
import io.jouleflow.predictor.layers.Layer;
import io.jouleflow.predictor.layers.LayerDetector;
import io.jouleflow.predictor.layers.LayerFeatures;
import io.jouleflow.predictor.layers.LayerGraph;
import io.jouleflow.predictor.layers.NodeShapes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;

/**
 * The features computed from a Keras JSON equal those {@link LayerDetector} finds in the TensorFlow
 * graph Keras 2 builds for the same model: each graph here is written op by op as Keras names and
 * emits them (scopes, Conv2D + BiasAdd + activation, FusedBatchNormV3, MaxPool with attributes,
 * Pad, ...), next to the JSON of the same model.
 */
class KerasLayersMatchDetectorTest {

  private static final List<Long> STRIDE_1 = List.of(1L, 1L, 1L, 1L);
  private static final List<Long> STRIDE_2 = List.of(1L, 2L, 2L, 1L);

  @Test
  void cnnWithNormalizationPoolingFlattenDropoutAndDenseMatchesTheDetector() {
    String json =
        """
{"class_name": "Sequential", "config": {"name": "cnn", "layers": [
  {"class_name": "InputLayer", "config": {"name": "input", "batch_input_shape": [null, 16, 16, 3], "dtype": "float32"}},
  {"class_name": "Conv2D", "config": {"name": "conv2d", "filters": 8, "kernel_size": [3, 3], "strides": [1, 1], "padding": "same", "activation": "relu", "use_bias": true}},
  {"class_name": "BatchNormalization", "config": {"name": "batch_normalization", "axis": [3], "center": true, "scale": true}},
  {"class_name": "ReLU", "config": {"name": "re_lu", "max_value": null, "negative_slope": 0.0, "threshold": 0.0}},
  {"class_name": "MaxPooling2D", "config": {"name": "max_pooling2d", "pool_size": [2, 2], "strides": [2, 2], "padding": "valid"}},
  {"class_name": "Conv2D", "config": {"name": "conv2d_1", "filters": 16, "kernel_size": [3, 3], "strides": [2, 2], "padding": "same", "activation": "linear", "use_bias": true}},
  {"class_name": "Activation", "config": {"name": "activation", "activation": "relu"}},
  {"class_name": "Flatten", "config": {"name": "flatten"}},
  {"class_name": "Dropout", "config": {"name": "dropout", "rate": 0.25}},
  {"class_name": "Dense", "config": {"name": "dense", "units": 10, "activation": "linear", "use_bias": true}},
  {"class_name": "Softmax", "config": {"name": "softmax", "axis": -1}}]}}
""";
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Weights w = new Weights(tf);
      Operand<TFloat32> x =
          tf.withName("input")
              .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 16, 16, 3)));
      x = conv(tf, w, "conv2d", x, 3, 3, 3, 8, STRIDE_1, "SAME", true);
      Ops b = tf.withSubScope("batch_normalization");
      x =
          b.withName("FusedBatchNormV3")
              .nn
              .fusedBatchNorm(
                  x,
                  w.named(b, "gamma", 8),
                  w.named(b, "beta", 8),
                  w.named(b, "moving_mean", 8),
                  w.positive(b, "moving_variance", 8),
                  FusedBatchNorm.isTraining(false))
              .y();
      x = tf.withSubScope("re_lu").withName("Relu").nn.relu(x);
      x = window(g, tf, "MaxPool", "max_pooling2d/MaxPool", x, 2, 2, "VALID");
      x = conv(tf, w, "conv2d_1", x, 3, 3, 8, 16, STRIDE_2, "SAME", false);
      x = tf.withSubScope("activation").withName("Relu").nn.relu(x);
      Ops f = tf.withSubScope("flatten");
      x = f.withName("Reshape").reshape(x, f.withName("Const").constant(new int[] {-1, 256}));
      x = tf.withSubScope("dropout").withName("Identity").identity(x);
      x = dense(tf, w, "dense", x, 256, 10, false);
      tf.withSubScope("softmax").withName("Softmax").nn.softmax(x);

      assertSameLayers(json, g, 4);
    }
  }

  @Test
  void paddingDepthwiseSeparableTransposedConcatAddUpsamplingAndGlobalPoolingMatchTheDetector() {
    String json =
        """
{"class_name": "Functional", "config": {"name": "mixed", "layers": [
  {"class_name": "InputLayer", "name": "input", "config": {"name": "input", "batch_input_shape": [null, 8, 8, 3]}, "inbound_nodes": []},
  {"class_name": "ZeroPadding2D", "name": "zero_padding2d", "config": {"padding": [[1, 1], [1, 1]]}, "inbound_nodes": [[["input", 0, 0, {}]]]},
  {"class_name": "DepthwiseConv2D", "name": "depthwise_conv2d", "config": {"kernel_size": [3, 3], "strides": [1, 1], "padding": "valid", "depth_multiplier": 2, "activation": "relu6", "use_bias": true}, "inbound_nodes": [[["zero_padding2d", 0, 0, {}]]]},
  {"class_name": "Conv2D", "name": "conv2d", "config": {"filters": 10, "kernel_size": [1, 1], "strides": [1, 1], "padding": "valid", "activation": "linear", "use_bias": true}, "inbound_nodes": [[["depthwise_conv2d", 0, 0, {}]]]},
  {"class_name": "SeparableConv2D", "name": "separable_conv2d", "config": {"filters": 5, "kernel_size": [3, 3], "strides": [2, 2], "padding": "same", "depth_multiplier": 1, "activation": "linear", "use_bias": true}, "inbound_nodes": [[["depthwise_conv2d", 0, 0, {}]]]},
  {"class_name": "Conv2DTranspose", "name": "conv2d_transpose", "config": {"filters": 4, "kernel_size": [3, 3], "strides": [2, 2], "padding": "same", "output_padding": null, "activation": "linear", "use_bias": true}, "inbound_nodes": [[["separable_conv2d", 0, 0, {}]]]},
  {"class_name": "Concatenate", "name": "concatenate", "config": {"axis": -1}, "inbound_nodes": [[["depthwise_conv2d", 0, 0, {}], ["conv2d_transpose", 0, 0, {}]]]},
  {"class_name": "Add", "name": "add", "config": {}, "inbound_nodes": [[["concatenate", 0, 0, {}], ["conv2d", 0, 0, {}]]]},
  {"class_name": "UpSampling2D", "name": "up_sampling2d", "config": {"size": [2, 2], "interpolation": "nearest"}, "inbound_nodes": [[["add", 0, 0, {}]]]},
  {"class_name": "GlobalAveragePooling2D", "name": "global_average_pooling2d", "config": {"keepdims": false}, "inbound_nodes": [[["up_sampling2d", 0, 0, {}]]]},
  {"class_name": "Dense", "name": "dense", "config": {"units": 3, "activation": "sigmoid"}, "inbound_nodes": [[["global_average_pooling2d", 0, 0, {}]]]}],
  "input_layers": [["input", 0, 0]], "output_layers": [["dense", 0, 0]]}}
""";
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Weights w = new Weights(tf);
      Operand<TFloat32> input =
          tf.withName("input")
              .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8, 8, 3)));
      Ops p = tf.withSubScope("zero_padding2d");
      Operand<TFloat32> padded =
          g.<TFloat32>opBuilder("Pad", "zero_padding2d/Pad", tf.scope())
              .addInput(input.asOutput())
              .addInput(
                  p.withName("paddings")
                      .constant(new int[][] {{0, 0}, {1, 1}, {1, 1}, {0, 0}})
                      .asOutput())
              .build()
              .output(0);
      Ops d = tf.withSubScope("depthwise_conv2d");
      Operand<TFloat32> dw =
          d.withName("depthwise")
              .nn
              .depthwiseConv2dNative(
                  padded, w.named(d, "depthwise_kernel", 3, 3, 3, 2), STRIDE_1, "VALID");
      dw = d.withName("BiasAdd").nn.biasAdd(dw, w.named(d, "bias", 6));
      dw = d.withName("Relu6").nn.relu6(dw);
      Operand<TFloat32> pointwise =
          conv(tf, w, "conv2d", dw, 1, 1, 6, 10, STRIDE_1, "VALID", false);
      Ops s = tf.withSubScope("separable_conv2d");
      Operand<TFloat32> sep =
          s.withSubScope("separable_conv2d")
              .withName("depthwise")
              .nn
              .depthwiseConv2dNative(
                  dw, w.named(s, "depthwise_kernel", 3, 3, 6, 1), STRIDE_2, "SAME");
      sep =
          s.withName("separable_conv2d")
              .nn
              .conv2d(sep, w.named(s, "pointwise_kernel", 1, 1, 6, 5), STRIDE_1, "VALID");
      sep = s.withName("BiasAdd").nn.biasAdd(sep, w.named(s, "bias", 5));
      Ops t = tf.withSubScope("conv2d_transpose");
      Operand<TFloat32> up =
          t.withName("conv2d_transpose")
              .nn
              .conv2dBackpropInput(
                  t.withName("stack").constant(new int[] {2, 8, 8, 4}),
                  w.named(t, "kernel", 3, 3, 4, 5),
                  sep,
                  STRIDE_2,
                  "SAME");
      up = t.withName("BiasAdd").nn.biasAdd(up, w.named(t, "bias", 4));
      Ops c = tf.withSubScope("concatenate");
      Operand<TFloat32> cat =
          c.withName("concat").concat(List.of(dw, up), c.withName("axis").constant(3));
      Operand<TFloat32> sum =
          g.<TFloat32>opBuilder("AddV2", "add/add", tf.scope())
              .addInput(cat.asOutput())
              .addInput(pointwise.asOutput())
              .build()
              .output(0);
      Ops u = tf.withSubScope("up_sampling2d");
      Operand<TFloat32> resized =
          u.withName("ResizeNearestNeighbor")
              .image
              .resizeNearestNeighbor(sum, u.withName("size").constant(new int[] {16, 16}));
      Ops gp = tf.withSubScope("global_average_pooling2d");
      Operand<TFloat32> pooled =
          gp.withName("Mean")
              .math
              .mean(resized, gp.withName("reduction_indices").constant(new int[] {1, 2}));
      dense(tf, w, "dense", pooled, 10, 3, true);

      assertSameLayers(json, g, 2);
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** Same ids, types, anchor ops and features (rate aside: only the JSON still has it). */
  private static void assertSameLayers(String json, Graph g, int batch) {
    LayerGraph fromKeras =
        KerasLayers.toLayerGraph(KerasJson.parse(json, "twin"), batch, null).graph();
    LayerGraph fromGraph = LayerDetector.detect(g.toGraphDef(), staticShapes(g).withBatch(batch));

    assertThat(ids(fromKeras)).isEqualTo(ids(fromGraph));
    for (Layer keras : fromKeras.layers()) {
      Layer detected = fromGraph.layer(keras.id()).orElseThrow();
      assertThat(keras.type()).as(keras.id()).isEqualTo(detected.type());
      assertThat(keras.anchorOp()).as(keras.id()).isEqualTo(detected.anchorOp());
      assertThat(withoutRate(keras.features()))
          .as(keras.id())
          .isEqualTo(withoutRate(detected.features()));
    }
  }

  private static Map<String, Double> withoutRate(LayerFeatures features) {
    Map<String, Double> map = new LinkedHashMap<>(features.asMap());
    map.remove(LayerFeatures.RATE);
    return map;
  }

  private static List<String> ids(LayerGraph graph) {
    return graph.layers().stream().map(Layer::id).toList();
  }

  private static Operand<TFloat32> conv(
      Ops tf,
      Weights w,
      String scope,
      Operand<TFloat32> x,
      long kh,
      long kw,
      long in,
      long out,
      List<Long> strides,
      String padding,
      boolean relu) {
    Ops s = tf.withSubScope(scope);
    Operand<TFloat32> y =
        s.withName("Conv2D").nn.conv2d(x, w.named(s, "kernel", kh, kw, in, out), strides, padding);
    y = s.withName("BiasAdd").nn.biasAdd(y, w.named(s, "bias", out));
    return relu ? s.withName("Relu").nn.relu(y) : y;
  }

  private static Operand<TFloat32> dense(
      Ops tf, Weights w, String scope, Operand<TFloat32> x, long in, long units, boolean sigmoid) {
    Ops s = tf.withSubScope(scope);
    Operand<TFloat32> y = s.withName("MatMul").linalg.matMul(x, w.named(s, "kernel", in, units));
    y = s.withName("BiasAdd").nn.biasAdd(y, w.named(s, "bias", units));
    return sigmoid ? s.withName("Sigmoid").math.sigmoid(y) : y;
  }

  /** A pooling op with its window in attributes, as Keras emits it. */
  private static Operand<TFloat32> window(
      Graph g,
      Ops tf,
      String op,
      String name,
      Operand<TFloat32> x,
      long size,
      long stride,
      String padding) {
    return g.<TFloat32>opBuilder(op, name, tf.scope())
        .addInput(x.asOutput())
        .setAttr("ksize", new long[] {1, size, size, 1})
        .setAttr("strides", new long[] {1, stride, stride, 1})
        .setAttr("padding", padding)
        .build()
        .output(0);
  }

  /** The static shapes a live graph knows (batch -1). */
  private static NodeShapes staticShapes(Graph g) {
    Map<String, List<long[]>> shapes = new HashMap<>();
    for (Iterator<GraphOperation> it = g.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      List<long[]> outputs = new ArrayList<>();
      for (int i = 0; i < op.numOutputs(); i++) {
        Shape shape = op.output(i).shape();
        outputs.add(shape == null || shape.isUnknown() ? null : shape.asArray());
      }
      shapes.put(op.name(), outputs);
    }
    return NodeShapes.of(shapes);
  }

  /** Float constants with small reproducible values, named in a layer's scope. */
  private static final class Weights {
    private final Random random = new Random(11);

    Weights(Ops tf) {}

    Operand<TFloat32> named(Ops scope, String name, long... shape) {
      return scope.withName(name).constant(Shape.of(shape), DataBuffers.of(values(shape, false)));
    }

    Operand<TFloat32> positive(Ops scope, String name, long... shape) {
      return scope.withName(name).constant(Shape.of(shape), DataBuffers.of(values(shape, true)));
    }

    private float[] values(long[] shape, boolean positive) {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      float[] values = new float[(int) n];
      for (int i = 0; i < values.length; i++) {
        float v = (float) (random.nextGaussian() * 0.1);
        values[i] = positive ? Math.abs(v) + 0.5f : v;
      }
      return values;
    }
  }
}
