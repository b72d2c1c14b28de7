package io.jouleflow.meters.estimate;

import io.jouleflow.meters.CpuInfo;
import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.meters.MeterException;
import io.jouleflow.meters.MeterProvider;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.LongSupplier;

/**
 * The CPU estimate: one {@link EstimateMeter} whose wattage is, in order, the {@code cpu.watts}
 * option, the {@link CpuPowerTable} row of this CPU's model, or {@value
 * CpuPowerTable#FALLBACK_WATTS_PER_CORE} W per core.
 */
public final class EstimateMeterProvider implements MeterProvider {

  private final OptionalDouble wattsPerCoreOverride;
  private final Path cpuinfo;
  private final LongSupplier cpuNanos;

  /** Reads /proc/cpuinfo and the JVM's process CPU time. */
  public EstimateMeterProvider(OptionalDouble wattsPerCoreOverride) {
    this(wattsPerCoreOverride, CpuInfo.PROC_CPUINFO, EstimateMeterProvider::processCpuNanos);
  }

  /**
   * @param wattsPerCoreOverride the {@code cpu.watts} option, if set
   * @param cpuinfo a file in {@code /proc/cpuinfo} format
   * @param cpuNanos cumulative process CPU nanoseconds; negative means unavailable
   */
  public EstimateMeterProvider(
      OptionalDouble wattsPerCoreOverride, Path cpuinfo, LongSupplier cpuNanos) {
    wattsPerCoreOverride.ifPresent(
        w -> {
          if (!(w > 0) || Double.isInfinite(w)) {
            throw new IllegalArgumentException("cpu.watts must be a positive number: " + w);
          }
        });
    this.wattsPerCoreOverride = wattsPerCoreOverride;
    this.cpuinfo = cpuinfo;
    this.cpuNanos = cpuNanos;
  }

  @Override
  public String name() {
    return "estimate";
  }

  @Override
  public List<EnergyMeter> open() throws MeterException {
    if (wattsPerCoreOverride.isPresent()) {
      double w = wattsPerCoreOverride.getAsDouble();
      return List.of(
          new EstimateMeter(w, String.format(Locale.ROOT, "cpu.watts=%s", w), cpuNanos));
    }
    String model = (cpuinfo.equals(CpuInfo.PROC_CPUINFO) ? CpuInfo.readMachine()
        : CpuInfo.read(cpuinfo)).modelName();
    Optional<CpuPowerTable.Row> row = CpuPowerTable.lookup(model);
    if (row.isPresent()) {
      return List.of(new EstimateMeter(row.get().wattsPerCore(), row.get().basis(), cpuNanos));
    }
    return List.of(
        new EstimateMeter(
            CpuPowerTable.FALLBACK_WATTS_PER_CORE,
            "default for CPU model '" + model + "', which is not in the table; set cpu.watts",
            cpuNanos));
  }

  /** The estimate's own description: what it is, and that it is not a measurement. */
  @Override
  public String describe(List<EnergyMeter> opened) {
    return opened.stream()
        .map(m -> m instanceof EstimateMeter e ? e.description() : m.device().name())
        .reduce((a, b) -> a + "; " + b)
        .orElse("no meter");
  }

  /** This JVM's CPU time in nanoseconds, or -1 where the JVM does not report it. */
  public static long processCpuNanos() {
    com.sun.management.OperatingSystemMXBean sun = ProcessCpu.BEAN;
    return sun == null ? -1 : sun.getProcessCpuTime();
  }

  /**
   * Looked up once: the sampler reads the CPU time every 10 ms, and {@code
   * ManagementFactory.getOperatingSystemMXBean()} searches the platform's beans on every call.
   */
  private static final class ProcessCpu {
    static final com.sun.management.OperatingSystemMXBean BEAN =
        ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean sun ? sun : null;
  }
}
