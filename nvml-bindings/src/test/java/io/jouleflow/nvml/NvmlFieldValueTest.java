package io.jouleflow.nvml;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NvmlFieldValueTest {

  private static NvmlFieldValue value(NvmlValueType type, long raw) {
    return new NvmlFieldValue(NvmlField.POWER_INSTANT, 0, 0, 0, 0, type, raw);
  }

  @Test
  void unsignedIntIgnoresTheUnusedHighBytesOfTheUnion() {
    assertThat(value(NvmlValueType.UNSIGNED_INT, 0xDEAD_BEEF_FFFF_FFFFL).asLong())
        .isEqualTo(0xFFFF_FFFFL);
  }

  @Test
  void doubleIsDecodedFromItsBits() {
    NvmlFieldValue value = value(NvmlValueType.DOUBLE, Double.doubleToLongBits(250.75));
    assertThat(value.asDouble()).isEqualTo(250.75);
    assertThat(value.asLong()).isEqualTo(251);
  }

  @Test
  void signedIntKeepsItsSign() {
    assertThat(value(NvmlValueType.SIGNED_INT, 0xFFFF_FFFFL).asLong()).isEqualTo(-1);
  }

  @Test
  void unsignedLongLongAboveLongMaxReadsAsALargeDouble() {
    assertThat(value(NvmlValueType.UNSIGNED_LONG_LONG, -1L).asDouble()).isEqualTo(0x1p64);
  }

  @Test
  void returnCodesMapToTheirNvmlSymbols() {
    assertThat(NvmlReturn.fromCode(3)).isEqualTo(NvmlReturn.NOT_SUPPORTED);
    assertThat(NvmlReturn.fromCode(999)).isEqualTo(NvmlReturn.UNKNOWN);
    assertThat(NvmlReturn.fromCode(30)).isEqualTo(NvmlReturn.RESET_TYPE_NOT_SUPPORTED);
    assertThat(NvmlReturn.fromCode(31)).isEqualTo(NvmlReturn.UNRECOGNIZED);
    assertThat(NvmlReturn.NOT_SUPPORTED.symbol()).isEqualTo("NVML_ERROR_NOT_SUPPORTED");
    assertThat(NvmlReturn.SUCCESS.symbol()).isEqualTo("NVML_SUCCESS");
    assertThat(NvmlReturn.NOT_SUPPORTED.isCapabilityMissing()).isTrue();
    assertThat(NvmlReturn.GPU_IS_LOST.isCapabilityMissing()).isFalse();
  }
}
