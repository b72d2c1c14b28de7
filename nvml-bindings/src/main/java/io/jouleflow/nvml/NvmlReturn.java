package io.jouleflow.nvml;

/** The {@code nvmlReturn_t} codes of {@code nvml.h}, plus {@link #UNRECOGNIZED} for newer ones. */
public enum NvmlReturn {
  SUCCESS(0),
  UNINITIALIZED(1),
  INVALID_ARGUMENT(2),
  NOT_SUPPORTED(3),
  NO_PERMISSION(4),
  ALREADY_INITIALIZED(5),
  NOT_FOUND(6),
  INSUFFICIENT_SIZE(7),
  INSUFFICIENT_POWER(8),
  DRIVER_NOT_LOADED(9),
  TIMEOUT(10),
  IRQ_ISSUE(11),
  LIBRARY_NOT_FOUND(12),
  FUNCTION_NOT_FOUND(13),
  CORRUPTED_INFOROM(14),
  GPU_IS_LOST(15),
  RESET_REQUIRED(16),
  OPERATING_SYSTEM(17),
  LIB_RM_VERSION_MISMATCH(18),
  IN_USE(19),
  MEMORY(20),
  NO_DATA(21),
  VGPU_ECC_NOT_SUPPORTED(22),
  INSUFFICIENT_RESOURCES(23),
  FREQ_NOT_SUPPORTED(24),
  ARGUMENT_VERSION_MISMATCH(25),
  DEPRECATED(26),
  NOT_READY(27),
  GPU_NOT_FOUND(28),
  INVALID_STATE(29),
  RESET_TYPE_NOT_SUPPORTED(30),
  UNKNOWN(999),
  /** A code this version does not know (a newer driver); the raw code travels alongside. */
  UNRECOGNIZED(-1);

  private static final NvmlReturn[] BY_CODE = new NvmlReturn[31];

  static {
    for (NvmlReturn value : values()) {
      if (value.code >= 0 && value.code < BY_CODE.length) {
        BY_CODE[value.code] = value;
      }
    }
  }

  private final int code;

  NvmlReturn(int code) {
    this.code = code;
  }

  /** The numeric {@code nvmlReturn_t}; -1 for {@link #UNRECOGNIZED}. */
  public int code() {
    return code;
  }

  /** The C name, e.g. {@code NVML_ERROR_NOT_SUPPORTED}, so messages match NVIDIA's docs. */
  public String symbol() {
    return this == SUCCESS ? "NVML_SUCCESS" : "NVML_ERROR_" + name();
  }

  /**
   * True when the answer means "this GPU or driver cannot do that" rather than a failure:
   * {@link #NOT_SUPPORTED}, or {@link #FUNCTION_NOT_FOUND} (the driver lacks the entry point).
   */
  public boolean isCapabilityMissing() {
    return this == NOT_SUPPORTED || this == FUNCTION_NOT_FOUND;
  }

  public static NvmlReturn fromCode(int code) {
    if (code >= 0 && code < BY_CODE.length && BY_CODE[code] != null) {
      return BY_CODE[code];
    }
    return code == UNKNOWN.code ? UNKNOWN : UNRECOGNIZED;
  }
}
