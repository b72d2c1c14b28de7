package io.jouleflow.nvml;

/** Field ids for {@link NvmlDevice#fieldValues(int...)}, the {@code NVML_FI_*} values of nvml.h. */
public final class NvmlField {

  /** {@code NVML_FI_DEV_POWER_AVERAGE}: milliwatts averaged over one second (Ampere and newer). */
  public static final int POWER_AVERAGE = 185;

  /**
   * {@code NVML_FI_DEV_POWER_INSTANT}: current milliwatts, without the one-second average that
   * {@code nvmlDeviceGetPowerUsage} applies on Ampere and newer.
   */
  public static final int POWER_INSTANT = 186;

  private NvmlField() {}
}
