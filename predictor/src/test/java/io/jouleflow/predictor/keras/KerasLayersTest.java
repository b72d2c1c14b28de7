package io.jouleflow.predictor.keras;

import static io.jouleflow.predictor.keras.KerasJsonFixtures.load;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.jouleflow.predictor.layers.Layer;
import io.jouleflow.predictor.layers.LayerFeatures;
import io.jouleflow.predictor.layers.LayerFeatures.Variant;
import io.jouleflow.predictor.layers.LayerGraph;
import io.jouleflow.predictor.layers.LayerType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shapes, types and features of Keras layers, computed in Java from the configs. */
class KerasLayersTest {

  @Test
  void mnistConvnetHasKerasPublishedShapesAndParameterCounts() {
    // keras.io "Simple MNIST convnet": summary shows 320, 18,496 and 16,010; total 34,826.
    KerasImport imported = KerasLayers.toLayerGraph(load("mnist_sequential_keras22.json"), 1, null);

    assertThat(imported.outputShapes())
        .containsExactly(
            entry("conv2d_1_input", List.of(1L, 28L, 28L, 1L)),
            entry("conv2d_1", List.of(1L, 26L, 26L, 32L)),
            entry("max_pooling2d_1", List.of(1L, 13L, 13L, 32L)),
            entry("conv2d_2", List.of(1L, 11L, 11L, 64L)),
            entry("max_pooling2d_2", List.of(1L, 5L, 5L, 64L)),
            entry("flatten_1", List.of(1L, 1600L)),
            entry("dropout_1", List.of(1L, 1600L)),
            entry("dense_1", List.of(1L, 10L)));
    LayerGraph graph = imported.graph();
    assertThat(params(graph, "conv2d_1")).isEqualTo(320);
    assertThat(params(graph, "conv2d_2")).isEqualTo(18_496);
    assertThat(params(graph, "dense_1")).isEqualTo(16_010);
    assertThat(totalParams(graph)).isEqualTo(34_826);
    assertThat(imported.unknownClasses()).isEmpty();
    assertThat(imported.warning()).isEmpty();
  }

  @Test
  void mnistConvnetFeaturesForABatchOf32() {
    LayerGraph graph =
        KerasLayers.toLayerGraph(load("mnist_sequential_keras22.json"), 32, null).graph();

    assertThat(graph.layers())
        .extracting(Layer::type)
        .containsExactly(
            LayerType.INPUT_LAYER,
            LayerType.CONVOLUTIONAL,
            LayerType.POOLING,
            LayerType.CONVOLUTIONAL,
            LayerType.POOLING,
            LayerType.RESHAPE,
            LayerType.DROPOUT,
            LayerType.DENSE);

    Layer input = graph.layer("conv2d_1_input").orElseThrow();
    assertThat(input.anchorOp()).isEqualTo("Placeholder");
    assertThat(input.nodes()).containsExactly("conv2d_1_input");
    LayerFeatures in = input.features();
    assertThat(in.inputSize()).isEqualTo(784);
    assertThat(in.outputSize()).isEqualTo(784);
    assertThat(in.flops()).isZero();
    // An InputLayer reads nothing: it moves only its output.
    assertThat(in.bytesMoved()).isEqualTo(32.0 * 784 * 4);

    // conv2d_1: 3x3x1→32, VALID, stride 1: 28x28x1 → 26x26x32 (21632 per example).
    LayerFeatures conv = features(graph, "conv2d_1");
    assertThat(conv.batchSize()).isEqualTo(32);
    assertThat(conv.numberOfLayers()).isEqualTo(8);
    assertThat(conv.inputSize()).isEqualTo(784);
    assertThat(conv.outputSize()).isEqualTo(21_632);
    assertThat(conv.filters()).isEqualTo(32);
    assertThat(conv.kernelSize()).isEqualTo(9);
    assertThat(conv.stride()).isEqualTo(1);
    assertThat(conv.padding()).isZero();
    assertThat(conv.variant()).isEqualTo(Variant.STANDARD);
    assertThat(conv.parameters()).isEqualTo(3 * 3 * 1 * 32 + 32);
    // Conv2D 2·N·Ho·Wo·Cout·kh·kw·Cin, then BiasAdd and Relu one per output element each.
    assertThat(conv.flops()).isEqualTo(2.0 * 32 * 21_632 * 9 * 1 + 2.0 * 32 * 21_632);
    assertThat(conv.bytesMoved()).isEqualTo(32.0 * (784 + 21_632) * 4 + 320 * 4);
    assertThat(conv.hiddenSize()).isNaN();

    LayerFeatures pool = features(graph, "max_pooling2d_1");
    assertThat(pool.poolSize()).isEqualTo(4);
    assertThat(pool.stride()).isEqualTo(2);
    assertThat(pool.padding()).isZero();
    assertThat(pool.filters()).isEqualTo(1);
    assertThat(pool.parameters()).isZero();
    assertThat(pool.flops()).isEqualTo(32.0 * 5408 * 4);

    LayerFeatures flatten = features(graph, "flatten_1");
    assertThat(flatten.targetShape()).isEqualTo(1600);
    assertThat(flatten.flops()).isZero();

    LayerFeatures dropout = features(graph, "dropout_1");
    assertThat(dropout.rate()).isEqualTo(0.5);
    assertThat(dropout.flops()).isZero();
    assertThat(graph.layer("dropout_1").orElseThrow().anchorOp()).isEqualTo("Identity");

    LayerFeatures dense = features(graph, "dense_1");
    assertThat(dense.hiddenSize()).isEqualTo(10);
    assertThat(dense.inputSize()).isEqualTo(1600);
    assertThat(dense.parameters()).isEqualTo(1600 * 10 + 10);
    // MatMul 2·N·out·in, BiasAdd and Softmax.
    assertThat(dense.flops()).isEqualTo(2.0 * 32 * 10 * 1600 + 2.0 * 32 * 10);
    assertThat(dense.asMap())
        .containsEntry("hidden_size", 10.0)
        .doesNotContainKeys("filters", "kernel_size", "variant_standard");
  }

