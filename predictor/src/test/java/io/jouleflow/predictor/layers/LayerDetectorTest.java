package io.jouleflow.predictor.layers;

import static io.jouleflow.predictor.layers.GraphDefs.dims;
import static io.jouleflow.predictor.layers.GraphDefs.graph;
import static io.jouleflow.predictor.layers.GraphDefs.intList;
import static io.jouleflow.predictor.layers.GraphDefs.ints;
import static io.jouleflow.predictor.layers.GraphDefs.intsAsContent;
import static io.jouleflow.predictor.layers.GraphDefs.node;
import static io.jouleflow.predictor.layers.GraphDefs.placeholder;
import static io.jouleflow.predictor.layers.GraphDefs.scalar;
import static io.jouleflow.predictor.layers.GraphDefs.shapes;
import static io.jouleflow.predictor.layers.GraphDefs.weights;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.jouleflow.predictor.layers.LayerFeatures.Variant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/** Layer detection on hand-built GraphDefs: the cases real graphs from TF Java rarely show. */
class LayerDetectorTest {

  private static final AttrValue STRIDES_1 = intList(1, 1, 1, 1);
  private static final AttrValue STRIDES_2 = intList(1, 2, 2, 1);

  @Test
  void emptyGraphHasNoLayers() {
    LayerGraph layers = LayerDetector.detect(GraphDef.getDefaultInstance(), NodeShapes.none());
    assertThat(layers.size()).isZero();
    assertThat(layers.layers()).isEmpty();
    assertThat(layers.layerOfNode("x")).isEmpty();
    assertThat(layers.layer("x")).isEmpty();
  }

  @Test
  void unknownOpIsItsOwnOtherLayerAndUnknownShapesLeaveFeaturesOut() {
    GraphDef graph =
        graph(
            placeholder("x", -1, 4),
            node("custom", "MyCustomOp", "x").build(),
            node("Relu", "Relu", "custom").build());
    LayerGraph layers = LayerDetector.detect(graph, NodeShapes.none());

    assertThat(idsAndTypes(layers))
        .containsExactly(
            entry("x", LayerType.INPUT_LAYER),
            entry("custom", LayerType.OTHER),
            entry("Relu", LayerType.ACTIVATION));
    Layer custom = layers.layer("custom").orElseThrow();
    assertThat(custom.anchorOp()).isEqualTo("MyCustomOp");
    LayerFeatures f = custom.features();
    assertThat(f.inputSize()).isEqualTo(4); // the placeholder states its shape
    assertThat(f.outputSize()).isNaN();
    assertThat(f.batchSize()).isNaN();
    assertThat(f.flops()).isNaN();
    assertThat(f.asMap())
        .containsOnly(
            entry("number_of_layers", 3.0), entry("input_size", 4.0), entry("parameters", 0.0));
  }

  @Test
  void danglingInputsAndCyclesDoNotBreakDetection() {
    GraphDef graph =
        graph(
            placeholder("x", -1, 4),
            node("orphan", "Relu", "ghost:1").build(),
            node("Merge", "Merge", "x", "NextIteration").build(),
            node("NextIteration", "NextIteration", "Merge").build());
    LayerGraph layers = LayerDetector.detect(graph, NodeShapes.none());

    assertThat(layers.layers())
        .extracting(Layer::id)
        .containsExactlyInAnyOrder("x", "orphan", "Merge", "NextIteration");
    assertThat(layers.layer("orphan").map(Layer::type)).contains(LayerType.ACTIVATION);
    assertThat(layers.layer("orphan").orElseThrow().features().inputSize()).isNaN();
    assertThat(layers.layer("Merge").map(Layer::type)).contains(LayerType.OTHER);
  }

