package io.jouleflow.predictor.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Keras' shape arithmetic; the expected values are those of {@code keras.utils.conv_utils}'s
 * {@code conv_output_length} and {@code deconv_output_length} and of {@code
 * Reshape._fix_unknown_dimension} for the same arguments.
 */
class KerasShapesTest {

  @Test
  void convolutionLengthFollowsEachPadding() {
    assertThat(KerasShapes.convOutputLength(8, 3, "valid", 1, 1)).isEqualTo(6);
    assertThat(KerasShapes.convOutputLength(7, 3, "valid", 2, 1)).isEqualTo(3);
    assertThat(KerasShapes.convOutputLength(7, 3, "same", 2, 1)).isEqualTo(4);
    assertThat(KerasShapes.convOutputLength(10, 3, "causal", 1, 2)).isEqualTo(10);
    assertThat(KerasShapes.convOutputLength(5, 3, "full", 1, 1)).isEqualTo(7);
    assertThat(KerasShapes.convOutputLength(5, 3, "full", 2, 2)).isEqualTo(5);
  }

  @Test
  void dilationWidensTheWindow() {
    assertThat(KerasShapes.dilatedKernel(3, 2)).isEqualTo(5);
    assertThat(KerasShapes.convOutputLength(10, 3, "valid", 1, 2)).isEqualTo(6);
  }

  @Test
  void windowLongerThanItsInputLeavesNoLength() {
    assertThat(KerasShapes.convOutputLength(4, 5, "valid", 1, 1)).isLessThanOrEqualTo(0);
    assertThat(KerasShapes.convOutputLength(4, 5, "valid", 2, 1)).isLessThanOrEqualTo(0);
    assertThat(KerasShapes.convOutputLength(4, 4, "valid", 3, 1)).isEqualTo(1);
  }

  @Test
  void unknownPaddingAndNonPositiveGeometryAreRejected() {
    assertThatThrownBy(() -> KerasShapes.convOutputLength(8, 3, "SAME", 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KerasShapes.convOutputLength(8, 3, "same", 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KerasShapes.deconvOutputLength(8, 0, "same", null, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KerasShapes.deconvOutputLength(8, 3, "same", null, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void transposedLengthWithoutOutputPaddingIsInferred() {
    assertThat(KerasShapes.deconvOutputLength(8, 3, "same", null, 2, 1)).isEqualTo(16);
    assertThat(KerasShapes.deconvOutputLength(8, 3, "valid", null, 2, 1)).isEqualTo(17);
    assertThat(KerasShapes.deconvOutputLength(8, 2, "valid", null, 3, 1)).isEqualTo(24);
    assertThat(KerasShapes.deconvOutputLength(8, 3, "valid", null, 1, 2)).isEqualTo(12);
    // full undoes a full convolution: 13 --(k 3, stride 2, full)--> 8.
    assertThat(KerasShapes.deconvOutputLength(8, 3, "full", null, 2, 1)).isEqualTo(13);
    assertThat(KerasShapes.convOutputLength(13, 3, "full", 2, 1)).isEqualTo(8);
  }

  @Test
  void transposedLengthWithOutputPaddingIsExact() {
    assertThat(KerasShapes.deconvOutputLength(8, 3, "valid", 1, 2, 1)).isEqualTo(18);
    assertThat(KerasShapes.deconvOutputLength(8, 4, "valid", 2, 3, 1)).isEqualTo(27);
    assertThat(KerasShapes.deconvOutputLength(8, 3, "same", 1, 2, 1)).isEqualTo(16);
    assertThat(KerasShapes.deconvOutputLength(8, 3, "full", 0, 2, 1)).isEqualTo(13);
  }

  @Test
  void reshapeResolvesTheOneUnknownDimension() {
    assertThat(KerasShapes.reshapeTarget(24, new long[] {2, -1, 3})).containsExactly(2, 4, 3);
    assertThat(KerasShapes.reshapeTarget(24, new long[] {4, 6})).containsExactly(4, 6);
    assertThat(KerasShapes.reshapeTarget(0, new long[] {0, 5})).containsExactly(0, 5);
  }

  @Test
  void reshapeThatCannotHoldTheElementsHasNoResult() {
    assertThat(KerasShapes.reshapeTarget(6, new long[] {4, 2})).isNull();
    assertThat(KerasShapes.reshapeTarget(6, new long[] {4, -1})).isNull();
    assertThat(KerasShapes.reshapeTarget(6, new long[] {0, -1})).isNull();
  }

  @Test
  void reshapeWithTwoUnknownDimensionsIsRejected() {
    assertThatThrownBy(() -> KerasShapes.reshapeTarget(24, new long[] {-1, 2, -1}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