  @Test
  void residualAddConcatenateDepthwiseNormalizationAndGlobalPooling() {
    LayerGraph graph =
        KerasLayers.toLayerGraph(load("residual_concat_keras2.json"), 2, null).graph();

    // batch_normalization on 32x32x16: gamma, beta, moving mean and variance.
    LayerFeatures bn = features(graph, "batch_normalization");
    assertThat(graph.layer("batch_normalization").orElseThrow().type())
        .isEqualTo(LayerType.NORMALIZATION);
    assertThat(bn.parameters()).isEqualTo(4 * 16);
    assertThat(bn.flops()).isEqualTo(2.0 * 2 * 16_384);

    // conv2d_1: no bias, linear: the convolution alone.
    LayerFeatures conv1 = features(graph, "conv2d_1");
    assertThat(conv1.parameters()).isEqualTo(3 * 3 * 16 * 16);
    assertThat(conv1.flops()).isEqualTo(2.0 * 2 * 16_384 * 9 * 16);
    assertThat(conv1.padding()).isEqualTo(1);

    LayerFeatures add = features(graph, "add");
    assertThat(graph.layer("add").orElseThrow().type()).isEqualTo(LayerType.ADD);
    assertThat(add.inputSize()).isEqualTo(2 * 16_384);
    assertThat(add.outputSize()).isEqualTo(16_384);
    assertThat(add.flops()).isEqualTo(2.0 * 16_384);
    assertThat(add.bytesMoved()).isEqualTo(2.0 * (32_768 + 16_384) * 4);

    assertThat(graph.layer("activation").orElseThrow().type()).isEqualTo(LayerType.ACTIVATION);
    assertThat(graph.layer("activation").orElseThrow().anchorOp()).isEqualTo("Relu");

    // depthwise 3x3, multiplier 1, on 32x32x16, with bias.
    Layer depthwise = graph.layer("depthwise_conv2d").orElseThrow();
    assertThat(depthwise.anchorOp()).isEqualTo("DepthwiseConv2dNative");
    LayerFeatures dw = depthwise.features();
    assertThat(dw.variant()).isEqualTo(Variant.DEPTHWISE);
    assertThat(dw.filters()).isEqualTo(16);
    assertThat(dw.kernelSize()).isEqualTo(9);
    assertThat(dw.parameters()).isEqualTo(3 * 3 * 16 + 16);
    assertThat(dw.flops()).isEqualTo(2.0 * 2 * 16_384 * 9 + 2.0 * 16_384);
    assertThat(dw.asMap())
        .containsEntry("variant_depthwise", 1.0)
        .containsEntry("variant_standard", 0.0);

    // concatenate: 32x32x8 and 32x32x16 along channels.
    LayerFeatures concat = features(graph, "concatenate");
    assertThat(graph.layer("concatenate").orElseThrow().type()).isEqualTo(LayerType.CONCATENATE);
    assertThat(concat.inputSize()).isEqualTo(8192 + 16_384);
    assertThat(concat.outputSize()).isEqualTo(32 * 32 * 24);
    assertThat(concat.flops()).isEqualTo(2.0 * 24_576);

    LayerFeatures gap = features(graph, "global_average_pooling2d");
    assertThat(graph.layer("global_average_pooling2d").orElseThrow().type())
        .isEqualTo(LayerType.POOLING);
    assertThat(graph.layer("global_average_pooling2d").orElseThrow().anchorOp()).isEqualTo("Mean");
    assertThat(gap.poolSize()).isEqualTo(16 * 16);
    assertThat(gap.outputSize()).isEqualTo(24);
    assertThat(gap.flops()).isEqualTo(2.0 * 16 * 16 * 24);
    assertThat(gap.stride()).isNaN();

    assertThat(totalParams(graph)).isEqualTo(448 + 64 + 2304 + 136 + 160 + 250);
  }