  @Test
  void convolutionWithoutShapesStillReadsItsKernelAndAttributes() {
    GraphDef graph =
        graph(
            new GraphDefs.Node("x", "Placeholder").build(),
            weights("k", 3, 3, 1, 4),
            node("conv", "Conv2D", "x", "k")
                .attr("strides", STRIDES_1)
                .attr("padding", "SAME")
                .attr("data_format", "NHWC")
                .build());
    LayerFeatures f =
        LayerDetector.detect(graph, NodeShapes.none()).layer("conv").orElseThrow().features();

    assertThat(f.filters()).isEqualTo(4);
    assertThat(f.kernelSize()).isEqualTo(9);
    assertThat(f.stride()).isEqualTo(1);
    assertThat(f.padding()).isEqualTo(1);
    assertThat(f.parameters()).isEqualTo(36);
    assertThat(f.inputSize()).isNaN();
    assertThat(f.flops()).isNaN();
    assertThat(f.bytesMoved()).isNaN();
    assertThat(f.asMap()).doesNotContainKeys("input_size", "flops", "bytes_moved", "batch_size");
  }

  @Test
  void outerScopeSharedByAllScopedNodesIsStrippedAndSaverIsOverhead() {
    String m = "StatefulPartitionedCall/model/";
    GraphDef graph =
        graph(
            placeholder("input_1", -1, 8, 8, 1),
            weights(m + "conv2d/Conv2D/ReadVariableOp", 3, 3, 1, 2),
            node(m + "conv2d/Conv2D", "Conv2D", "input_1", m + "conv2d/Conv2D/ReadVariableOp")
                .attr("strides", STRIDES_1)
                .attr("padding", "VALID")
                .build(),
            weights(m + "conv2d/BiasAdd/ReadVariableOp", 2),
            node(
                    m + "conv2d/BiasAdd",
                    "BiasAdd",
                    m + "conv2d/Conv2D",
                    m + "conv2d/BiasAdd/ReadVariableOp")
                .build(),
            node(m + "conv2d/Relu", "Relu", m + "conv2d/BiasAdd").build(),
            ints(m + "flatten/Const", -1, 72),
            node(m + "flatten/Reshape", "Reshape", m + "conv2d/Relu", m + "flatten/Const").build(),
            weights(m + "dense/MatMul/ReadVariableOp", 72, 3),
            node(
                    m + "dense/MatMul",
                    "MatMul",
                    m + "flatten/Reshape",
                    m + "dense/MatMul/ReadVariableOp")
                .build(),
            node(m + "dense/Softmax", "Softmax", m + "dense/MatMul").build(),
            node("Identity", "Identity", m + "dense/Softmax").build(),
            weights("save/Const", 1),
            node("save/SaveV2", "SaveV2", "save/Const").build(),
            node("save/control_dependency", "Identity", "save/Const", "^save/SaveV2").build(),
            new GraphDefs.Node("Init", "NoOp").build());
    LayerGraph layers = LayerDetector.detect(graph, NodeShapes.none());

    assertThat(layers.scopePrefix()).isEqualTo(m);
    assertThat(idsAndTypes(layers))
        .containsExactly(
            entry("input_1", LayerType.INPUT_LAYER),
            entry("conv2d", LayerType.CONVOLUTIONAL),
            entry("flatten", LayerType.RESHAPE),
            entry("dense", LayerType.DENSE));
    assertThat(layers.layer("conv2d").orElseThrow().features().parameters()).isEqualTo(20);
    assertThat(layers.layer("dense").orElseThrow().features().hiddenSize()).isEqualTo(3);
    assertThat(layers.layerOfNode("Identity").map(Layer::id)).contains("dense");
    assertThat(layers.layerOfNode("save/SaveV2")).isEmpty();
    assertThat(layers.layerOfNode("save/control_dependency")).isEmpty();
    assertThat(layers.layerOfNode("Init")).isEmpty();
    assertThat(layers.containsNode("Init")).isTrue();
  }

