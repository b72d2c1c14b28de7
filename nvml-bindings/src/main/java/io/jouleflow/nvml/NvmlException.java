package io.jouleflow.nvml;

/**
 * An NVML call returned an error. The message is one line: the function, NVML's own text for the
 * code ({@code nvmlErrorString}) and the C symbol, e.g. {@code nvmlDeviceGetPowerUsage failed: GPU
 * is lost (NVML_ERROR_GPU_IS_LOST)}.
 *
 * <p>"Not supported" answers of capability queries are not thrown; the facade returns an empty
 * optional for them instead.
 */
public class NvmlException extends Exception {

  private final String function;
  private final NvmlReturn result;
  private final int code;
  private final String errorString;

  public NvmlException(String function, int code, String errorString) {
    super(message(function, code, errorString));
    this.function = function;
    this.result = NvmlReturn.fromCode(code);
    this.code = code;
    this.errorString = errorString;
  }

  private static String message(String function, int code, String errorString) {
    NvmlReturn result = NvmlReturn.fromCode(code);
    String symbol = result == NvmlReturn.UNRECOGNIZED ? "nvmlReturn_t " + code : result.symbol();
    return function + " failed: " + errorString + " (" + symbol + ")";
  }

  /** The NVML function that failed, e.g. {@code nvmlDeviceGetTotalEnergyConsumption}. */
  public String function() {
    return function;
  }

  public NvmlReturn result() {
    return result;
  }

  /** The raw {@code nvmlReturn_t}, meaningful also when {@link #result()} is UNRECOGNIZED. */
  public int code() {
    return code;
  }

  /** NVML's text for the code, from {@code nvmlErrorString}. */
  public String errorString() {
    return errorString;
  }
}
