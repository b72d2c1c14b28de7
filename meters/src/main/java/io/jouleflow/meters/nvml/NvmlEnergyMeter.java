package io.jouleflow.meters.nvml;

import io.jouleflow.meters.Device;
import io.jouleflow.meters.DeviceType;
import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.meters.MeterException;
import io.jouleflow.meters.MeterSource;
import io.jouleflow.nvml.Nvml;
import io.jouleflow.nvml.NvmlDevice;
import io.jouleflow.nvml.NvmlDeviceInfo;
import io.jouleflow.nvml.NvmlException;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * The energy of one NVIDIA GPU through NVML. {@code hw.id} is the GPU UUID.
 *
 * <p>Where the GPU has an energy counter (Volta and newer), readings are the counter's millijoules
 * since this meter was opened. Where it has none, the meter integrates power instead: a trapezoid
 * between consecutive {@link #readJoules()} calls, over the instant-power field where supported
 * and else over {@code nvmlDeviceGetPowerUsage}. Integration is only as good as the read rate, so
 * the {@link #method()} and {@link #description()} say which one is in use.
 *
 * <p>Update interval: the counter and the instant power change every few tens of milliseconds
 * (about 20-100 ms depending on the product); 100 ms, the slow end, is reported so attribution
 * windows are sized safely. {@code nvmlDeviceGetPowerUsage} on Ampere and newer is a one-second
 * average, so integrating it reports 1 s: shorter windows would see power smeared from around
 * them.
 *
 * <p>The meter owns its {@link Nvml} session and closes it in {@link #close()}. Reading is
 * synchronised; {@link #device()} and the other accessors are immutable.
 */
public final class NvmlEnergyMeter implements EnergyMeter {

  /** How the joules are obtained. */
  public enum Method {
    /** {@code nvmlDeviceGetTotalEnergyConsumption}: the hardware's own integration. */
    ENERGY_COUNTER,
    /** Trapezoid over {@code NVML_FI_DEV_POWER_INSTANT} between reads. */
    INSTANT_POWER_INTEGRATION,
    /** Trapezoid over {@code nvmlDeviceGetPowerUsage} (1 s averaged on Ampere+) between reads. */
    AVERAGE_POWER_INTEGRATION
  }

  /** The counter counts millijoules; integrated power is reported on the same scale. */
  static final double RESOLUTION_JOULES = 1e-3;

  static final long COUNTER_UPDATE_INTERVAL_NANOS = 100_000_000L;
  static final long AVERAGED_POWER_UPDATE_INTERVAL_NANOS = 1_000_000_000L;

  private final Nvml session;
  private final NvmlDevice gpu;
  private final Device device;
  private final Method method;
  private final String description;
  private final LongSupplier nanoClock;

  // Counter state: the last raw value and the millijoules since open.
  private long lastCounterMj;
  private long totalMj;

  // Integration state: the previous sample and the joules since open.
  private long lastSampleNanos;
  private double lastWatts;
  private double integratedJoules;

  private NvmlEnergyMeter(
      Nvml session, NvmlDevice gpu, NvmlDeviceInfo info, Method method, LongSupplier nanoClock)
      throws NvmlException, MeterException {
    this.session = session;
    this.gpu = gpu;
    this.device = new Device(info.uuid(), DeviceType.GPU, info.name());
    this.method = method;
    this.nanoClock = nanoClock;
    this.description = describe(info, method);
    if (method == Method.ENERGY_COUNTER) {
      this.lastCounterMj = readCounterMj();
    } else {
      this.lastWatts = readWatts();
      this.lastSampleNanos = nanoClock.getAsLong();
    }
  }

  /**
   * Opens the meter of the GPU at an NVML index. The meter takes over {@code session} and closes
   * it; if opening fails, the session stays the caller's to close.
   *
   * @throws MeterException when the GPU cannot be read or reports neither energy nor power
   */
  public static NvmlEnergyMeter open(Nvml session, int index) throws MeterException {
    return open(session, index, System::nanoTime);
  }

  static NvmlEnergyMeter open(Nvml session, int index, LongSupplier nanoClock)
      throws MeterException {
    NvmlDeviceInfo info = null;
    try {
      NvmlDevice gpu = session.device(index);
      info = gpu.info();
      return new NvmlEnergyMeter(session, gpu, info, chooseMethod(gpu, info), nanoClock);
    } catch (NvmlException e) {
      throw new MeterException(
          "NVML cannot read GPU " + index + (info == null ? "" : " (" + info.uuid() + ")") + ": "
              + e.getMessage(),
          e);
    }
  }

  private static Method chooseMethod(NvmlDevice gpu, NvmlDeviceInfo info)
      throws NvmlException, MeterException {
    if (gpu.supportsTotalEnergyConsumption()) {
      return Method.ENERGY_COUNTER;
    }
    if (gpu.supportsInstantPower()) {
      return Method.INSTANT_POWER_INTEGRATION;
    }
    if (gpu.powerUsageMilliwatts().isPresent()) {
      return Method.AVERAGE_POWER_INTEGRATION;
    }
    throw new MeterException(
        "NVML GPU " + info.index() + " (" + info.name() + ", " + info.uuid()
            + ") reports neither an energy counter nor power");
  }

  private static String describe(NvmlDeviceInfo info, Method method) {
    String gpu = "GPU " + info.index() + " " + info.name() + " (" + info.uuid() + ")";
    return switch (method) {
      case ENERGY_COUNTER -> "NVML energy counter of " + gpu;
      case INSTANT_POWER_INTEGRATION ->
          "NVML instant power integrated between reads (energy counter not supported) of " + gpu;
      case AVERAGE_POWER_INTEGRATION ->
          "NVML 1 s average power integrated between reads (energy counter and instant power not"
              + " supported) of " + gpu;
    };
  }

  @Override
  public Device device() {
    return device;
  }

  @Override
  public MeterSource source() {
    return MeterSource.NVML;
  }

  @Override
  public double resolutionJoules() {
    return RESOLUTION_JOULES;
  }

  @Override
  public long updateIntervalNanos() {
    return method == Method.AVERAGE_POWER_INTEGRATION
        ? AVERAGED_POWER_UPDATE_INTERVAL_NANOS
        : COUNTER_UPDATE_INTERVAL_NANOS;
  }

  /** Whether joules come from the counter or from integrated power. */
  public Method method() {
    return method;
  }

  /** One line: what is measured and how, e.g. for the {@code meters} listing. */
  public String description() {
    return description;
  }

  @Override
  public synchronized double readJoules() throws MeterException {
    try {
      if (method == Method.ENERGY_COUNTER) {
        long counter = readCounterMj();
        // The counter only restarts (from 0) when the driver reloads; count the new value then.
        totalMj += counter >= lastCounterMj ? counter - lastCounterMj : counter;
        lastCounterMj = counter;
        return totalMj * 1e-3;
      }
      double watts = readWatts();
      long now = nanoClock.getAsLong();
      integratedJoules += (lastWatts + watts) / 2 * ((now - lastSampleNanos) * 1e-9);
      lastWatts = watts;
      lastSampleNanos = now;
      return integratedJoules;
    } catch (NvmlException e) {
      throw new MeterException(
          "NVML read failed for " + device.id() + " (" + device.name() + "): " + e.getMessage(), e);
    }
  }

  private long readCounterMj() throws NvmlException, MeterException {
    OptionalLong counter = gpu.totalEnergyConsumptionMillijoules();
    if (counter.isEmpty()) {
      throw new MeterException(
          "NVML energy counter of " + device.id() + " stopped being supported");
    }
    return counter.getAsLong();
  }

  private double readWatts() throws NvmlException, MeterException {
    OptionalLong milliwatts =
        method == Method.INSTANT_POWER_INTEGRATION
            ? gpu.instantPowerMilliwatts()
            : gpu.powerUsageMilliwatts();
    if (milliwatts.isEmpty()) {
      throw new MeterException("NVML power of " + device.id() + " stopped being supported");
    }
    return milliwatts.getAsLong() * 1e-3;
  }

  @Override
  public void close() {
    session.close();
  }

  @Override
  public String toString() {
    return "NvmlEnergyMeter[" + description + "]";
  }
}
