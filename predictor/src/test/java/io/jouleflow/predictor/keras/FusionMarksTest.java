package io.jouleflow.predictor.keras;

import static io.jouleflow.predictor.keras.KerasJsonFixtures.load;
import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.predictor.layers.Fusion;
import io.jouleflow.predictor.layers.Layer;
import io.jouleflow.predictor.layers.LayerGraph;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Fusion}'s marks on a real Keras 2 export of ResNet50. */
class FusionMarksTest {

  private final LayerGraph graph =
      KerasLayers.toLayerGraph(load("resnet50_keras2.json"), 1, new int[] {64, 64, 3}).graph();

  private boolean fused(String id) {
    return Fusion.isFused(graph.layer(id).orElseThrow().features().asMap());
  }

  @Test
  void aBatchNormAfterAConvolutionWithBiasRunsApartAndTakesTheReluAfterIt() {
    // ResNet50's convolutions have a bias: the batch norm is TensorFlow's _FusedBatchNormEx
    assertThat(graph.layer("conv1_conv").orElseThrow().features().bias()).isEqualTo(1);
    assertThat(fused("conv1_conv")).isFalse();
    assertThat(fused("conv1_bn")).isFalse();
    assertThat(fused("conv1_relu")).isTrue();
    assertThat(fused("conv2_block1_1_relu")).isTrue();
    assertThat(graph.consumers("conv1_conv")).containsExactly("conv1_bn");
  }

  @Test
  void theResidualAddAndItsReluJoinABatchNormThatFeedsOnlyThem() {
    assertThat(graph.producers("conv2_block1_add"))
        .containsExactlyInAnyOrder("conv2_block1_0_bn", "conv2_block1_3_bn");
    assertThat(fused("conv2_block1_add")).isTrue();
    assertThat(fused("conv2_block1_out")).isTrue(); // the Relu after the Add
    assertThat(fused("conv2_block1_3_bn")).isFalse();
    // conv2_block2's Add reads the previous block's output (a Relu), which also feeds a conv
    assertThat(fused("conv2_block2_add")).isTrue(); // its own _3_bn still feeds only the Add
  }

  @Test
  void onlyReluAndAddLayersAreMarkedInResNet() {
    List<Layer> marked = graph.layers().stream()
        .filter(l -> Fusion.isFused(l.features().asMap())).toList();
    assertThat(marked).allSatisfy(l -> assertThat(l.id()).matches(".*_(relu|add|out)"));
    assertThat(marked).hasSizeGreaterThan(40);
  }
}
