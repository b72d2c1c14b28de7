package io.jouleflow.agent.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.agent.trace.NodeRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScopeLayersTest {

  private static NodeRecord node(String name, String op) {
    return new NodeRecord(name, op, "cpu:0", 0, 1, List.of());
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
    assertThat(ScopeLayers.typeOf("_FusedConv2D")).isEqualTo("Convolutional");
    assertThat(ScopeLayers.typeOf("MatMul")).isEqualTo("Dense");
    assertThat(ScopeLayers.typeOf("FusedBatchNormV3")).isEqualTo("Normalization");
    assertThat(ScopeLayers.typeOf("AddV2")).isEqualTo("Add");
    assertThat(ScopeLayers.typeOf("Whatever")).isEqualTo("Other");
    // oneDNN builds of TensorFlow (the CPU default) rename the kernels they run
    assertThat(ScopeLayers.typeOf("_MklNativeFusedConv2D")).isEqualTo("Convolutional");
    assertThat(ScopeLayers.typeOf("_MklNativeFusedMatMul")).isEqualTo("Dense");
    assertThat(ScopeLayers.typeOf("_MklNativeFusedBatchNormEx")).isEqualTo("Normalization");
    assertThat(ScopeLayers.typeOf("_MklNativeMaxPool")).isEqualTo("Pooling");
    assertThat(ScopeLayers.typeOf("_MklSoftmax")).isEqualTo("Activation");
    assertThat(ScopeLayers.anchorRank("Conv2D")).isLessThan(ScopeLayers.anchorRank("BiasAdd"));
    assertThat(ScopeLayers.anchorRank("Conv2D")).isLessThan(ScopeLayers.anchorRank("Relu"));
  }
}
