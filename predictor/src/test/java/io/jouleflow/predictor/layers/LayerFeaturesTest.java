package io.jouleflow.predictor.layers;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.predictor.layers.LayerFeatures.Variant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LayerFeaturesTest {

  @Test
  void asMapNamesKnownFeaturesInTableOrderAndLeavesUnknownOut() {
    LayerFeatures f =
        LayerFeatures.builder()
            .batchSize(8)
            .numberOfLayers(12)
            .inputSize(768)
            .outputSize(2048)
            .filters(8)
            .kernelSize(9)
            .stride(1)
            .padding(1)
            .flops(1e6)
            .parameters(224)
            .bytesMoved(45952)
            .variant(Variant.DEPTHWISE)
            .build();
    assertThat(f.asMap().keySet())
        .containsExactly(
            "batch_size",
            "number_of_layers",
            "input_size",
            "output_size",
            "filters",
            "kernel_size",
            "stride",
            "padding",
            "flops",
            "parameters",
            "bytes_moved",
            "variant_standard",
            "variant_depthwise",
            "variant_separable",
            "variant_transposed");
    assertThat(f.asMap())
        .containsEntry("variant_depthwise", 1.0)
        .containsEntry("variant_standard", 0.0);
    assertThat(LayerFeatures.NAMES).containsAll(f.asMap().keySet());
    assertThat(f.hiddenSize()).isNaN();
    assertThat(f.toBuilder().hiddenSize(3).build().asMap()).containsEntry("hidden_size", 3.0);
  }

  @Test
  void unknownFeaturesMapToNothing() {
    assertThat(LayerFeatures.unknown().asMap()).isEmpty();
    assertThat(LayerFeatures.unknown().variant()).isNull();
  }

  @Test
  void layerTypeLabelsAreThePaperNames() {
    assertThat(Arrays.stream(LayerType.values()).map(LayerType::label))
        .containsExactly(
            "Dense",
            "Convolutional",
            "Pooling",
            "InputLayer",
            "Padding",
            "Normalization",
            "Activation",
            "Rescaling",
            "Reshape",
            "Dropout",
            "Add",
            "Multiply",
            "Concatenate",
            "Upsampling",
            "Other",
            "Overhead");
    assertThat(LayerType.fromLabel("InputLayer")).contains(LayerType.INPUT_LAYER);
    assertThat(LayerType.fromLabel("Conv")).isEmpty();
    assertThat(Variant.SEPARABLE.label()).isEqualTo("separable");
  }
}
