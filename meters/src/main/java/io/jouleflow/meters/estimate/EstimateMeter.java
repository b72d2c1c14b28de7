package io.jouleflow.meters.estimate;

import io.jouleflow.meters.Device;
import io.jouleflow.meters.DeviceType;
import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.meters.MeterException;
import io.jouleflow.meters.MeterSource;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * An estimate, not a measurement: this JVM's CPU time (all its threads) priced at a fixed number of
 * active watts per core. It knows nothing of idle power, other processes, memory or GPUs, nor of
 * frequency or instruction mix; its source is always {@link MeterSource#ESTIMATE}. It exists so
 * that machines without RAPL or NVML still get comparable, clearly labelled numbers.
 */
public final class EstimateMeter implements EnergyMeter {

  /**
   * Linux accounts process CPU time in clock ticks (USER_HZ = 100), and that is the step the JDK's
   * {@code getProcessCpuTime} shows.
   */
  static final long CPU_TIME_TICK_NANOS = 10_000_000L;

  private final double wattsPerCore;
  private final String basis;
  private final LongSupplier cpuNanos;
  private final long startNanos;
  private final Device device;

  /**
   * @param wattsPerCore active watts of one fully busy core
   * @param basis where the wattage comes from, e.g. {@code Xeon Platinum 8380: 270 W TDP / 40
   *     cores} or {@code cpu.watts=12}
   * @param cpuNanos cumulative CPU nanoseconds of the process (tests pass their own)
   */
  public EstimateMeter(double wattsPerCore, String basis, LongSupplier cpuNanos)
      throws MeterException {
    if (!(wattsPerCore > 0) || Double.isInfinite(wattsPerCore)) {
      throw new IllegalArgumentException("wattsPerCore must be positive: " + wattsPerCore);
    }
    this.wattsPerCore = wattsPerCore;
    this.basis = basis;
    this.cpuNanos = cpuNanos;
    this.startNanos = cpuNanosNow();
    this.device =
        new Device(
            "cpu",
            DeviceType.CPU,
            String.format(Locale.ROOT, "CPU estimate (%.2f W per busy core)", wattsPerCore));
  }

  public double wattsPerCore() {
    return wattsPerCore;
  }

  /** Where the wattage comes from. */
  public String basis() {
    return basis;
  }

  /** One line for logs and the {@code meters} verb: what this number is and what it is not. */
  public String description() {
    return String.format(
        Locale.ROOT,
        "estimate, not a measurement: this process's CPU time x %.2f W per core (%s); excludes"
            + " idle power, other processes, memory and GPUs",
        wattsPerCore,
        basis);
  }

  @Override
  public Device device() {
    return device;
  }

  @Override
  public MeterSource source() {
    return MeterSource.ESTIMATE;
  }

  /** One CPU-time tick priced at the per-core wattage. */
  @Override
  public double resolutionJoules() {
    return wattsPerCore * CPU_TIME_TICK_NANOS * 1e-9;
  }

  @Override
  public long updateIntervalNanos() {
    return CPU_TIME_TICK_NANOS;
  }

  @Override
  public double readJoules() throws MeterException {
    return (cpuNanosNow() - startNanos) * 1e-9 * wattsPerCore;
  }

  private long cpuNanosNow() throws MeterException {
    long nanos = cpuNanos.getAsLong();
    if (nanos < 0) {
      throw new MeterException("process CPU time is not available on this JVM");
    }
    return nanos;
  }

  @Override
  public String toString() {
    return "EstimateMeter[" + description() + "]";
  }
}