  @Test
  void kerasLayerNamesDecideWhereOpsSayNothingSpecific() {
    GraphDef graph =
        graph(
            placeholder("input", -1, 8, 8, 3),
            scalar("rescaling/Cast/x", 1 / 255f),
            scalar("rescaling/Cast_1/x", 0f),
            node("rescaling/mul", "Mul", "input", "rescaling/Cast/x").build(),
            node("rescaling/add", "AddV2", "rescaling/mul", "rescaling/Cast_1/x").build(),
            weights("conv2d/kernel", 3, 3, 3, 4),
            node("conv2d/Conv2D", "Conv2D", "rescaling/add", "conv2d/kernel")
                .attr("strides", STRIDES_1)
                .attr("padding", "SAME")
                .build(),
            ints("global_average_pooling2d/Mean/reduction_indices", 1, 2),
            node(
                    "global_average_pooling2d/Mean",
                    "Mean",
                    "conv2d/Conv2D",
                    "global_average_pooling2d/Mean/reduction_indices")
                .build(),
            node("dropout/Identity", "Identity", "global_average_pooling2d/Mean").build(),
            weights("dense/kernel", 4, 2),
            node("dense/MatMul", "MatMul", "dropout/Identity", "dense/kernel").build(),
            ints("layer_normalization/moments/mean/reduction_indices", -1),
            node(
                    "layer_normalization/moments/mean",
                    "Mean",
                    "dense/MatMul",
                    "layer_normalization/moments/mean/reduction_indices")
                .build(),
            node(
                    "layer_normalization/sub",
                    "Sub",
                    "dense/MatMul",
                    "layer_normalization/moments/mean")
                .build(),
            node(
                    "layer_normalization/mul",
                    "Mul",
                    "layer_normalization/sub",
                    "layer_normalization/sub")
                .build(),
            ints("flatten/Const", -1, 2),
            node("flatten/Reshape", "Reshape", "layer_normalization/mul", "flatten/Const").build());
    NodeShapes shapes =
        shapes(
                "rescaling/mul", dims(-1, 8, 8, 3),
                "rescaling/add", dims(-1, 8, 8, 3),
                "conv2d/Conv2D", dims(-1, 8, 8, 4),
                "global_average_pooling2d/Mean", dims(-1, 4),
                "dense/MatMul", dims(-1, 2),
                "layer_normalization/moments/mean", dims(-1, 1),
                "layer_normalization/sub", dims(-1, 2),
                "layer_normalization/mul", dims(-1, 2),
                "flatten/Reshape", dims(-1, 2))
            .orElse(NodeShapes.fromGraphDef(graph))
            .withBatch(2);
    LayerGraph layers = LayerDetector.detect(graph, shapes);

    assertThat(idsAndTypes(layers))
        .containsExactly(
            entry("input", LayerType.INPUT_LAYER),
            entry("rescaling", LayerType.RESCALING),
            entry("conv2d", LayerType.CONVOLUTIONAL),
            entry("global_average_pooling2d", LayerType.POOLING),
            entry("dropout", LayerType.DROPOUT),
            entry("dense", LayerType.DENSE),
            entry("layer_normalization", LayerType.NORMALIZATION),
            entry("flatten", LayerType.RESHAPE));
    LayerFeatures rescaling = layers.layer("rescaling").orElseThrow().features();
    assertThat(rescaling.parameters()).isZero();
    assertThat(rescaling.inputSize()).isEqualTo(192);
    assertThat(rescaling.flops()).isEqualTo(2 * 2 * 192);
    LayerFeatures gap = layers.layer("global_average_pooling2d").orElseThrow().features();
    assertThat(gap.poolSize()).isEqualTo(64);
    assertThat(gap.filters()).isEqualTo(1);
    assertThat(gap.stride()).isNaN();
    assertThat(gap.flops()).isEqualTo(2 * 256);
    assertThat(gap.outputSize()).isEqualTo(4);
    assertThat(layers.layer("flatten").orElseThrow().features().targetShape()).isEqualTo(2);
    assertThat(layers.layer("dense").orElseThrow().features().hiddenSize()).isEqualTo(2);
  }

