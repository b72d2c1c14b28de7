package io.jouleflow.predictor.layers;

import static io.jouleflow.predictor.layers.GraphDefs.graph;
import static io.jouleflow.predictor.layers.GraphDefs.intList;
import static io.jouleflow.predictor.layers.GraphDefs.ints;
import static io.jouleflow.predictor.layers.GraphDefs.node;
import static io.jouleflow.predictor.layers.GraphDefs.placeholder;
import static io.jouleflow.predictor.layers.GraphDefs.weights;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.GraphDef;

/**
 * Runtime node names, as the CPU build of TF 1.1.0 (oneDNN) writes them into step stats, mapped to
 * the layers of the static graph.
 */
class RuntimeNodesTest {

  private final LayerGraph keras = LayerDetector.detect(kerasGraph(), NodeShapes.none());
  private final RuntimeNodes runtime = new RuntimeNodes(keras);

  @Test
  void staticNamesAndFusedNodesNamedAfterTheirLastOpMapToTheirLayer() {
    assertThat(runtime.layerId("conv2d/BiasAdd", "_MklNativeFusedConv2D")).isEqualTo("conv2d");
    assertThat(runtime.layerId("conv2d/kernel", "Const")).isEqualTo("conv2d");
    assertThat(
            runtime.layerId("batch_normalization_2/FusedBatchNormV3", "_MklNativeFusedBatchNormEx"))
        .isEqualTo("batch_normalization_2");
    assertThat(runtime.layerId("dense/BiasAdd", "_MklNativeFusedMatMul")).isEqualTo("dense");
    assertThat(runtime.layerId("softmax/Softmax", "_MklSoftmax")).isEqualTo("softmax");
    assertThat(runtime.typeOf("conv2d")).isEqualTo(LayerType.CONVOLUTIONAL);
    assertThat(runtime.typeOf("softmax")).isEqualTo(LayerType.ACTIVATION);
  }

  @Test
  void fusedNodeNamedAfterAnActivationLayerGoesToTheConvolutionItFused() {
    assertThat(runtime.layerId("activation/Relu", "Relu")).isEqualTo("activation");
    assertThat(runtime.layerId("activation/Relu", "_FusedConv2D")).isEqualTo("conv2d");
    assertThat(runtime.layerId("activation/Relu", "_MklNativeFusedConv2D")).isEqualTo("conv2d");
  }

  @Test
  void residualAddFusedIntoAConvolutionGoesToTheConvolutionOfItsFilterInput() {
    List<String> inputs =
        RuntimeNodes.inputs(
            "re_lu_3/Relu = _MklNativeFusedConv2D(batch_normalization_2/FusedBatchNormV3, "
                + "conv2d_5/kernel, conv2d_5/bias, activation/Relu)");
    assertThat(runtime.layerId("re_lu_3/Relu", "_MklNativeFusedConv2D", inputs))
        .isEqualTo("conv2d_5");
    assertThat(runtime.layerId("re_lu_3/Relu", "Relu", inputs)).isEqualTo("re_lu_3");
  }

  @Test
  void grapplerMadeNamesMapToTheNodeOrScopeTheyCameFrom() {
    assertThat(runtime.layerId("batch_normalization_2/FusedBatchNormV3/Mul", "Mul"))
        .isEqualTo("batch_normalization_2");
    assertThat(runtime.layerId("add/ArithmeticOptimizer/AddOpsRewrite_Leaf_1_AddV2", "AddN"))
        .isEqualTo("add");
    assertThat(runtime.layerId("add/ArithmeticOptimizer/AddOpsRewrite_add_1", "AddV2"))
        .isEqualTo("add");
    assertThat(
            runtime.layerId(
                "add/ArithmeticOptimizer/ArithmeticOptimizer/SimplifyAggregation_Mul_AddOpsRewrite_add_1",
                "Mul"))
        .isEqualTo("add");
    assertThat(runtime.layerId("conv2d/Conv2D/_3", "_MklNativeConv2D")).isEqualTo("conv2d");
    assertThat(runtime.layerId("ConstantFolding/dense/BiasAdd-folded-1", "Const"))
        .isEqualTo("dense");
    assertThat(
            runtime.typeOf(runtime.layerId("add/ArithmeticOptimizer/AddOpsRewrite_AddV2", "AddV2")))
        .isEqualTo(LayerType.ADD);
  }

  @Test
  void optimizerNamesWithoutScopeMapToTheirStaticNode() {
    GraphDef graph =
        graph(
            placeholder("x", -1, 4),
            weights("w", 4, 4),
            node("MatMul", "MatMul", "x", "w").build(),
            node("Relu", "Relu", "MatMul").build(),
            node("Add", "Add", "Relu", "x").build(),
            node("Add_1", "Add", "Add", "Relu").build());
    RuntimeNodes plain = new RuntimeNodes(LayerDetector.detect(graph, NodeShapes.none()));
    assertThat(plain.layerId("ArithmeticOptimizer/AddOpsRewrite_Add_1", "AddN")).isEqualTo("Add_1");
    assertThat(plain.layerId("ArithmeticOptimizer/AddOpsRewrite_Leaf_1_Add_1", "AddN"))
        .isEqualTo("Add_1");
    assertThat(plain.layerId("Relu", "_MklNativeFusedMatMul")).isEqualTo("MatMul");
  }

