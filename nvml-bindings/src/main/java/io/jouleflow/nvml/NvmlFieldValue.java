package io.jouleflow.nvml;

/**
 * One answer of {@code nvmlDeviceGetFieldValues} ({@code nvmlFieldValue_t}). Each field carries
 * its own return code: a query for several fields can succeed while one of them is not supported.
 *
 * @param fieldId the {@code NVML_FI_*} id asked for (see {@link NvmlField})
 * @param scopeId the field's scope (e.g. an NVLink id); 0 for device-wide fields
 * @param timestampMicros when NVML read the value, microseconds since 1970 (CPU clock)
 * @param latencyMicros how long the value took to update inside NVML
 * @param returnCode this field's {@code nvmlReturn_t}; the value is meaningful only on success
 * @param valueType which union member holds the value
 * @param rawValue the 8 bytes of the {@code nvmlValue_t} union, read as one long in native byte
 *     order, so the low bits hold the narrower members
 */
public record NvmlFieldValue(
    int fieldId,
    int scopeId,
    long timestampMicros,
    long latencyMicros,
    int returnCode,
    NvmlValueType valueType,
    long rawValue) {

  /** This field's return code as a type; see {@link #returnCode()} for codes newer than it. */
  public NvmlReturn result() {
    return NvmlReturn.fromCode(returnCode);
  }

  public boolean succeeded() {
    return returnCode == NvmlReturn.SUCCESS.code();
  }

  /** The value as a double, whatever its type (unsigned types read as unsigned). */
  public double asDouble() {
    return switch (valueType) {
      case DOUBLE -> Double.longBitsToDouble(rawValue);
      case UNSIGNED_LONG, UNSIGNED_LONG_LONG ->
          rawValue >= 0 ? rawValue : Math.scalb((double) (rawValue >>> 1), 1);
      default -> asLong();
    };
  }

  /**
   * The value as a long: doubles are rounded; unsigned 64-bit values above {@link Long#MAX_VALUE}
   * come back negative (read them with {@link Long#toUnsignedString(long)}).
   */
  public long asLong() {
    return switch (valueType) {
      case DOUBLE -> Math.round(Double.longBitsToDouble(rawValue));
      case UNSIGNED_INT -> rawValue & 0xFFFF_FFFFL;
      case SIGNED_INT -> (int) rawValue;
      case UNSIGNED_SHORT -> rawValue & 0xFFFFL;
      default -> rawValue;
    };
  }
}