  @Test
  void keras3PaddingSeparableTransposedRescalingAndGlobalMax() {
    KerasImport imported = KerasLayers.toLayerGraph(load("tiny_unet_keras3.json"), 1, null);
    LayerGraph graph = imported.graph();

    assertThat(imported.outputShapes())
        .containsEntry("zero_padding2d", List.of(1L, 66L, 66L, 3L))
        .containsEntry("conv2d", List.of(1L, 32L, 32L, 8L))
        .containsEntry("separable_conv2d", List.of(1L, 32L, 32L, 16L))
        .containsEntry("conv2d_transpose", List.of(1L, 64L, 64L, 8L))
        .containsEntry("add", List.of(1L, 64L, 64L, 8L))
        .containsEntry("global_max_pooling2d", List.of(1L, 8L))
        .containsEntry("dense", List.of(1L, 4L));

    LayerFeatures rescaling = features(graph, "rescaling");
    assertThat(graph.layer("rescaling").orElseThrow().type()).isEqualTo(LayerType.RESCALING);
    assertThat(rescaling.flops()).isEqualTo(2.0 * 64 * 64 * 3);
    assertThat(rescaling.parameters()).isZero();

    LayerFeatures pad = features(graph, "zero_padding2d");
    assertThat(graph.layer("zero_padding2d").orElseThrow().type()).isEqualTo(LayerType.PADDING);
    assertThat(pad.padding()).isEqualTo(66 * 66 * 3 - 64 * 64 * 3);
    assertThat(pad.flops()).isEqualTo(66 * 66 * 3);

    LayerFeatures conv = features(graph, "conv2d");
    assertThat(conv.stride()).isEqualTo(2);
    assertThat(conv.padding()).isZero();

    // separable: depthwise 3x3 on 8 channels, pointwise 8→16, bias 16, relu.
    Layer separable = graph.layer("separable_conv2d").orElseThrow();
    assertThat(separable.anchorOp()).isEqualTo("DepthwiseConv2dNative");
    LayerFeatures s = separable.features();
    assertThat(s.variant()).isEqualTo(Variant.SEPARABLE);
    assertThat(s.filters()).isEqualTo(16);
    assertThat(s.kernelSize()).isEqualTo(9);
    assertThat(s.parameters()).isEqualTo(3 * 3 * 8 + 8 * 16 + 16);
    assertThat(s.flops()).isEqualTo(2.0 * 32 * 32 * 8 * 9 + 2.0 * 16_384 * 8 + 2.0 * 16_384);

    // transposed 3x3, 16→8, stride 2, same: 32x32 → 64x64.
    Layer transposed = graph.layer("conv2d_transpose").orElseThrow();
    assertThat(transposed.anchorOp()).isEqualTo("Conv2DBackpropInput");
    LayerFeatures t = transposed.features();
    assertThat(t.variant()).isEqualTo(Variant.TRANSPOSED);
    assertThat(t.filters()).isEqualTo(8);
    assertThat(t.stride()).isEqualTo(2);
    assertThat(t.padding()).isEqualTo(1);
    assertThat(t.parameters()).isEqualTo(3 * 3 * 8 * 16 + 8);
    assertThat(t.flops()).isEqualTo(2.0 * 32 * 32 * 16 * 9 * 8 + 64 * 64 * 8);

    LayerFeatures gmp = features(graph, "global_max_pooling2d");
    assertThat(graph.layer("global_max_pooling2d").orElseThrow().anchorOp()).isEqualTo("Max");
    assertThat(gmp.poolSize()).isEqualTo(4096);
    assertThat(features(graph, "add").inputSize()).isEqualTo(2 * 32_768);
  }

