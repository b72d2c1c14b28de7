package io.jouleflow.meters.nvml;

import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.meters.MeterException;
import io.jouleflow.meters.MeterProvider;
import java.util.List;

/**
 * The {@code nvml} meters: one {@link NvmlEnergyMeter} per NVIDIA GPU. Skipped, with NVML's
 * reason, where there is no driver.
 */
public final class NvmlMeterProvider implements MeterProvider {

  private final String library;

  /** Loads NVML from the default location or the {@code jouleflow.nvml.library} property. */
  public NvmlMeterProvider() {
    this(null);
  }

  /** Loads NVML from one library (a name or an absolute path); null means the default. */
  public NvmlMeterProvider(String library) {
    this.library = library;
  }

  @Override
  public String name() {
    return "nvml";
  }

  @Override
  public List<EnergyMeter> open() throws MeterException {
    return List.copyOf(library == null ? NvmlMeters.openAll() : NvmlMeters.openAll(library));
  }

  /** The default device list, plus a caveat for each GPU whose joules are integrated power. */
  @Override
  public String describe(List<EnergyMeter> opened) {
    StringBuilder line = new StringBuilder(MeterProvider.super.describe(opened));
    for (EnergyMeter meter : opened) {
      if (meter instanceof NvmlEnergyMeter nvml
          && nvml.method() != NvmlEnergyMeter.Method.ENERGY_COUNTER) {
        line.append("; ").append(nvml.device().id()).append(": ").append(nvml.description());
      }
    }
    return line.toString();
  }
}
