package io.jouleflow.nvml;

/** {@code nvmlValueType_t}: which member of the {@code nvmlValue_t} union a field value uses. */
public enum NvmlValueType {
  DOUBLE,
  UNSIGNED_INT,
  UNSIGNED_LONG,
  UNSIGNED_LONG_LONG,
  SIGNED_LONG_LONG,
  SIGNED_INT,
  UNSIGNED_SHORT,
  /** A type this version does not know. */
  UNRECOGNIZED;

  public static NvmlValueType fromCode(int code) {
    NvmlValueType[] known = values();
    return code >= 0 && code < known.length - 1 ? known[code] : UNRECOGNIZED;
  }
}