  @Test
  void nestedModelLayersAreLayersOfTheGraph() {
    KerasImport imported = KerasLayers.toLayerGraph(load("nested_sequential_keras2.json"), 1, null);

    assertThat(imported.graph().layers())
        .extracting(Layer::id)
        .containsExactly(
            "image", "conv2d", "feature_extractor/conv2d", "max_pooling2d", "flatten", "dense");
    assertThat(params(imported.graph(), "feature_extractor/conv2d")).isEqualTo(3 * 3 * 4 * 8 + 8);
    assertThat(imported.outputShapes()).containsEntry("flatten", List.of(1L, 16L * 16 * 8));
  }

  @Test
  void tfjsModelsImportLikeKerasOnes() {
    LayerGraph mlp = KerasLayers.toLayerGraph(load("tfjs_mlp_model.json"), 1, null).graph();
    LayerGraph functional =
        KerasLayers.toLayerGraph(load("tfjs_model_config.json"), 1, null).graph();

    assertThat(totalParams(mlp)).isEqualTo(784 * 32 + 32 + 32 * 10 + 10);
    assertThat(totalParams(functional)).isEqualTo(totalParams(mlp));
    assertThat(features(functional, "dense_Dense1").hiddenSize()).isEqualTo(32);
  }

  @Test
  void customLayerBecomesOtherShapedLikeItsInputWithOneWarning() {
    KerasImport imported =
        KerasLayers.toLayerGraph(load("custom_layer_keras2.json"), 1, new int[] {64, 64, 3});

    assertThat(imported.unknownClasses()).containsExactly("MyBlock");
    Layer block = imported.graph().layer("my_block").orElseThrow();
    assertThat(block.type()).isEqualTo(LayerType.OTHER);
    assertThat(block.anchorOp()).isEqualTo("MyBlock");
    assertThat(block.features().inputSize()).isEqualTo(32 * 32 * 8);
    assertThat(block.features().outputSize()).isEqualTo(32 * 32 * 8);
    assertThat(block.features().flops()).isNaN();
    assertThat(block.features().parameters()).isNaN();
    assertThat(imported.outputShapes()).containsEntry("my_block_1", List.of(1L, 32L, 32L, 8L));
    assertThat(imported.warning())
        .contains(
            "2 layers of unknown classes imported as Other, shaped like their input"
                + " (FLOPs and parameters unknown): MyBlock (my_block, my_block_1)");
    // The layers after it still get their features.
    assertThat(params(imported.graph(), "dense")).isEqualTo(8 * 3 + 3);
  }

  @Test
  void openInputShapeWithoutInputIsAOneLineErrorSayingWhatToPass() {
    KerasModel model = load("custom_layer_keras2.json");

    assertThatThrownBy(() -> KerasLayers.toLayerGraph(model, 1, null))
        .isInstanceOf(KerasFormatException.class)
        .hasMessage("input shape is open ([null, null, null, 3]); pass --input HxWxC");
  }

