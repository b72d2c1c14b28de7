package io.jouleflow.launcher.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jouleflow.launcher.keras.KerasGraphBuilder.BuiltModel;
import io.jouleflow.launcher.keras.KerasGraphBuilder.UnsupportedLayerException;
import io.jouleflow.predictor.keras.KerasFormatException;
import io.jouleflow.predictor.keras.KerasImport;
import io.jouleflow.predictor.keras.KerasJson;
import io.jouleflow.predictor.keras.KerasLayer;
import io.jouleflow.predictor.keras.KerasLayers;
import io.jouleflow.predictor.keras.KerasModel;
import io.jouleflow.predictor.layers.Layer;
import io.jouleflow.predictor.layers.LayerDetector;
import io.jouleflow.predictor.layers.LayerGraph;
import io.jouleflow.predictor.layers.LayerType;
import io.jouleflow.predictor.layers.NodeShapes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.types.TFloat32;

/**
 * Keras architectures built into real TensorFlow graphs: output shapes as Keras computes them,
 * values of the element-wise layers, reproducible weights, and what layer detection finds in the
 * graphs (one layer per Keras layer, with Keras' parameter counts).
 */
class KerasGraphBuilderTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BATCH = 2;

  // --- one layer at a time ------------------------------------------------------------------

  /**
   * A Keras layer on an input of {@code input} (without batch), with the output shape Keras gives,
   * the layer type and the parameter count Keras reports.
   */
  record Case(
      String name,
      String className,
      String config,
      int[] input,
      int[] output,
      LayerType type,
      long parameters) {
    @Override
    public String toString() {
      return name + " " + className + " " + config;
    }
  }

  static Stream<Case> singleLayers() {
    LayerType conv = LayerType.CONVOLUTIONAL;
    LayerType act = LayerType.ACTIVATION;
    LayerType pool = LayerType.POOLING;
    return Stream.of(
        // Conv2D SAME stride 2: 32 → 16; kh*kw*cin*cout + cout.
        new Case(
            "conv2d",
            "Conv2D",
            "{'filters': 8, 'kernel_size': [3, 3], 'strides': [2, 2], 'padding': 'same',"
                + " 'activation': 'relu'}",
            hwc(32, 32, 3),
            hwc(16, 16, 8),
            conv,
            3 * 3 * 3 * 8 + 8),
        // VALID with dilation 2: effective kernel 5, 16 → 12; no bias.
        new Case(
            "conv2d",
            "Conv2D",
            "{'filters': 4, 'kernel_size': 3, 'dilation_rate': 2, 'use_bias': false,"
                + " 'data_format': 'channels_last'}",
            hwc(16, 16, 3),
            hwc(12, 12, 4),
            conv,
            3 * 3 * 3 * 4),
        new Case(
            "depthwise_conv2d",
            "DepthwiseConv2D",
            "{'kernel_size': 3, 'depth_multiplier': 2, 'padding': 'same', 'activation': 'relu6'}",
            hwc(8, 8, 3),
            hwc(8, 8, 6),
            conv,
            3 * 3 * 3 * 2 + 6),
        new Case(
            "separable_conv2d",
            "SeparableConv2D",
            "{'filters': 5, 'kernel_size': 3, 'strides': 2, 'padding': 'same'}",
            hwc(8, 8, 6),
            hwc(4, 4, 5),
            conv,
            3 * 3 * 6 + 6 * 5 + 5),
        // Transposed: SAME → in*stride; VALID → in*stride + max(k - stride, 0);
        // output_padding → (in-1)*stride + k - 2*pad + output_padding.
        new Case(
            "conv2d_transpose",
            "Conv2DTranspose",
            "{'filters': 4, 'kernel_size': 3, 'strides': 2, 'padding': 'same'}",
            hwc(8, 8, 3),
            hwc(16, 16, 4),
            conv,
            3 * 3 * 4 * 3 + 4),
        new Case(
            "conv2d_transpose",
            "Conv2DTranspose",
            "{'filters': 4, 'kernel_size': 3, 'strides': 2, 'padding': 'valid'}",
            hwc(8, 8, 3),
            hwc(17, 17, 4),
            conv,
            3 * 3 * 4 * 3 + 4),
        new Case(
            "conv2d_transpose",
            "Conv2DTranspose",
            "{'filters': 4, 'kernel_size': [3, 4], 'strides': [2, 3], 'padding': 'valid',"
                + " 'output_padding': [1, 2]}",
            hwc(8, 8, 3),
            hwc(18, 27, 4),
            conv,
            3 * 4 * 4 * 3 + 4),
        new Case(
            "dense",
            "Dense",
            "{'units': 10, 'activation': 'softmax'}",
            hwc(20),
            hwc(10),
            LayerType.DENSE,
            20 * 10 + 10),
        // Dense on the last axis of a rank-3 input.
        new Case(
            "dense",
            "Dense",
            "{'units': 3, 'activation': 'tanh'}",
            hwc(5, 7),
            hwc(5, 3),
            LayerType.DENSE,
            7 * 3 + 3),
        // BN: Keras counts gamma, beta, moving mean and moving variance.
        new Case(
            "batch_normalization",
            "BatchNormalization",
            "{'axis': -1, 'epsilon': 0.001}",
            hwc(8, 8, 4),
            hwc(8, 8, 4),
            LayerType.NORMALIZATION,
            4 * 4),
        new Case(
            "batch_normalization",
            "BatchNormalization",
            "{'axis': [3], 'center': false, 'scale': false}",
            hwc(8, 8, 4),
            hwc(8, 8, 4),
            LayerType.NORMALIZATION,
            2 * 4),
        new Case(
            "batch_normalization",
            "BatchNormalization",
            "{}",
            hwc(6),
            hwc(6),
            LayerType.NORMALIZATION,
            4 * 6),
        new Case(
            "batch_normalization",
            "BatchNormalization",
            "{'axis': 1, 'center': false}",
            hwc(3, 5),
            hwc(3, 5),
            LayerType.NORMALIZATION,
            3 * 3),
        new Case(
            "re_lu",
            "ReLU",
            "{'max_value': 6.0, 'negative_slope': 0.0, 'threshold': 0.0}",
            hwc(4, 4, 2),
            hwc(4, 4, 2),
            act,
            0),
        new Case(
            "re_lu",
            "ReLU",
            "{'max_value': 1.5, 'negative_slope': 0.1, 'threshold': 0.5}",
            hwc(4, 4, 2),
            hwc(4, 4, 2),
            act,
            0),
        new Case("leaky_re_lu", "LeakyReLU", "{'alpha': 0.2}", hwc(4, 4, 2), hwc(4, 4, 2), act, 0),
        new Case("softmax", "Softmax", "{'axis': -1}", hwc(3, 4), hwc(3, 4), act, 0),
        new Case("softmax", "Softmax", "{'axis': 1}", hwc(3, 4), hwc(3, 4), act, 0),
        new Case(
            "max_pooling2d",
            "MaxPooling2D",
            "{'pool_size': [2, 2], 'padding': 'valid'}",
            hwc(9, 9, 3),
            hwc(4, 4, 3),
            pool,
            0),
        new Case(
            "max_pooling2d",
            "MaxPooling2D",
            "{'pool_size': 3, 'strides': 1, 'padding': 'valid'}",
            hwc(9, 9, 3),
            hwc(7, 7, 3),
            pool,
            0),
        new Case(
            "average_pooling2d",
            "AveragePooling2D",
            "{'pool_size': 3, 'strides': 2, 'padding': 'same'}",
            hwc(9, 9, 3),
            hwc(5, 5, 3),
            pool,
            0),
        new Case(
            "global_average_pooling2d",
            "GlobalAveragePooling2D",
            "{}",
            hwc(5, 5, 3),
            hwc(3),
            pool,
            0),
        new Case(
            "global_max_pooling2d",
            "GlobalMaxPooling2D",
            "{'keepdims': true}",
            hwc(5, 5, 3),
            hwc(1, 1, 3),
            pool,
            0),
        new Case(
            "zero_padding2d",
            "ZeroPadding2D",
            "{'padding': [[1, 2], [3, 4]]}",
            hwc(5, 6, 2),
            hwc(8, 13, 2),
            LayerType.PADDING,
            0),
        new Case(
            "zero_padding2d",
            "ZeroPadding2D",
            "{'padding': [2, 3]}",
            hwc(5, 6, 2),
            hwc(9, 12, 2),
            LayerType.PADDING,
            0),
        new Case(
            "zero_padding2d",
            "ZeroPadding2D",
            "{'padding': 1}",
            hwc(5, 6, 2),
            hwc(7, 8, 2),
            LayerType.PADDING,
            0),
        new Case(
            "reshape",
            "Reshape",
            "{'target_shape': [4, -1]}",
            hwc(4, 4, 2),
            hwc(4, 8),
            LayerType.RESHAPE,
            0),
        new Case("flatten", "Flatten", "{}", hwc(4, 4, 2), hwc(32), LayerType.RESHAPE, 0),
        new Case(
            "dropout",
            "Dropout",
            "{'rate': 0.5}",
            hwc(4, 4, 2),
            hwc(4, 4, 2),
            LayerType.DROPOUT,
            0),
        new Case(
            "rescaling",
            "Rescaling",
            "{'scale': 0.00392156862745098, 'offset': -1.0}",
            hwc(4, 4, 3),
            hwc(4, 4, 3),
            LayerType.RESCALING,
            0),
        new Case(
            "up_sampling2d",
            "UpSampling2D",
            "{'size': [2, 2]}",
            hwc(4, 5, 3),
            hwc(8, 10, 3),
            LayerType.UPSAMPLING,
            0),
        new Case(
            "up_sampling2d",
            "UpSampling2D",
            "{'size': [2, 3], 'interpolation': 'bilinear'}",
            hwc(4, 5, 3),
            hwc(8, 15, 3),
            LayerType.UPSAMPLING,
            0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("singleLayers")
  void eachLayerHasKerasOutputShapeAndIsOneDetectedLayerWithKerasParameters(Case c) {
    KerasModel model = sequential(c.input, layer(c.name, c.className, c.config));
    try (BuiltModel built = KerasGraphBuilder.build(model, BATCH, null, 1)) {
      assertThat(built.inputShapes()).containsExactly(Shape.of(withBatch(c.input)));
      assertThat(built.outputShapes()).containsExactly(Shape.of(withBatch(c.output)));
      float[] out = runFirstOutput(built, 3);
      assertThat(out).hasSize((int) Shape.of(withBatch(c.output)).size());
      assertAllFinite(out);

      LayerGraph layers = detect(built);
      assertThat(idsAndTypes(layers))
          .containsExactly(Map.entry("input_1", LayerType.INPUT_LAYER), Map.entry(c.name, c.type));
      assertThat(layers.layer(c.name).orElseThrow().features().parameters())
          .isEqualTo((double) c.parameters);
    }
  }

  @Test
  void opsCarryTheNamesKerasGivesThem() {
    KerasModel model =
        sequential(
            hwc(8, 8, 3),
            layer("conv2d", "Conv2D", "{'filters': 4, 'kernel_size': 3, 'activation': 'relu'}"),
            layer("batch_normalization", "BatchNormalization", "{}"),
            layer("max_pooling2d", "MaxPooling2D", "{}"),
            layer("separable_conv2d", "SeparableConv2D", "{'filters': 4, 'kernel_size': 1}"),
            layer("zero_padding2d", "ZeroPadding2D", "{}"),
            layer("flatten", "Flatten", "{}"),
            layer("dropout", "Dropout", "{'rate': 0.1}"),
            layer("dense", "Dense", "{'units': 2, 'activation': 'softmax'}"));
    try (BuiltModel built = KerasGraphBuilder.build(model, BATCH, null, 1)) {
      Map<String, String> ops = ops(built.graph());
      assertThat(ops)
          .containsEntry("input_1", "Placeholder")
          .containsEntry("conv2d/kernel", "VariableV2")
          .containsEntry("conv2d/Conv2D", "Conv2D")
          .containsEntry("conv2d/BiasAdd", "BiasAdd")
          .containsEntry("conv2d/Relu", "Relu")
          .containsEntry("batch_normalization/FusedBatchNormV3", "FusedBatchNormV3")
          .containsEntry("max_pooling2d/MaxPool", "MaxPool")
          .containsEntry("separable_conv2d/separable_conv2d/depthwise", "DepthwiseConv2dNative")
          .containsEntry("separable_conv2d/separable_conv2d", "Conv2D")
          .containsEntry("zero_padding2d/Pad", "Pad")
          .containsEntry("flatten/Reshape", "Reshape")
          .containsEntry("dropout/Identity", "Identity")
          .containsEntry("dense/MatMul", "MatMul")
          .containsEntry("dense/BiasAdd", "BiasAdd")
          .containsEntry("dense/Softmax", "Softmax");
      assertThat(ops.values()).doesNotContain("MaxPoolV2", "PadV2");
      assertThat(built.inputNames()).containsExactly("input_1");
      assertThat(built.outputNames()).containsExactly("dense/Softmax");
      assertThat(built.layerOutputs())
          .containsEntry("conv2d", "conv2d/Relu")
          .containsEntry("batch_normalization", "batch_normalization/FusedBatchNormV3");
      // Weights live in the graph as variables, not as constants built from Java arrays.
      assertThat(ops.entrySet())
          .filteredOn(e -> e.getValue().equals("Const"))
          .allSatisfy(
              e ->
                  assertThat(built.graph().operation(e.getKey()).output(0).shape().size())
                      .isLessThanOrEqualTo(8));
    }
  }

  // --- activations and element-wise layers: values ---------------------------------------------

  static Stream<Arguments> activations() {
    return Stream.of(
        Arguments.of("relu", (DoubleUnaryOperator) x -> Math.max(0, x)),
        Arguments.of("relu6", (DoubleUnaryOperator) x -> Math.min(6, Math.max(0, x))),
        Arguments.of("sigmoid", (DoubleUnaryOperator) KerasGraphBuilderTest::sigmoid),
        Arguments.of("tanh", (DoubleUnaryOperator) Math::tanh),
        Arguments.of("elu", (DoubleUnaryOperator) x -> x > 0 ? x : Math.expm1(x)),
        Arguments.of(
            "selu",
            (DoubleUnaryOperator)
                x -> 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * Math.expm1(x))),
        Arguments.of("softplus", (DoubleUnaryOperator) x -> Math.log1p(Math.exp(x))),
        Arguments.of("softsign", (DoubleUnaryOperator) x -> x / (1 + Math.abs(x))),
        Arguments.of("exponential", (DoubleUnaryOperator) Math::exp),
        Arguments.of("swish", (DoubleUnaryOperator) x -> x * sigmoid(x)),
        Arguments.of("silu", (DoubleUnaryOperator) x -> x * sigmoid(x)),
        Arguments.of("hard_sigmoid", (DoubleUnaryOperator) KerasGraphBuilderTest::hardSigmoid),
        Arguments.of("hard_swish", (DoubleUnaryOperator) x -> x * hardSigmoid(x)),
        Arguments.of("mish", (DoubleUnaryOperator) x -> x * Math.tanh(Math.log1p(Math.exp(x)))),
        Arguments.of("leaky_relu", (DoubleUnaryOperator) x -> x > 0 ? x : 0.2 * x),
        // gelu: 0.5 x (1 + erf(x / sqrt 2)); checked against a few known values below.
        Arguments.of("gelu", null),
        Arguments.of("linear", (DoubleUnaryOperator) x -> x));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("activations")
  void activationLayerComputesTheKerasFunction(String name, DoubleUnaryOperator expected) {
    KerasModel model =
        sequential(hwc(3, 4), layer("activation", "Activation", "{'activation': '" + name + "'}"));
    try (BuiltModel built = KerasGraphBuilder.build(model, BATCH, null, 1)) {
      float[] x = values(built.randomInput(0, 5));
      float[] y = runFirstOutput(built, 5);
      if (expected != null) {
        for (int i = 0; i < x.length; i++) {
          assertThat((double) y[i])
              .as("%s(%s)", name, x[i])
              .isCloseTo(expected.applyAsDouble(x[i]), within(1e-4 * (1 + Math.abs(y[i]))));
        }
      } else {
        for (int i = 0; i < x.length; i++) {
          double erfApprox =
              Math.tanh(Math.sqrt(2 / Math.PI) * (x[i] + 0.044715 * Math.pow(x[i], 3)));
          assertThat((double) y[i]).isCloseTo(0.5 * x[i] * (1 + erfApprox), within(2e-3));
        }
      }
      LayerGraph layers = detect(built);
      assertThat(layers.layer("activation").map(Layer::type)).contains(LayerType.ACTIVATION);
    }
  }

  @Test
  void softmaxActivationRowsSumToOne() {
    KerasModel model =
        sequential(hwc(3, 4), layer("activation", "Activation", "{'activation': 'softmax'}"));
    try (BuiltModel built = KerasGraphBuilder.build(model, BATCH, null, 1)) {
      float[] y = runFirstOutput(built, 5);
      for (int row = 0; row < y.length / 4; row++) {
        double sum = 0;
        for (int j = 0; j < 4; j++) {
          sum += y[row * 4 + j];
        }
        assertThat(sum).isCloseTo(1.0, within(1e-5));
      }
    }
  }

  @Test
  void softmaxLayerOverAnInnerAxisNormalisesThatAxis() {
    KerasModel model = sequential(hwc(3, 4), layer("softmax", "Softmax", "{'axis': 1}"));
    try (BuiltModel built = KerasGraphBuilder.build(model, BATCH, null, 1)) {
      float[] y = runFirstOutput(built, 5);
      for (int b = 0; b < BATCH; b++) {
        for (int j = 0; j < 4; j++) {
          double sum = 0;
          for (int i = 0; i < 3; i++) {
            sum += y[b * 12 + i * 4 + j];
          }
          assertThat(sum).isCloseTo(1.0, within(1e-5));
        }
      }
    }
  }

  @Test
  void reluLayerAppliesCapSlopeAndThresholdAsKeras() {
    // f(x) = max_value for x >= max_value; x for threshold <= x < max_value;
    // negative_slope * (x - threshold) otherwise.
    KerasModel model =
        sequential(
            hwc(4, 4, 2),
            layer("re_lu", "ReLU", "{'max_value': 1.5, 'negative_slope': 0.1, 'threshold': 0.5}"));
    try (BuiltModel built = KerasGraphBuilder.build(model, BATCH, null, 1)) {
      float[] x = values(built.randomInput(0, 9));
      float[] y = runFirstOutput(built, 9);
      for (int i = 0; i < x.length; i++) {
        double expected = x[i] >= 1.5 ? 1.5 : x[i] >= 0.5 ? x[i] : 0.1 * (x[i] - 0.5);
        assertThat((double) y[i]).isCloseTo(expected, within(1e-6));
      }
    }
  }

  @Test
  void elementWiseLayersComputeWhatKerasComputes() {
    KerasModel model =
        sequential(
            hwc(2, 3, 2),
            layer("rescaling", "Rescaling", "{'scale': 0.5, 'offset': -1.0}"),
            layer("dropout", "Dropout", "{'rate': 0.9}"),
            layer("zero_padding2d", "ZeroPadding2D", "{'padding': [[1, 0], [0, 1]]}"),
            layer("up_sampling2d", "UpSampling2D", "{'size': 2}"));
    try (BuiltModel built = KerasGraphBuilder.build(model, 1, null, 1)) {
      float[] x = values(built.randomInput(0, 3));
      float[] y = runFirstOutput(built, 3);
      // Padded: 3x4x2, row 0 and column 3 zero; upsampled: 6x8x2, each value 2x2 times.
      assertThat(built.outputShapes()).containsExactly(Shape.of(1, 6, 8, 2));
      for (int h = 0; h < 6; h++) {
        for (int w = 0; w < 8; w++) {
          for (int ch = 0; ch < 2; ch++) {
            int ph = h / 2;
            int pw = w / 2;
            double expected = ph == 0 || pw == 3 ? 0 : x[((ph - 1) * 3 + pw) * 2 + ch] * 0.5 - 1.0;
            assertThat((double) y[(h * 8 + w) * 2 + ch]).isCloseTo(expected, within(1e-6));
          }
        }
      }
    }
  }

  // --- merges, functional models -------------------------------------------------------------

  @Test
  void mergeLayersTakeTheirInputsInOrder() {
    KerasModel model =
        new KerasModel(
            "merges",
            List.of(
                input("input_1", "[null, 8, 8, 3]"),
                layer("conv2d", "Conv2D", "{'filters': 4, 'kernel_size': 1}", "input_1"),
                layer(
                    "conv2d_1",
                    "Conv2D",
                    "{'filters': 4, 'kernel_size': 3, 'padding': 'same'}",
                    "input_1"),
                layer("add", "Add", "{}", "conv2d", "conv2d_1", "conv2d"),
                layer("multiply", "Multiply", "{}", "add", "conv2d_1"),
                layer(
                    "concatenate", "Concatenate", "{'axis': -1}", "multiply", "input_1", "conv2d"),
                layer("global_average_pooling2d", "GlobalAveragePooling2D", "{}", "concatenate")),
            List.of("input_1"),
            List.of("global_average_pooling2d", "concatenate"));
    try (BuiltModel built = KerasGraphBuilder.build(model, BATCH, null, 1)) {
      assertThat(built.outputNames())
          .containsExactly("global_average_pooling2d/Mean", "concatenate/concat");
      assertThat(built.outputShapes())
          .containsExactly(Shape.of(BATCH, 4 + 3 + 4), Shape.of(BATCH, 8, 8, 4 + 3 + 4));
      Map<String, String> ops = ops(built.graph());
      assertThat(ops).containsEntry("add/add", "AddV2").containsEntry("add/add_1", "AddV2");
      GraphOperation concat = built.graph().operation("concatenate/concat");
      assertThat(concat.input(0).op().name()).isEqualTo("multiply/mul");
      assertThat(concat.input(1).op().name()).isEqualTo("input_1");
      assertThat(concat.input(2).op().name()).isEqualTo("conv2d/BiasAdd");

      try (Session session = built.newSession();
          TFloat32 x = built.randomInput(0, 1);
          Result result =
              session
                  .runner()
                  .feed("input_1", x)
                  .fetch("conv2d/BiasAdd")
                  .fetch("conv2d_1/BiasAdd")
                  .fetch("add/add_1")
                  .fetch("multiply/mul")
                  .run()) {
        float[] a = values((TFloat32) result.get(0));
        float[] b = values((TFloat32) result.get(1));
        float[] sum = values((TFloat32) result.get(2));
        float[] product = values((TFloat32) result.get(3));
        for (int i = 0; i < a.length; i++) {
          assertThat(sum[i]).isCloseTo(a[i] + b[i] + a[i], within(1e-4f));
          assertThat(product[i])
              .isCloseTo(sum[i] * b[i], within(1e-3f * (1 + Math.abs(product[i]))));
        }
      }

      LayerGraph layers = detect(built);
      assertThat(idsAndTypes(layers))
          .containsExactly(
              Map.entry("input_1", LayerType.INPUT_LAYER),
              Map.entry("conv2d", LayerType.CONVOLUTIONAL),
              Map.entry("conv2d_1", LayerType.CONVOLUTIONAL),
              Map.entry("add", LayerType.ADD),
              Map.entry("multiply", LayerType.MULTIPLY),
              Map.entry("concatenate", LayerType.CONCATENATE),
              Map.entry("global_average_pooling2d", LayerType.POOLING));
    }
  }

  @Test
  void kerasCnnIsDetectedAsOneLayerPerKerasLayerWithKerasParameterCounts() {
    KerasModel model = smallCnn();
    try (BuiltModel built = KerasGraphBuilder.build(model, 4, null, 1)) {
      LayerGraph layers = detect(built);
      Map<String, Double> parameters = new LinkedHashMap<>();
      layers.layers().forEach(l -> parameters.put(l.id(), l.features().parameters()));
      assertThat(parameters)
          .containsExactly(
              Map.entry("input_1", 0.0),
              Map.entry("rescaling", 0.0),
              Map.entry("conv2d", 3 * 3 * 3 * 8 + 8.0),
              Map.entry("batch_normalization", 4 * 8.0),
              Map.entry("re_lu", 0.0),
              Map.entry("max_pooling2d", 0.0),
              Map.entry("depthwise_conv2d", 3 * 3 * 8 + 8.0),
              Map.entry("conv2d_1", 8 * 16 + 16.0),
              Map.entry("activation", 0.0),
              Map.entry("global_average_pooling2d", 0.0),
              Map.entry("dropout", 0.0),
              Map.entry("dense", 16 * 10 + 10.0));
      assertThat(layers.layers().stream().map(Layer::type).toList())
          .containsExactly(
              LayerType.INPUT_LAYER,
              LayerType.RESCALING,
              LayerType.CONVOLUTIONAL,
              LayerType.NORMALIZATION,
              LayerType.ACTIVATION,
              LayerType.POOLING,
              LayerType.CONVOLUTIONAL,
              LayerType.CONVOLUTIONAL,
              LayerType.ACTIVATION,
              LayerType.POOLING,
              LayerType.DROPOUT,
              LayerType.DENSE);
      assertThat(layers.scopePrefix()).isEmpty();
    }
  }

  // --- weights --------------------------------------------------------------------------------

  @Test
  void sameSeedGivesSameOutputsAndAnotherSeedOthers() {
    float[] first;
    float[] again;
    float[] other;
    try (BuiltModel built = KerasGraphBuilder.build(smallCnn(), 2, null, 42)) {
      first = runFirstOutput(built, 7);
    }
    try (BuiltModel built = KerasGraphBuilder.build(smallCnn(), 2, null, 42)) {
      again = runFirstOutput(built, 7);
    }
    try (BuiltModel built = KerasGraphBuilder.build(smallCnn(), 2, null, 43)) {
      other = runFirstOutput(built, 7);
    }
    assertAllFinite(first);
    assertThat(again).containsExactly(first);
    assertThat(other).isNotEqualTo(first);
  }

  @Test
  void kernelsAreHeScaledAndBatchNormalisationStartsAsIdentity() {
    KerasModel model =
        sequential(
            hwc(8, 8, 16),
            layer("conv2d", "Conv2D", "{'filters': 64, 'kernel_size': 3}"),
            layer("batch_normalization", "BatchNormalization", "{}"));
    try (BuiltModel built = KerasGraphBuilder.build(model, 1, null, 3);
        Session session = built.newSession();
        Result result =
            session
                .runner()
                .fetch("conv2d/kernel")
                .fetch("conv2d/bias")
                .fetch("batch_normalization/gamma")
                .fetch("batch_normalization/moving_variance")
                .run()) {
      float[] kernel = values((TFloat32) result.get(0));
      double sumSquares = 0;
      for (float k : kernel) {
        sumSquares += k * k;
        // Truncated at two standard deviations.
        assertThat(Math.abs(k)).isLessThan((float) (2.01 * Math.sqrt(2.0 / (9 * 16)) / 0.8796));
      }
      assertThat(Math.sqrt(sumSquares / kernel.length))
          .isCloseTo(Math.sqrt(2.0 / (3 * 3 * 16)), within(0.01));
      assertThat(values((TFloat32) result.get(1))).containsOnly(0f);
      assertThat(values((TFloat32) result.get(2))).containsOnly(1f);
      assertThat(values((TFloat32) result.get(3))).containsOnly(1f);
    }
  }

  // --- inputs ---------------------------------------------------------------------------------

  @Test
  void inputHwcReplacesAnOpenInputShape() {
    KerasModel model =
        new KerasModel(
            "open",
            List.of(
                input("image", "[null, null, null, 3]"),
                layer(
                    "conv2d", "Conv2D", "{'filters': 2, 'kernel_size': 3, 'strides': 2}", "image")),
            List.of("image"),
            List.of("conv2d"));
    assertThatThrownBy(() -> KerasGraphBuilder.build(model, 1, null, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("image")
        .hasMessageContaining("inputHWC");
    try (BuiltModel built = KerasGraphBuilder.build(model, 3, new int[] {11, 9, 3}, 1)) {
      assertThat(built.inputNames()).containsExactly("image");
      assertThat(built.inputShapes()).containsExactly(Shape.of(3, 11, 9, 3));
      assertThat(built.outputShapes()).containsExactly(Shape.of(3, 5, 4, 2));
    }
  }

  @Test
  void layerNamesTensorFlowRejectsBecomeValidScopes() {
    KerasModel model =
        new KerasModel(
            "nested",
            List.of(
                input("input_1", "[null, 4]"),
                layer("inner/dense", "Dense", "{'units': 3}", "input_1"),
                layer("inner/dense@1", "Dense", "{'units': 3}", "inner/dense")),
            List.of("input_1"),
            List.of("inner/dense@1"));
    try (BuiltModel built = KerasGraphBuilder.build(model, 1, null, 1)) {
      assertThat(built.layerScopes())
          .containsEntry("inner/dense", "inner_dense")
          .containsEntry("inner/dense@1", "inner_dense_1");
      assertThat(built.outputNames()).containsExactly("inner_dense_1/BiasAdd");
      assertThat(idsAndTypes(detect(built)).keySet())
          .containsExactly("input_1", "inner_dense", "inner_dense_1");
    }
  }

  // --- errors ---------------------------------------------------------------------------------

  @Test
  void unsupportedClassIsAOneLineErrorNamingLayerClassAndSupportedClasses() {
    KerasModel model = sequential(hwc(4, 4, 3), layer("my_block", "MyBlock", "{'units': 3}"));
    assertThatThrownBy(() -> KerasGraphBuilder.build(model, 1, null, 1))
        .isInstanceOf(UnsupportedLayerException.class)
        .hasMessageContaining("'my_block' (MyBlock)")
        .hasMessageContaining("Conv2D")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void channelsFirstIsAOneLineError() {
    KerasModel model =
        sequential(
            hwc(3, 8, 8),
            layer(
                "conv2d",
                "Conv2D",
                "{'filters': 2, 'kernel_size': 3, 'data_format': 'channels_first'}"));
    assertThatThrownBy(() -> KerasGraphBuilder.build(model, 1, null, 1))
        .isInstanceOf(UnsupportedLayerException.class)
        .hasMessageContaining("'conv2d' (Conv2D)")
        .hasMessageContaining("channels_first")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void unsupportedActivationOrInterpolationIsAnUnsupportedLayer() {
    assertThatThrownBy(
            () ->
                KerasGraphBuilder.build(
                    sequential(
                        hwc(4), layer("dense", "Dense", "{'units': 2, 'activation': 'foo'}")),
                    1,
                    null,
                    1))
        .isInstanceOf(UnsupportedLayerException.class)
        .hasMessageContaining("activation foo");
    assertThatThrownBy(
            () ->
                KerasGraphBuilder.build(
                    sequential(
                        hwc(4, 4, 1),
                        layer("up_sampling2d", "UpSampling2D", "{'interpolation': 'lanczos5'}")),
                    1,
                    null,
                    1))
        .isInstanceOf(UnsupportedLayerException.class)
        .hasMessageContaining("interpolation lanczos5");
  }

  @Test
  void shapeErrorsNameTheLayer() {
    KerasModel model =
        new KerasModel(
            "bad",
            List.of(
                input("a", "[null, 4, 4, 3]"),
                input("b", "[null, 4, 4, 2]"),
                layer("add", "Add", "{}", "a", "b")),
            List.of("a", "b"),
            List.of("add"));
    assertThatThrownBy(() -> KerasGraphBuilder.build(model, 1, null, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("layer 'add' (Add): ");
  }

  // --- size -----------------------------------------------------------------------------------

  @Test
  void aDeepModelBuildsQuickly() {
    // Warm up class loading and the native library.
    try (BuiltModel warm = KerasGraphBuilder.build(deepCnn(4), 1, null, 1)) {
      assertThat(warm.outputShapes()).hasSize(1);
    }
    for (int blocks : new int[] {12, 75}) {
      KerasModel model = deepCnn(blocks);
      long start = System.nanoTime();
      try (BuiltModel built = KerasGraphBuilder.build(model, 1, null, 1)) {
        double ms = (System.nanoTime() - start) / 1e6;
        System.out.printf(
            "KerasGraphBuilder: %d layers built in %.0f ms%n", model.layers().size(), ms);
        assertThat(built.layerOutputs()).hasSize(model.layers().size());
      }
    }
  }

  @Test
  void vgg16BuildsWithoutJavaWeightArraysAndHasKerasParameterCount() {
    KerasModel model = vgg16();
    long start = System.nanoTime();
    try (BuiltModel built = KerasGraphBuilder.build(model, 1, null, 1)) {
      double ms = (System.nanoTime() - start) / 1e6;
      GraphDef def = built.graph().toGraphDef();
      System.out.printf(
          "KerasGraphBuilder: VGG16 (%d layers) built in %.0f ms, GraphDef %d bytes%n",
          model.layers().size(), ms, def.getSerializedSize());
      // Weights are variables with random initialisers: the graph itself stays small.
      assertThat(def.getSerializedSize()).isLessThan(200_000);
      assertThat(built.outputShapes()).containsExactly(Shape.of(1, 1000));
      LayerGraph layers = LayerDetector.detect(def, staticShapes(built.graph()));
      assertThat(layers.size()).isEqualTo(model.layers().size());
      double total = layers.layers().stream().mapToDouble(l -> l.features().parameters()).sum();
      // keras.applications.VGG16().count_params()
      assertThat(total).isEqualTo(138_357_544.0);
    }
  }

  // --- the importer's fixtures ----------------------------------------------------------------

  /**
   * Every fixture the importer parses either builds, or names the class it cannot build; a built
   * graph is detected as exactly the layers {@link KerasLayers#toLayerGraph} predicts from the JSON
   * alone: same ids, types, anchor ops, parameters, FLOPs and output shapes.
   */
  @Test
  void importedFixturesDetectAsTheLayersTheImporterPredicts() throws IOException {
    Path dir = Paths.get("../predictor/src/test/resources/keras");
    if (!Files.isDirectory(dir)) {
      return;
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    int built = 0;
    for (Path file : files) {
      String name = file.getFileName().toString();
      KerasModel model;
      try {
        model = KerasJson.parse(file);
      } catch (KerasFormatException e) {
        continue;
      }
      int[] hwc = openInput(model) ? new int[] {32, 32, 3} : null;
      if (model.layers().stream().anyMatch(l -> !SUPPORTED.contains(l.className()))) {
        assertThatThrownBy(() -> KerasGraphBuilder.build(model, 2, hwc, 1))
            .as(name)
            .isInstanceOf(UnsupportedLayerException.class);
        continue;
      }
      KerasImport predicted = KerasLayers.toLayerGraph(model, 2, hwc);
      try (BuiltModel model2 = KerasGraphBuilder.build(model, 2, hwc, 1)) {
        assertAllFinite(runFirstOutput(model2, 1));
        LayerGraph detected = detect(model2);
        assertThat(detected.size()).as(name).isEqualTo(model.layers().size());
        for (Layer expected : predicted.graph().layers()) {
          String what = name + " " + expected.id();
          Layer actual = detected.layer(model2.layerScopes().get(expected.id())).orElseThrow();
          assertThat(actual.type()).as(what).isEqualTo(expected.type());
          assertThat(actual.anchorOp()).as(what).isEqualTo(expected.anchorOp());
          assertThat(actual.features().parameters())
              .as(what)
              .isEqualTo(expected.features().parameters());
          assertThat(actual.features().flops()).as(what).isEqualTo(expected.features().flops());
          long[] shape =
              model2
                  .graph()
                  .operation(model2.layerOutputs().get(expected.id()))
                  .output(0)
                  .shape()
                  .asArray();
          assertThat(shape)
              .as(what)
              .containsExactly(
                  predicted.outputShapes().get(expected.id()).stream()
                      .mapToLong(Long::longValue)
                      .toArray());
        }
        if (name.startsWith("resnet50")) {
          // Keras' model.count_params() for ResNet50 (non-trainable BN statistics included).
          double total =
              detected.layers().stream().mapToDouble(l -> l.features().parameters()).sum();
          assertThat(total).isEqualTo(25_636_712.0);
        }
        built++;
      }
    }
    System.out.println("KerasGraphBuilder: " + built + " importer fixtures built and detected");
  }

  private static final java.util.Set<String> SUPPORTED =
      java.util.Set.of(KerasGraphBuilder.SUPPORTED.split(", *"));

  /** Whether some input of {@code model} has no complete shape in the file. */
  private static boolean openInput(KerasModel model) {
    try {
      KerasLayers.toLayerGraph(model, 1, null);
      return false;
    } catch (KerasFormatException e) {
      return true;
    }
  }

  // --- helpers --------------------------------------------------------------------------------

  /**
   * input (Rescaling) → conv → BN → ReLU → pool → depthwise → 1x1 conv → act → GAP → drop → dense.
   */
  static KerasModel smallCnn() {
    return sequential(
        hwc(16, 16, 3),
        layer("rescaling", "Rescaling", "{'scale': 0.5, 'offset': 0.0}"),
        layer("conv2d", "Conv2D", "{'filters': 8, 'kernel_size': 3, 'padding': 'same'}"),
        layer("batch_normalization", "BatchNormalization", "{'axis': 3}"),
        layer("re_lu", "ReLU", "{}"),
        layer("max_pooling2d", "MaxPooling2D", "{'pool_size': 2}"),
        layer("depthwise_conv2d", "DepthwiseConv2D", "{'kernel_size': 3, 'padding': 'same'}"),
        layer("conv2d_1", "Conv2D", "{'filters': 16, 'kernel_size': 1}"),
        layer("activation", "Activation", "{'activation': 'swish'}"),
        layer("global_average_pooling2d", "GlobalAveragePooling2D", "{}"),
        layer("dropout", "Dropout", "{'rate': 0.2}"),
        layer("dense", "Dense", "{'units': 10, 'activation': 'softmax'}"));
  }

  /** keras.applications.VGG16 with its layer names. */
  static KerasModel vgg16() {
    List<KerasLayer> layers = new ArrayList<>();
    layers.add(input("input_1", "[null, 224, 224, 3]"));
    String x = "input_1";
    int[][] blocks = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};
    for (int b = 0; b < blocks.length; b++) {
      for (int c = 0; c < blocks[b].length; c++) {
        String name = "block" + (b + 1) + "_conv" + (c + 1);
        layers.add(
            layer(
                name,
                "Conv2D",
                "{'filters': "
                    + blocks[b][c]
                    + ", 'kernel_size': [3, 3], 'padding': 'same', 'activation': 'relu'}",
                x));
        x = name;
      }
      String pool = "block" + (b + 1) + "_pool";
      layers.add(layer(pool, "MaxPooling2D", "{'pool_size': [2, 2], 'strides': [2, 2]}", x));
      x = pool;
    }
    layers.add(layer("flatten", "Flatten", "{}", x));
    layers.add(layer("fc1", "Dense", "{'units': 4096, 'activation': 'relu'}", "flatten"));
    layers.add(layer("fc2", "Dense", "{'units': 4096, 'activation': 'relu'}", "fc1"));
    layers.add(layer("predictions", "Dense", "{'units': 1000, 'activation': 'softmax'}", "fc2"));
    return new KerasModel("vgg16", layers, List.of("input_1"), List.of("predictions"));
  }

  /** {@code blocks} residual blocks of conv → BN → ReLU → add: 4 layers each. */
  static KerasModel deepCnn(int blocks) {
    List<KerasLayer> layers = new ArrayList<>();
    layers.add(input("input_1", "[null, 32, 32, 16]"));
    String x = "input_1";
    for (int i = 0; i < blocks; i++) {
      layers.add(
          layer(
              "conv2d_" + i, "Conv2D", "{'filters': 16, 'kernel_size': 3, 'padding': 'same'}", x));
      layers.add(layer("batch_normalization_" + i, "BatchNormalization", "{}", "conv2d_" + i));
      layers.add(layer("re_lu_" + i, "ReLU", "{}", "batch_normalization_" + i));
      layers.add(layer("add_" + i, "Add", "{}", x, "re_lu_" + i));
      x = "add_" + i;
    }
    layers.add(layer("global_average_pooling2d", "GlobalAveragePooling2D", "{}", x));
    layers.add(layer("dense", "Dense", "{'units': 10}", "global_average_pooling2d"));
    return new KerasModel("deep", layers, List.of("input_1"), List.of("dense"));
  }

  private static int[] hwc(int... dims) {
    return dims;
  }

  private static long[] withBatch(int[] dims) {
    long[] shape = new long[dims.length + 1];
    shape[0] = BATCH;
    for (int i = 0; i < dims.length; i++) {
      shape[i + 1] = dims[i];
    }
    return shape;
  }

  private static JsonNode config(String json) {
    try {
      return JSON.readTree(json.replace('\'', '"'));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static KerasLayer layer(String name, String className, String config, String... inbound) {
    return new KerasLayer(name, className, config(config), List.of(inbound));
  }

  static KerasLayer input(String name, String batchInputShape) {
    return layer(name, "InputLayer", "{'batch_input_shape': " + batchInputShape + "}");
  }

  /** An InputLayer {@code input_1} of shape {@code [null, input...]} and {@code layers} chained. */
  static KerasModel sequential(int[] input, KerasLayer... layers) {
    List<KerasLayer> chained = new ArrayList<>();
    String shape =
        "[null, "
            + String.join(", ", Arrays.stream(input).mapToObj(Integer::toString).toList())
            + "]";
    chained.add(input("input_1", shape));
    String previous = "input_1";
    for (KerasLayer l : layers) {
      chained.add(new KerasLayer(l.name(), l.className(), l.config(), List.of(previous)));
      previous = l.name();
    }
    return new KerasModel("model", chained, List.of("input_1"), List.of(previous));
  }

  /** Runs the model on {@code randomInput(i, seed)} for every input; output 0's values. */
  private static float[] runFirstOutput(BuiltModel built, long seed) {
    List<TFloat32> inputs = new ArrayList<>();
    try (Session session = built.newSession()) {
      Session.Runner runner = session.runner();
      for (int i = 0; i < built.inputNames().size(); i++) {
        TFloat32 x = built.randomInput(i, seed);
        inputs.add(x);
        runner.feed(built.inputNames().get(i), x);
      }
      try (Result result = runner.fetch(built.outputNames().get(0)).run()) {
        return values((TFloat32) result.get(0));
      }
    } finally {
      inputs.forEach(TFloat32::close);
    }
  }

  private static float[] values(TFloat32 t) {
    float[] values = new float[Math.toIntExact(t.shape().size())];
    t.asRawTensor().data().asFloats().read(values);
    return values;
  }

  private static void assertAllFinite(float[] values) {
    for (float v : values) {
      assertThat(Float.isFinite(v)).as("finite: %s", v).isTrue();
    }
  }

  private static LayerGraph detect(BuiltModel built) {
    return LayerDetector.detect(built.graph().toGraphDef(), staticShapes(built.graph()));
  }

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

  private static Map<String, String> ops(Graph g) {
    Map<String, String> ops = new LinkedHashMap<>();
    for (Iterator<GraphOperation> it = g.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      ops.put(op.name(), op.type());
    }
    return ops;
  }

  private static Map<String, LayerType> idsAndTypes(LayerGraph layers) {
    Map<String, LayerType> map = new LinkedHashMap<>();
    for (Layer layer : layers.layers()) {
      map.put(layer.id(), layer.type());
    }
    return map;
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  private static double hardSigmoid(double x) {
    return Math.min(6, Math.max(0, x + 3)) / 6;
  }
}
