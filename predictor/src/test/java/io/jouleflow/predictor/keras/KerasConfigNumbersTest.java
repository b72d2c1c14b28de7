package io.jouleflow.predictor.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Numbers in layer configs and shapes are taken only when they are exact integers in range: a
 * value that would wrap, round or turn a boolean into 1 is one line naming the layer and field.
 */
class KerasConfigNumbersTest {

  private static final String TWO_TO_64_PLUS_8 = "18446744073709551624";

  /** A Sequential model: an input of {@code shape}, then {@code layer} (class and config body). */
  private static KerasModel model(String shape, String layerClass, String config) {
    return KerasJson.parse("""
        {"class_name": "Sequential", "config": {"name": "m", "layers": [
          {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": %s}},
          {"class_name": "%s", "config": {"name": "l", %s}}]}}
        """.formatted(shape, layerClass, config), "m");
  }

  private static KerasImport dense(String units) {
    return KerasLayers.toLayerGraph(model("[null, 4]", "Dense", "\"units\": " + units), 1, null);
  }

  @Test
  void denseUnitsThatAreNoExactIntegerInRangeAreRejected() {
    for (String units : new String[] {TWO_TO_64_PLUS_8, "3.5", "true", "1e30", "\"8\"", "0",
        "-2", "2147483648"}) {
      assertThatThrownBy(() -> dense(units))
          .as(units)
          .isInstanceOf(KerasFormatException.class)
          .hasMessageStartingWith("layer \"l\" (Dense): \"units\" ")
          .hasMessageContaining("is not an integer from 1 to 2147483647");
    }
  }

  @Test
  void integralUnitsAreTakenWhateverTheirSpelling() {
    assertThat(dense("8").outputShapes().get("l")).containsExactly(1L, 8L);
    assertThat(dense("8.0").outputShapes().get("l")).containsExactly(1L, 8L);
    assertThat(dense("2147483647").outputShapes().get("l")).containsExactly(1L, 2147483647L);
  }

  @Test
  void convolutionTuplesThatAreNoExactIntegersAreRejected() {
    String[][] cases = {
      {"\"kernel_size\": [3.5, 3]", "\"kernel_size\""},
      {"\"kernel_size\": [3, 3], \"strides\": true", "\"strides\""},
      {"\"kernel_size\": " + TWO_TO_64_PLUS_8, "\"kernel_size\""},
      {"\"kernel_size\": [3, 3], \"dilation_rate\": [1, 4294967297]", "\"dilation_rate\""},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> KerasLayers.toLayerGraph(
              model("[null, 8, 8, 3]", "Conv2D", "\"filters\": 4, " + c[0]), 1, null))
          .as(c[0])
          .isInstanceOf(KerasFormatException.class)
          .hasMessageStartingWith("layer \"l\" (Conv2D): " + c[1])
          .hasMessageContaining("is not an integer");
    }
  }

  @Test
  void inputDimensionsThatAreNoExactIntegersAreRejectedNamingTheInput() {
    for (String dim : new String[] {"18446744073709551621", "4.5", "true", "\"a\""}) {
      assertThatThrownBy(() -> KerasLayers.toLayerGraph(
              model("[null, " + dim + "]", "Dense", "\"units\": 8"), 1, null))
          .as(dim)
          .isInstanceOf(KerasFormatException.class)
          .hasMessageStartingWith("input \"in\": \"batch_input_shape\" ")
          .hasMessageContaining("is not an integer from 1 to 2147483647");
    }
  }

  @Test
  void anEmptyInputShapeIsRejectedInOneLine() {
    assertThatThrownBy(() -> KerasLayers.toLayerGraph(
            model("[]", "Dense", "\"units\": 8"), 1, null))
        .isInstanceOf(KerasFormatException.class)
        .hasMessage("input \"in\": \"batch_input_shape\" is [], without even the batch dimension");
  }

  @Test
  void shapesWhoseElementCountsOverflowAreRejected() {
    assertThatThrownBy(() -> KerasLayers.toLayerGraph(
            model("[null, 100000, 100000, 100000, 100000]", "Dense", "\"units\": 8"), 1, null))
        .isInstanceOf(KerasFormatException.class)
        .hasMessageContaining("\"in\"")
        .hasMessageContaining("more than 2147483647 elements per example");
    assertThatThrownBy(() -> KerasLayers.toLayerGraph(
            model("[null, null, null, 3]", "Dense", "\"units\": 8"), 1,
            new int[] {1_000_000_000, 1_000_000_000, 3}))
        .hasMessageContaining("more than 2147483647 elements per example");
    // Each layer's output too: 65536 x 65536 x 1 in, 2 filters out.
    assertThatThrownBy(() -> KerasLayers.toLayerGraph(
            model("[null, 46000, 46000, 1]", "Conv2D", "\"filters\": 2, \"kernel_size\": 1"), 1,
            null))
        .hasMessageStartingWith("layer \"l\" (Conv2D): output [null, 46000, 46000, 2]")
        .hasMessageContaining("more than 2147483647 elements per example");
  }
}