  @Test
  void inputShapeReplacesTheFilesShape() {
    KerasImport imported =
        KerasLayers.toLayerGraph(load("mnist_sequential_keras22.json"), 4, new int[] {32, 32, 1});

    assertThat(imported.outputShapes())
        .containsEntry("conv2d_1_input", List.of(4L, 32L, 32L, 1L))
        .containsEntry("flatten_1", List.of(4L, 6L * 6 * 64));
    assertThatThrownBy(
            () -> KerasLayers.toLayerGraph(load("tfjs_mlp_model.json"), 1, new int[] {28, 28, 1}))
        .hasMessage(
            "--input 28x28x1 has 3 dimensions but input \"dense_input\" has 1 ([null, 784])");
  }

  @Test
  void sequentialWithoutShapeNeedsTheInputShape() {
    KerasModel model =
        KerasJson.parse(
            """
{"class_name": "Sequential", "config": {"name": "s", "layers": [
  {"class_name": "Conv2D", "config": {"name": "conv2d", "filters": 4, "kernel_size": 3}}]}}
""",
            "s");

    assertThatThrownBy(() -> KerasLayers.toLayerGraph(model, 1, null))
        .hasMessage("input shape is not in the file (input \"conv2d_input\"); pass --input HxWxC");
    assertThat(KerasLayers.toLayerGraph(model, 1, new int[] {8, 8, 3}).outputShapes())
        .containsEntry("conv2d", List.of(1L, 6L, 6L, 4L));
  }

  @Test
  void shapeThatCannotBeInferredNamesTheLayer() {
    KerasModel model =
        KerasJson.parse(
            """
{"class_name": "Sequential", "config": [
  {"class_name": "Dense", "config": {"name": "dense", "units": 6, "batch_input_shape": [null, 4]}},
  {"class_name": "Reshape", "config": {"name": "reshape", "target_shape": [4, 2]}}]}
""",
            "s");

    assertThatThrownBy(() -> KerasLayers.toLayerGraph(model, 1, null))
        .isInstanceOf(KerasFormatException.class)
        .hasMessage("layer \"reshape\" (Reshape): cannot reshape [null, 6] (6 elements) to [4,2]");
  }

  @Test
  void paddingCroppingUpSamplingAndReshapeShapes() {
    KerasModel model =
        KerasJson.parse(
            """
{"class_name": "Sequential", "config": {"name": "s", "layers": [
  {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, 10, 12, 3]}},
  {"class_name": "ZeroPadding2D", "config": {"name": "pad", "padding": [1, 2]}},
  {"class_name": "Cropping2D", "config": {"name": "crop", "cropping": [[0, 2], [1, 1]]}},
  {"class_name": "UpSampling2D", "config": {"name": "up", "size": [2, 3], "interpolation": "bilinear"}},
  {"class_name": "AveragePooling2D", "config": {"name": "avg", "pool_size": [3, 3], "strides": [2, 2], "padding": "same"}},
  {"class_name": "Reshape", "config": {"name": "reshape", "target_shape": [-1, 3]}},
  {"class_name": "Permute", "config": {"name": "permute", "dims": [2, 1]}},
  {"class_name": "LeakyReLU", "config": {"name": "leaky", "alpha": 0.3}},
  {"class_name": "Softmax", "config": {"name": "softmax", "axis": -1}}]}}
""",
            "s");
    KerasImport imported = KerasLayers.toLayerGraph(model, 1, null);

    // 10x12 → pad (1,1),(2,2) → 12x16 → crop (0,2),(1,1) → 10x14 → up ×(2,3) → 20x42
    // → avg 3x3/2 same → 10x21 → reshape (-1, 3) → 210x3 → permute → 3x210.
    assertThat(imported.outputShapes())
        .containsEntry("pad", List.of(1L, 12L, 16L, 3L))
        .containsEntry("crop", List.of(1L, 10L, 14L, 3L))
        .containsEntry("up", List.of(1L, 20L, 42L, 3L))
        .containsEntry("avg", List.of(1L, 10L, 21L, 3L))
        .containsEntry("reshape", List.of(1L, 210L, 3L))
        .containsEntry("permute", List.of(1L, 3L, 210L));
    LayerGraph graph = imported.graph();
    assertThat(features(graph, "pad").padding()).isEqualTo(12 * 16 * 3 - 10 * 12 * 3);
    assertThat(graph.layer("crop").orElseThrow().type()).isEqualTo(LayerType.OTHER);
    assertThat(graph.layer("up").orElseThrow().type()).isEqualTo(LayerType.UPSAMPLING);
    assertThat(graph.layer("up").orElseThrow().anchorOp()).isEqualTo("ResizeBilinear");
    assertThat(features(graph, "avg").padding()).isEqualTo(1);
    assertThat(features(graph, "avg").poolSize()).isEqualTo(9);
    assertThat(features(graph, "reshape").targetShape()).isEqualTo(630);
    assertThat(graph.layer("permute").orElseThrow().type()).isEqualTo(LayerType.RESHAPE);
    assertThat(graph.layer("leaky").orElseThrow().anchorOp()).isEqualTo("LeakyRelu");
    assertThat(graph.layer("softmax").orElseThrow().type()).isEqualTo(LayerType.ACTIVATION);
    assertThat(imported.unknownClasses()).isEmpty();
  }