  @Test
  void executorAndSaverNodesAreUnattributed() {
    for (String[] node :
        new String[][] {
          {"_SOURCE", "NoOp"},
          {"_SINK", "NoOp"},
          {"_arg_input_1_0_0", "_Arg"},
          {"_retval_softmax/Softmax_0_0", "_Retval"},
          {"save/RestoreV2", "RestoreV2"}
        }) {
      String id = runtime.layerId(node[0], node[1]);
      assertThat(id).as(node[0]).isEqualTo(LayerGraph.UNATTRIBUTED);
      assertThat(runtime.typeOf(id)).isEqualTo(LayerType.OVERHEAD);
    }
  }

  @Test
  void unknownNodeIsAnOtherLayerOfItsOwn() {
    assertThat(runtime.layerId("mystery", "Foo")).isEqualTo("mystery");
    assertThat(runtime.typeOf("mystery")).isEqualTo(LayerType.OTHER);
    assertThat(runtime.layerId("mystery", "Foo")).isEqualTo("mystery");
  }

  @Test
  void timelineLabelsGiveOpTypeAndInputs() {
    String label =
        "[mklcpu 0.1MB 0.1MB] Relu = _MklNativeFusedConv2D(_arg_Placeholder_0_0, Const, Const_1)";
    assertThat(RuntimeNodes.opType(label)).isEqualTo("_MklNativeFusedConv2D");
    assertThat(RuntimeNodes.inputs(label))
        .containsExactly("_arg_Placeholder_0_0", "Const", "Const_1");
    assertThat(RuntimeNodes.opType("_SOURCE = NoOp()")).isEqualTo("NoOp");
    assertThat(RuntimeNodes.inputs("_SOURCE = NoOp()")).isEmpty();
    assertThat(RuntimeNodes.inputs("y = Split(axis, x:1, ^init)"))
        .containsExactly("axis", "x", "init");
    assertThat(RuntimeNodes.opType("no label")).isEmpty();
  }

  @Test
  void emptyGraphSendsEverythingToOtherOrUnattributed() {
    RuntimeNodes empty =
        new RuntimeNodes(LayerDetector.detect(GraphDef.getDefaultInstance(), NodeShapes.none()));
    assertThat(empty.layerId("conv2d/BiasAdd", "_FusedConv2D")).isEqualTo("conv2d/BiasAdd");
    assertThat(empty.layerId("_SOURCE", "NoOp")).isEqualTo(LayerGraph.UNATTRIBUTED);
  }

  /**
   * input_1 → conv2d → activation → batch_normalization_2 → conv2d_5 → add (conv2d_5 +
   * batch_normalization_2 + activation) → re_lu_3 → flatten → dense → softmax, and a saver.
   */
  private static GraphDef kerasGraph() {
    return graph(
        placeholder("input_1", -1, 8, 8, 3),
        weights("conv2d/kernel", 3, 3, 3, 4),
        node("conv2d/Conv2D", "Conv2D", "input_1", "conv2d/kernel")
            .attr("strides", intList(1, 1, 1, 1))
            .attr("padding", "SAME")
            .build(),
        weights("conv2d/bias", 4),
        node("conv2d/BiasAdd", "BiasAdd", "conv2d/Conv2D", "conv2d/bias").build(),
        node("activation/Relu", "Relu", "conv2d/BiasAdd").build(),
        weights("batch_normalization_2/gamma", 4),
        weights("batch_normalization_2/beta", 4),
        weights("batch_normalization_2/moving_mean", 4),
        weights("batch_normalization_2/moving_variance", 4),
        node(
                "batch_normalization_2/FusedBatchNormV3",
                "FusedBatchNormV3",
                "activation/Relu",
                "batch_normalization_2/gamma",
                "batch_normalization_2/beta",
                "batch_normalization_2/moving_mean",
                "batch_normalization_2/moving_variance")
            .build(),
        weights("conv2d_5/kernel", 1, 1, 4, 4),
        node(
                "conv2d_5/Conv2D",
                "Conv2D",
                "batch_normalization_2/FusedBatchNormV3",
                "conv2d_5/kernel")
            .attr("strides", intList(1, 1, 1, 1))
            .attr("padding", "SAME")
            .build(),
        weights("conv2d_5/bias", 4),
        node("conv2d_5/BiasAdd", "BiasAdd", "conv2d_5/Conv2D", "conv2d_5/bias").build(),
        node("add/add", "AddV2", "conv2d_5/BiasAdd", "batch_normalization_2/FusedBatchNormV3")
            .build(),
        node("add/add_1", "AddV2", "add/add", "activation/Relu").build(),
        node("re_lu_3/Relu", "Relu", "add/add_1").build(),
        ints("flatten/Const", -1, 256),
        node("flatten/Reshape", "Reshape", "re_lu_3/Relu", "flatten/Const").build(),
        weights("dense/kernel", 256, 10),
        node("dense/MatMul", "MatMul", "flatten/Reshape", "dense/kernel").build(),
        weights("dense/bias", 10),
        node("dense/BiasAdd", "BiasAdd", "dense/MatMul", "dense/bias").build(),
        node("softmax/Softmax", "Softmax", "dense/BiasAdd").build(),
        weights("save/Const", 1),
        node("save/RestoreV2", "RestoreV2", "save/Const").build());
  }
}
