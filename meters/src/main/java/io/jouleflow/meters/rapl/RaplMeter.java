package io.jouleflow.meters.rapl;

import io.jouleflow.meters.Device;
import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.meters.MeterException;
import io.jouleflow.meters.MeterSource;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;

/**
 * The energy of one RAPL zone, read from its powercap {@code energy_uj} file. The counter wraps
 * at {@code max_energy_range_uj}; each read adds the forward distance from the previous raw value,
 * so the result keeps growing as long as reads are closer together than one wrap period (minutes
 * to hours at realistic power; the sampler reads every few milliseconds).
 *
 * <p>The file stays open and is re-read from offset 0 (sysfs regenerates the value on each read).
 * A {@link RandomAccessFile} is used on purpose: unlike a {@code FileChannel}, interrupting the
 * reading thread does not close it.
 */
public final class RaplMeter implements EnergyMeter {

  /** powercap reports microjoules (the hardware step is coarser: about 15-61 uJ). */
  private static final double RESOLUTION_JOULES = 1e-6;

  /** RAPL counters update about every millisecond. */
  private static final long UPDATE_INTERVAL_NANOS = 1_000_000L;

  private final RaplZone zone;
  private final Device device;
  private final RandomAccessFile file;
  private final byte[] buffer = new byte[32];
  private long lastRawUj;
  private long accumulatedUj;

  /** Opens the zone's counter and takes the current value as zero. */
  public RaplMeter(RaplZone zone) throws MeterException {
    this.zone = zone;
    this.device = zone.device();
    try {
      this.file = new RandomAccessFile(zone.energyFile().toFile(), "r");
    } catch (IOException e) {
      throw new MeterException("cannot open " + zone.energyFile() + ": " + e.getMessage(), e);
    }
    try {
      this.lastRawUj = readRaw();
    } catch (MeterException e) {
      close();
      throw e;
    }
  }

  @Override
  public boolean inMachineTotal() {
    return zone.inMachineTotal();
  }

  public RaplZone zone() {
    return zone;
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
    return RESOLUTION_JOULES;
  }

  @Override
  public long updateIntervalNanos() {
    return UPDATE_INTERVAL_NANOS;
  }

  @Override
  public double readJoules() throws MeterException {
    long raw = readRaw();
    accumulatedUj += forwardDistance(lastRawUj, raw, zone.maxEnergyRangeUj());
    lastRawUj = raw;
    return accumulatedUj * 1e-6;
  }

  /**
   * Energy between two raw readings, allowing for one wrap-around: the counter runs from 0 up to
   * {@code range} and then starts again at 0. With an unknown range (0) a decrease is taken as a
   * reset and only the new value counts.
   */
  static long forwardDistance(long previous, long current, long range) {
    if (current >= previous) {
      return current - previous;
    }
    return range > previous ? range - previous + current : current;
  }

  private long readRaw() throws MeterException {
    try {
      file.seek(0);
      int n = 0;
      int r;
      while (n < buffer.length && (r = file.read(buffer, n, buffer.length - n)) > 0) {
        n += r;
      }
      return Long.parseLong(new String(buffer, 0, n, StandardCharsets.US_ASCII).strip());
    } catch (IOException | NumberFormatException e) {
      throw new MeterException("cannot read " + zone.energyFile() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      file.close();
    } catch (IOException ignored) {
      // Nothing to release beyond the descriptor.
    }
  }

  @Override
  public String toString() {
    return "RaplMeter[" + zone.id() + " " + zone.name() + "]";
  }
}