  @Test
  void resNet50HasKerasPublishedParameterCountAndShapes() {
    // keras.applications.ResNet50(): Total params 25,636,712 (53,120 of them non-trainable).
    KerasImport imported = KerasLayers.toLayerGraph(load("resnet50_keras2.json"), 1, null);
    LayerGraph graph = imported.graph();

    assertThat(graph.size()).isEqualTo(177);
    assertThat(totalParams(graph)).isEqualTo(25_636_712);
    assertThat(imported.outputShapes())
        .containsEntry("conv1_conv", List.of(1L, 112L, 112L, 64L))
        .containsEntry("pool1_pool", List.of(1L, 56L, 56L, 64L))
        .containsEntry("conv3_block1_out", List.of(1L, 28L, 28L, 512L))
        .containsEntry("conv5_block3_out", List.of(1L, 7L, 7L, 2048L))
        .containsEntry("predictions", List.of(1L, 1000L));
    assertThat(graph.countByType())
        .containsEntry(LayerType.CONVOLUTIONAL, 53)
        .containsEntry(LayerType.NORMALIZATION, 53)
        .containsEntry(LayerType.ACTIVATION, 49)
        .containsEntry(LayerType.ADD, 16)
        .containsEntry(LayerType.PADDING, 2)
        .containsEntry(LayerType.POOLING, 2)
        .containsEntry(LayerType.DENSE, 1)
        .containsEntry(LayerType.INPUT_LAYER, 1);
    // Multiply-accumulates of the convolutions and the classifier: the ~3.9 G usually quoted.
    double macs =
        graph.layers().stream()
                .filter(l -> l.type() == LayerType.CONVOLUTIONAL || l.type() == LayerType.DENSE)
                .mapToDouble(l -> l.features().flops() - biasFlops(l))
                .sum()
            / 2;
    assertThat(macs).isBetween(3.8e9, 3.95e9);
  }

  @Test
  void invalidBatchIsRejected() {
    KerasModel model = load("tfjs_mlp_model.json");
    assertThatThrownBy(() -> KerasLayers.toLayerGraph(model, 0, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---------------------------------------------------------------------------------------------

  private static LayerFeatures features(LayerGraph graph, String id) {
    return graph.layer(id).orElseThrow().features();
  }

  private static double params(LayerGraph graph, String id) {
    return features(graph, id).parameters();
  }

  private static double totalParams(LayerGraph graph) {
    return graph.layers().stream().mapToDouble(l -> l.features().parameters()).sum();
  }

  /** Bias add (and softmax for the classifier): one FLOP per output element each. */
  private static double biasFlops(Layer layer) {
    double perElement = layer.type() == LayerType.DENSE ? 2 : 1;
    return perElement * layer.features().outputSize() * layer.features().batchSize();
  }
}
