package io.jouleflow.predictor.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.predictor.layers.OpKind;
import io.jouleflow.predictor.trace.NodeRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScopeLayersTest {

  private static NodeRecord node(String name, String op) {
    return new NodeRecord(name, op, "cpu:0", 0, 1, List.of());
  }

  private static String typeOf(String op) {
    return OpKind.ofRuntimeOp(op).type().label();
  }

  private static int rank(String op) {
    return OpKind.ofRuntimeOp(op).rank();
  }

  @Test
  void groupsByTheFirstNameScope() {
    assertThat(ScopeLayers.layerOf(node("conv2d_3/Conv2D", "Conv2D"))).isEqualTo("conv2d_3");
    assertThat(ScopeLayers.layerOf(node("conv2d_3/Relu", "_FusedConv2D"))).isEqualTo("conv2d_3");
    assertThat(ScopeLayers.layerOf(node("Softmax", "Softmax"))).isEqualTo("Softmax");
  }

  @Test
  void executorNodesBelongToNoLayer() {
    assertThat(ScopeLayers.layerOf(node("_SOURCE", "NoOp"))).isNull();
    assertThat(ScopeLayers.layerOf(node("_arg_input_0_0", "_Arg"))).isNull();
    assertThat(ScopeLayers.layerOf(node("_retval_softmax_0_0", "_Retval"))).isNull();
  }

  @Test
  void typesFollowTheStrongestAnchorOp() {
    assertThat(typeOf("_FusedConv2D")).isEqualTo("Convolutional");
    assertThat(typeOf("MatMul")).isEqualTo("Dense");
    assertThat(typeOf("FusedBatchNormV3")).isEqualTo("Normalization");
    assertThat(typeOf("AddV2")).isEqualTo("Add");
    assertThat(typeOf("Whatever")).isEqualTo("Other");
    // oneDNN builds of TensorFlow (the CPU default) rename the kernels they run
    assertThat(typeOf("_MklNativeFusedConv2D")).isEqualTo("Convolutional");
    assertThat(typeOf("_MklNativeFusedMatMul")).isEqualTo("Dense");
    assertThat(typeOf("_MklNativeFusedBatchNormEx")).isEqualTo("Normalization");
    assertThat(typeOf("_MklNativeMaxPool")).isEqualTo("Pooling");
    assertThat(typeOf("_MklSoftmax")).isEqualTo("Activation");
    assertThat(rank("Conv2D")).isGreaterThan(rank("BiasAdd"));
    assertThat(rank("Conv2D")).isGreaterThan(rank("Relu"));
  }

  @Test
  void aScopeTakesTheTypeOfItsStrongestOp() {
    List<LayerRef> layers = new ScopeLayers().resolve(List.of(
        node("conv2d/BiasAdd", "BiasAdd"), node("conv2d/Conv2D", "Conv2D"),
        node("conv2d/Relu", "Relu"), node("flatten/Reshape", "Reshape"),
        node("flatten/Identity", "Identity"), node("_arg_input_0_0", "_Arg")));
    assertThat(layers).containsExactly(
        new LayerRef("conv2d", "Convolutional"), new LayerRef("conv2d", "Convolutional"),
        new LayerRef("conv2d", "Convolutional"), new LayerRef("flatten", "Reshape"),
        new LayerRef("flatten", "Reshape"), null);
  }
}