  @Test
  void transposedConvolutionIsConvolutionalWithItsVariant() {
    GraphDef graph =
        graph(
            placeholder("x", -1, 4, 4, 8),
            ints("conv2d_transpose/stack", 1, 8, 8, 4),
            weights("conv2d_transpose/kernel", 3, 3, 4, 8),
            node(
                    "conv2d_transpose/conv2d_transpose",
                    "Conv2DBackpropInput",
                    "conv2d_transpose/stack",
                    "conv2d_transpose/kernel",
                    "x")
                .attr("strides", STRIDES_2)
                .attr("padding", "SAME")
                .build(),
            weights("conv2d_transpose/bias", 4),
            node(
                    "conv2d_transpose/BiasAdd",
                    "BiasAdd",
                    "conv2d_transpose/conv2d_transpose",
                    "conv2d_transpose/bias")
                .build());
    NodeShapes shapes =
        shapes("conv2d_transpose/conv2d_transpose", dims(-1, 8, 8, 4))
            .orElse(NodeShapes.fromGraphDef(graph))
            .withBatch(1);
    LayerGraph layers = LayerDetector.detect(graph, shapes);

    assertThat(idsAndTypes(layers))
        .containsExactly(
            entry("x", LayerType.INPUT_LAYER), entry("conv2d_transpose", LayerType.CONVOLUTIONAL));
    Layer layer = layers.layer("conv2d_transpose").orElseThrow();
    assertThat(layer.anchorOp()).isEqualTo("Conv2DBackpropInput");
    LayerFeatures f = layer.features();
    assertThat(f.variant()).isEqualTo(Variant.TRANSPOSED);
    assertThat(f.filters()).isEqualTo(4);
    assertThat(f.kernelSize()).isEqualTo(9);
    assertThat(f.stride()).isEqualTo(2);
    assertThat(f.inputSize()).isEqualTo(128);
    assertThat(f.outputSize()).isEqualTo(256);
    assertThat(f.parameters()).isEqualTo(3 * 3 * 4 * 8 + 4);
    // 2·N·(4·4·8)·(3·3)·4 for the transposed convolution, 256 for the bias.
    assertThat(f.flops()).isEqualTo(9216 + 256);
  }

  @Test
  void poolingWindowsComeFromConstantInputsOrAttributes() {
    GraphDef graph =
        graph(
            placeholder("x", -1, 9, 9, 2),
            intsAsContent("ksize", 1, 3, 3, 1),
            intsAsContent("strides", 1, 2, 2, 1),
            node("MaxPool", "MaxPoolV2", "x", "ksize", "strides").attr("padding", "VALID").build(),
            node("AvgPool", "AvgPool", "MaxPool")
                .attr("ksize", intList(1, 1, 2, 2))
                .attr("strides", intList(1, 1, 1, 1))
                .attr("padding", "SAME")
                .attr("data_format", "NCHW")
                .build());
    NodeShapes shapes =
        shapes("MaxPool", dims(-1, 4, 4, 2), "AvgPool", dims(-1, 4, 4, 2))
            .orElse(NodeShapes.fromGraphDef(graph))
            .withBatch(1);
    LayerGraph layers = LayerDetector.detect(graph, shapes);

    LayerFeatures max = layers.layer("MaxPool").orElseThrow().features();
    assertThat(max.poolSize()).isEqualTo(9);
    assertThat(max.stride()).isEqualTo(2);
    assertThat(max.padding()).isEqualTo(0);
    assertThat(max.flops()).isEqualTo(32 * 9);
    assertThat(layers.layer("MaxPool").orElseThrow().nodes())
        .containsExactly("ksize", "strides", "MaxPool");
    LayerFeatures avg = layers.layer("AvgPool").orElseThrow().features();
    assertThat(avg.poolSize()).isEqualTo(4);
    assertThat(avg.stride()).isEqualTo(1);
    assertThat(avg.padding()).isEqualTo(1);
  }

