package io.jouleflow.meters;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * An in-test {@link EnergyMeter} whose n-th reading (0-based) is given by a script; a script that
 * throws makes that reading fail.
 */
final class ScriptedMeter implements EnergyMeter {
  private final Device device;
  private final double resolution;
  private final long updateInterval;
  private final IntFunction<Double> script;
  final AtomicInteger reads = new AtomicInteger();

  ScriptedMeter(String id, double resolution, long updateInterval, IntFunction<Double> script) {
    this.device = new Device(id, DeviceType.CPU, id);
    this.resolution = resolution;
    this.updateInterval = updateInterval;
    this.script = script;
  }

  /** Reads the given joule values in turn, then repeats the last one. */
  static ScriptedMeter of(String id, double resolution, long updateInterval, double... joules) {
    return new ScriptedMeter(
        id, resolution, updateInterval, n -> joules[Math.min(n, joules.length - 1)]);
  }

  @Override
  public Device device() {
    return device;
  }

  @Override
  public MeterSource source() {
    return MeterSource.RAPL;
  }

  @Override
  public double resolutionJoules() {
    return resolution;
  }

  @Override
  public long updateIntervalNanos() {
    return updateInterval;
  }

  @Override
  public double readJoules() throws MeterException {
    return script.apply(reads.getAndIncrement());
  }
}
