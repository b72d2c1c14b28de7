package io.jouleflow.nvml;

import java.util.Optional;

/**
 * NVML cannot be used in this process. The message is one line that says why, so a caller can
 * disable GPU metering with a single clear log line.
 */
public class NvmlUnavailableException extends Exception {

  /** Why NVML is unavailable. */
  public enum Reason {
    /** No libnvidia-ml could be loaded (no NVIDIA driver, or not visible in this container). */
    LIBRARY_NOT_FOUND,
    /** The library loaded but lacks a function jouleflow needs (a driver that is too old). */
    SYMBOL_MISSING,
    /** {@code nvmlInit_v2} returned an error; {@link #initResult()} says which. */
    INIT_FAILED,
    /** JNA itself could not start (its native part failed to load). */
    NATIVE_ACCESS_FAILED
  }

  private final Reason reason;
  private final NvmlReturn initResult;

  public NvmlUnavailableException(Reason reason, String message) {
    this(reason, message, null, null);
  }

  public NvmlUnavailableException(
      Reason reason, String message, NvmlReturn initResult, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.initResult = initResult;
  }

  public Reason reason() {
    return reason;
  }

  /** The code {@code nvmlInit_v2} returned, present only for {@link Reason#INIT_FAILED}. */
  public Optional<NvmlReturn> initResult() {
    return Optional.ofNullable(initResult);
  }
}
