package io.jouleflow.meters;

/**
 * One energy counter of one device: an NVIDIA GPU through NVML, a RAPL zone through powercap, or
 * the CPU estimate. Readings are cumulative joules since the meter was opened, never decreasing
 * (counter wrap-around is handled inside the meter).
 *
 * <p>Implementations must be safe to read from one sampler thread while another thread asks for
 * {@link #device()} and friends; {@link #readJoules()} itself is only called from one thread.
 */
public interface EnergyMeter extends AutoCloseable {

  /** The device this meter measures ({@code hw.id}, {@code hw.type}). */
  Device device();

  /** Where the numbers come from; {@link MeterSource#ESTIMATE} is never a measurement. */
  MeterSource source();

  /** Smallest energy step the counter can show, in joules (RAPL: 1e-6; NVML: 1e-3). */
  double resolutionJoules();

  /**
   * How often the underlying counter updates, in nanoseconds (NVML: 20-100 ms; RAPL: about 1 ms;
   * estimate: the OS CPU-time accounting tick). Attribution windows must be much longer.
   */
  long updateIntervalNanos();

  /** Cumulative joules since this meter was opened. */
  double readJoules() throws MeterException;

  /**
   * Whether this meter's energy is part of the machine's total, so that summing every such meter
   * counts each joule once. False for meters nested in another (RAPL core/uncore inside a
   * package, psys overlapping everything); they are still exported as devices of their own.
   */
  default boolean inMachineTotal() {
    return true;
  }

  /** Releases native resources; reading afterwards is undefined. */
  @Override
  default void close() {}
}