  @Test
  void variablesAndTheirReadsBelongToTheLayerAndInitialisersToNone() {
    GraphDef graph =
        graph(
            placeholder("x", -1, 4),
            variable("dense/kernel", "VarHandleOp", 4, 3),
            weights("dense/kernel/Initializer/zeros", 4, 3),
            node(
                    "dense/kernel/Assign",
                    "AssignVariableOp",
                    "dense/kernel",
                    "dense/kernel/Initializer/zeros")
                .build(),
            node("dense/MatMul/ReadVariableOp", "ReadVariableOp", "dense/kernel").build(),
            node("dense/MatMul", "MatMul", "x", "dense/MatMul/ReadVariableOp").build(),
            variable("dense_1/kernel", "VariableV2", 3, 2),
            weights("dense_1/kernel/Initializer/Const", 3, 2),
            node(
                    "dense_1/kernel/Assign",
                    "Assign",
                    "dense_1/kernel",
                    "dense_1/kernel/Initializer/Const")
                .build(),
            node("dense_1/kernel/read", "Identity", "dense_1/kernel").build(),
            node("dense_1/MatMul", "MatMul", "dense/MatMul", "dense_1/kernel/read").build(),
            new GraphDefs.Node("Init", "NoOp")
                .in("^dense/kernel/Assign", "^dense_1/kernel/Assign")
                .build());
    LayerGraph layers = LayerDetector.detect(graph, NodeShapes.none());

    assertThat(idsAndTypes(layers))
        .containsExactly(
            entry("x", LayerType.INPUT_LAYER),
            entry("dense", LayerType.DENSE),
            entry("dense_1", LayerType.DENSE));
    Layer dense = layers.layer("dense").orElseThrow();
    assertThat(dense.nodes())
        .containsExactly("dense/kernel", "dense/MatMul/ReadVariableOp", "dense/MatMul");
    assertThat(dense.features().parameters()).isEqualTo(12);
    assertThat(dense.features().hiddenSize()).isEqualTo(3);
    Layer dense1 = layers.layer("dense_1").orElseThrow();
    assertThat(dense1.nodes())
        .containsExactly("dense_1/kernel", "dense_1/kernel/read", "dense_1/MatMul");
    assertThat(dense1.features().parameters()).isEqualTo(6);
    assertThat(dense1.features().hiddenSize()).isEqualTo(2);
    for (String overhead :
        List.of(
            "dense/kernel/Initializer/zeros",
            "dense/kernel/Assign",
            "dense_1/kernel/Initializer/Const",
            "dense_1/kernel/Assign",
            "Init")) {
      assertThat(layers.layerOfNode(overhead)).as(overhead).isEmpty();
    }
  }

  @Test
  void structuralLayersTakeBiasAndActivationButNotABranch() {
    GraphDef graph =
        graph(
            placeholder("x", -1, 6),
            weights("w", 6, 6),
            node("MatMul", "MatMul", "x", "w").build(),
            weights("b", 6),
            node("Add", "Add", "MatMul", "b").build(),
            node("Tanh", "Tanh", "Add").build(),
            node("Mul", "Mul", "Tanh", "x").build(),
            scalar("half", 0.5f),
            node("Mul_1", "Mul", "Mul", "half").build(),
            node("Shape", "Shape", "Mul_1").build(),
            node("Reshape", "Reshape", "Mul_1", "Shape").build(),
            node("Relu", "Relu", "Reshape").build(),
            node("Sigmoid", "Sigmoid", "Reshape").build());
    LayerGraph layers = LayerDetector.detect(graph, NodeShapes.none());

    assertThat(idsAndTypes(layers))
        .containsExactly(
            entry("x", LayerType.INPUT_LAYER),
            entry("MatMul", LayerType.DENSE),
            entry("Mul", LayerType.MULTIPLY),
            entry("Mul_1", LayerType.RESCALING),
            entry("Reshape", LayerType.RESHAPE),
            entry("Relu", LayerType.ACTIVATION),
            entry("Sigmoid", LayerType.ACTIVATION));
    assertThat(layers.layer("MatMul").orElseThrow().nodes())
        .containsExactly("w", "MatMul", "b", "Add", "Tanh");
    assertThat(layers.layer("Mul_1").orElseThrow().nodes()).containsExactly("half", "Mul_1");
    assertThat(layers.layer("Reshape").orElseThrow().nodes()).containsExactly("Shape", "Reshape");
    assertThat(layers.layer("Mul_1").orElseThrow().features().parameters()).isZero();
  }

