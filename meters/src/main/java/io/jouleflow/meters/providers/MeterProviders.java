package io.jouleflow.meters.providers;

import io.jouleflow.meters.MeterProvider;
import io.jouleflow.meters.estimate.EstimateMeterProvider;
import io.jouleflow.meters.nvml.NvmlMeterProvider;
import io.jouleflow.meters.rapl.RaplMeterProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The providers every jouleflow program chooses from, in the order {@code meters=auto} tries them.
 * A package of its own: it names every meter kind, so {@code io.jouleflow.meters} itself (the
 * interfaces and the selection rule) depends on none of them, and no package cycle forms.
 */
public final class MeterProviders {

  private MeterProviders() {}

  /**
   * NVML, RAPL (under {@code powercapRoot}) and the CPU estimate ({@code cpuWatts}: watts per
   * core, empty for the CPU-model table).
   */
  public static List<MeterProvider> standard(Path powercapRoot, OptionalDouble cpuWatts) {
    return List.of(
        new NvmlMeterProvider(),
        new RaplMeterProvider(powercapRoot),
        new EstimateMeterProvider(cpuWatts));
  }
}