  @Test
  void layersComeInTopologicalOrderWhateverTheGraphDefOrder() {
    List<NodeDef> nodes =
        new ArrayList<>(
            List.of(
                placeholder("x", -1, 6),
                weights("w", 6, 6),
                node("MatMul", "MatMul", "x", "w").build(),
                node("Relu", "Relu", "MatMul").build(),
                weights("w2", 6, 2),
                node("MatMul_1", "MatMul", "Relu", "w2").build(),
                node("Softmax", "Softmax", "MatMul_1").build()));
    Collections.reverse(nodes);
    LayerGraph layers =
        LayerDetector.detect(graph(nodes.toArray(NodeDef[]::new)), NodeShapes.none());
    assertThat(layers.layers()).extracting(Layer::id).containsExactly("x", "MatMul", "MatMul_1");
    assertThat(layers.layer("MatMul_1").orElseThrow().nodes())
        .containsExactly("w2", "MatMul_1", "Softmax");
  }

  @Test
  void globalPoolingIsAMeanOverSpatialAxesOnlyInEitherLayout() {
    GraphDef graph =
        graph(
            placeholder("x", -1, 4, 5, 5),
            ints("axes", 2, 3),
            node("Mean", "Mean", "x", "axes").build(),
            ints("last", -1),
            node("Mean_1", "Mean", "Mean", "last").build());
    NodeShapes shapes = shapes("Mean", dims(-1, 4)).orElse(NodeShapes.fromGraphDef(graph));
    LayerGraph layers = LayerDetector.detect(graph, shapes);

    assertThat(idsAndTypes(layers))
        .containsExactly(
            entry("x", LayerType.INPUT_LAYER),
            entry("Mean", LayerType.POOLING),
            entry("Mean_1", LayerType.OTHER));
    assertThat(layers.layer("Mean").orElseThrow().features().poolSize()).isEqualTo(25);
  }

  @Test
  void staticShapesFromTheGraphDefItselfAreUsed() {
    NodeDef conv =
        node("conv", "Conv2D", "x", "k")
            .attr("strides", STRIDES_1)
            .attr("padding", "VALID")
            .attr(
                "_output_shapes",
                AttrValue.newBuilder()
                    .setList(
                        AttrValue.ListValue.newBuilder().addShape(GraphDefs.shape(-1, 6, 6, 2)))
                    .build())
            .build();
    GraphDef graph = graph(placeholder("x", -1, 8, 8, 1), weights("k", 3, 3, 1, 2), conv);
    LayerFeatures f = LayerDetector.detect(graph).layer("conv").orElseThrow().features();
    assertThat(f.outputSize()).isEqualTo(72);
    assertThat(f.inputSize()).isEqualTo(64);
  }

  private static NodeDef variable(String name, String op, long... shape) {
    return new GraphDefs.Node(name, op)
        .attr("dtype", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build())
        .attr("shape", AttrValue.newBuilder().setShape(GraphDefs.shape(shape)).build())
        .build();
  }

  private static Map<String, LayerType> idsAndTypes(LayerGraph layers) {
    Map<String, LayerType> map = new LinkedHashMap<>();
    for (Layer layer : layers.layers()) {
      map.put(layer.id(), layer.type());
    }
    return map;
  }
}
