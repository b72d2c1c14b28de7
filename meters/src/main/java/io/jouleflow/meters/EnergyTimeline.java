package io.jouleflow.meters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A timeline of meter readings: a daemon thread ({@value #THREAD_NAME}) reads every meter each
 * period (default 10 ms) and keeps the readings in one bounded ring per meter, so that the energy
 * of any recent window of {@link System#nanoTime()} can be asked for afterwards.
 *
 * <p><b>Retention.</b> Each ring holds {@code ceil(2 min / period) + 1} samples unless told
 * otherwise: 12,001 samples (about 190 KiB per meter) at 10 ms, covering the last two minutes.
 * Older samples are overwritten.
 *
 * <p><b>Interpolation.</b> A sample's time is the midpoint of the clock readings just before and
 * after {@link EnergyMeter#readJoules()}. The cumulative energy at an instant {@code t} between
 * samples {@code (t0, E0)} and {@code (t1, E1)} is {@code E0 + (E1 - E0) (t - t0) / (t1 - t0)}.
 *
 * <p><b>Error bound.</b> A counter only moves every update interval {@code u} and in steps of its
 * resolution {@code r}, so a reading may lag the truth by up to one update's worth of energy and
 * one step. At each end of a window the bound is {@code r + P u}, where {@code P = (E1 - E0) / (t1
 * - t0)} is the power over the samples bracketing that end; the window's bound is the sum of both
 * ends. It assumes power is roughly steady within one sampling period; a window much longer than
 * {@code u} and the period has a small relative error.
 *
 * <p><b>Threads.</b> One thread writes (the sampler, or a caller of {@link #sampleNow()}; writes
 * are serialized). Readers use optimistic reads of a {@link StampedLock} and take its read lock
 * only when a write raced with them, for the length of two binary searches, so the sampler is never
 * held up for long. A meter that throws is logged once and that reading is skipped; sampling
 * continues.
 *
 * <p>The timeline owns its meters: {@link #close()} stops sampling and closes them.
 */
public final class EnergyTimeline implements AutoCloseable {

  public static final String THREAD_NAME = "jouleflow-meter-sampler";
  public static final Duration DEFAULT_PERIOD = Duration.ofMillis(10);
  public static final Duration DEFAULT_RETENTION = Duration.ofMinutes(2);

  /** Window over which {@link #latestPowerWatts} averages. */
  public static final Duration POWER_WINDOW = Duration.ofSeconds(1);

  private static final long JOIN_TIMEOUT_MILLIS = 2_000;

  private final Map<Device, Track> tracks = new LinkedHashMap<>();
  private final long periodNanos;
  private final int capacity;
  private final LongSupplier clock;
  private final Consumer<String> log;
  private final Object sampleLock = new Object();

  /** The thread that should be sampling; a thread that is no longer it exits its loop. */
  private volatile Thread sampler;

  /** Samples every {@link #DEFAULT_PERIOD}, keeps {@link #DEFAULT_RETENTION}. */
  public EnergyTimeline(List<EnergyMeter> meters, Consumer<String> log) {
    this(meters, DEFAULT_PERIOD, log);
  }

  /** Samples every {@code period}, keeps {@link #DEFAULT_RETENTION}. */
  public EnergyTimeline(List<EnergyMeter> meters, Duration period, Consumer<String> log) {
    this(meters, period, defaultCapacity(period), System::nanoTime, log);
  }

  /**
   * @param capacity samples kept per meter (at least 2)
   * @param clock the {@link System#nanoTime()} clock, or a scripted one in tests
   * @param log where the one-line failure messages go
   */
  public EnergyTimeline(
      List<EnergyMeter> meters,
      Duration period,
      int capacity,
      LongSupplier clock,
      Consumer<String> log) {
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period must be positive: " + period);
    }
    if (capacity < 2) {
      throw new IllegalArgumentException("capacity must be at least 2: " + capacity);
    }
    this.periodNanos = period.toNanos();
    this.capacity = capacity;
    this.clock = clock;
    this.log = log;
    for (EnergyMeter meter : meters) {
      if (tracks.putIfAbsent(meter.device(), new Track(meter, capacity)) != null) {
        throw new IllegalArgumentException("two meters for device " + meter.device().id());
      }
    }
  }

  /** Samples that cover {@link #DEFAULT_RETENTION} at {@code period}: {@code ceil(r / p) + 1}. */
  public static int defaultCapacity(Duration period) {
    long p = Math.max(1, period.toNanos());
    long n = (DEFAULT_RETENTION.toNanos() + p - 1) / p + 1;
    return (int) Math.max(2, Math.min(n, 1 << 24));
  }

  public List<Device> devices() {
    return List.copyOf(tracks.keySet());
  }

  public List<EnergyMeter> meters() {
    List<EnergyMeter> meters = new ArrayList<>();
    tracks.values().forEach(t -> meters.add(t.meter));
    return meters;
  }

  public long periodNanos() {
    return periodNanos;
  }

  /** Samples kept per meter. */
  public int capacity() {
    return capacity;
  }

  /** Starts the sampler thread; does nothing if it runs already. */
  public synchronized void start() {
    if (sampler != null) {
      return;
    }
    Thread thread = new Thread(this::runSampler, THREAD_NAME);
    thread.setDaemon(true);
    sampler = thread;
    thread.start();
  }

  /** Stops the sampler thread and waits briefly for it; readings stay available. */
  public synchronized void stop() {
    Thread thread = sampler;
    if (thread == null) {
      return;
    }
    sampler = null;
    LockSupport.unpark(thread);
    try {
      thread.join(JOIN_TIMEOUT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public synchronized boolean isRunning() {
    return sampler != null;
  }

  /** Stops sampling and closes every meter. */
  @Override
  public void close() {
    stop();
    for (Track track : tracks.values()) {
      try {
        track.meter.close();
      } catch (RuntimeException e) {
        log.accept("closing meter " + track.device.id() + " failed: " + e);
      }
    }
  }

  /** Reads every meter once, now, and appends the readings (what the sampler does each period). */
  public void sampleNow() {
    synchronized (sampleLock) {
      for (Track track : tracks.values()) {
        sample(track);
      }
    }
  }

  private void sample(Track track) {
    long before = clock.getAsLong();
    double joules;
    try {
      joules = track.meter.readJoules();
    } catch (MeterException | RuntimeException | LinkageError e) {
      failOnce(track, String.valueOf(e.getMessage() == null ? e : e.getMessage()));
      return;
    }
    long after = clock.getAsLong();
    long time = before + (after - before) / 2;
    if (Double.isNaN(joules) || Double.isInfinite(joules)) {
      failOnce(track, "reading is not a number: " + joules);
      return;
    }
    track.append(time, joules, () -> failOnce(track, "reading went backwards to " + joules + " J"));
  }

  private void failOnce(Track track, String reason) {
    if (!track.failureLogged) {
      track.failureLogged = true;
      log.accept(
          "meter " + track.device.id() + " (" + track.meter.source().label() + ") failed while"
              + " sampling; skipping its failed readings: " + reason.lines().findFirst().orElse(""));
    }
  }

  private void runSampler() {
    Thread self = Thread.currentThread();
    long next = System.nanoTime();
    while (sampler == self) {
      try {
        sampleNow();
      } catch (RuntimeException | LinkageError e) {
        // sample() already contains meter failures; this keeps the thread alive regardless.
        log.accept("meter sampling failed: " + e);
      }
      next += periodNanos;
      long now = System.nanoTime();
      if (next - now < 0) {
        next = now; // Fell behind (GC pause, slow meter): skip the missed ticks.
      }
      long wait;
      while (sampler == self && (wait = next - System.nanoTime()) > 0) {
        LockSupport.parkNanos(this, wait);
      }
    }
  }

  /**
   * The energy a device used between two {@link System#nanoTime()} instants, interpolated
   * linearly between samples, with an error bound of {@code sum over both ends of (resolution +
   * P * updateInterval)} (see the class comment). A window reaching outside the kept samples is
   * clamped to them and reported as not {@code covered}.
   *
   * @throws IllegalArgumentException for a device this timeline does not sample, or {@code end <
   *     start}
   */
  public EnergyWindow energyBetween(Device device, long startNanos, long endNanos) {
    if (endNanos - startNanos < 0) {
      throw new IllegalArgumentException("window ends before it starts");
    }
    Track track = track(device);
    StampedLock lock = track.lock;
    long stamp = lock.tryOptimisticRead();
    if (stamp != 0) {
      EnergyWindow window = track.window(startNanos, endNanos);
      if (lock.validate(stamp)) {
        return window;
      }
    }
    stamp = lock.readLock();
    try {
      return track.window(startNanos, endNanos);
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /**
   * Average power over the last {@link #POWER_WINDOW} of samples (or all samples, if fewer are
   * kept); empty before the second sample.
   */
  public OptionalDouble latestPowerWatts(Device device) {
    Track track = track(device);
    return read(track, () -> track.latestPower(POWER_WINDOW.toNanos()));
  }

  /** Joules since this timeline's first successful reading of the device (not limited by the ring). */
  public double totalJoules(Device device) {
    Track track = track(device);
    return read(track, () -> track.size == 0 ? 0.0 : track.lastJoules - track.baselineJoules);
  }

  /** Samples currently kept for the device (at most {@link #capacity()}). */
  public int sampleCount(Device device) {
    Track track = track(device);
    return read(track, () -> track.size);
  }

  private Track track(Device device) {
    Track track = tracks.get(device);
    if (track == null) {
      throw new IllegalArgumentException("no meter for device " + device);
    }
    return track;
  }

  private static <T> T read(Track track, Supplier<T> reader) {
    StampedLock lock = track.lock;
    long stamp = lock.tryOptimisticRead();
    if (stamp != 0) {
      T value = reader.get();
      if (lock.validate(stamp)) {
        return value;
      }
    }
    stamp = lock.readLock();
    try {
      return reader.get();
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /**
   * One meter's ring of (time, cumulative joules) samples. Written under the write lock by the one
   * sampling thread; read optimistically, so every read path tolerates inconsistent fields without
   * throwing (the result is then discarded by validation).
   */
  private static final class Track {
    final EnergyMeter meter;
    final Device device;
    final double resolution;
    final long updateInterval;
    final StampedLock lock = new StampedLock();
    final long[] times;
    final double[] joules;
    int head; // next slot to write
    int size;
    double baselineJoules;
    double lastJoules;
    long lastTime;
    boolean failureLogged; // sampling thread only

    Track(EnergyMeter meter, int capacity) {
      this.meter = meter;
      this.device = meter.device();
      this.resolution = meter.resolutionJoules();
      this.updateInterval = meter.updateIntervalNanos();
      this.times = new long[capacity];
      this.joules = new double[capacity];
    }

    /** Called by the single writer only, so reading its own fields without the lock is safe. */
    void append(long time, double value, Runnable onBackwards) {
      if (size > 0) {
        if (value < lastJoules) {
          onBackwards.run();
          return;
        }
        if (time - lastTime <= 0) {
          return; // The clock did not advance; the sample adds nothing.
        }
      }
      long stamp = lock.writeLock();
      try {
        if (size == 0) {
          baselineJoules = value;
        }
        times[head] = time;
        joules[head] = value;
        head = (head + 1) % times.length;
        if (size < times.length) {
          size++;
        }
        lastJoules = value;
        lastTime = time;
      } finally {
        lock.unlockWrite(stamp);
      }
    }

    private int slot(int head, int size, int i) {
      int n = times.length;
      return Math.floorMod(head - size + i, n);
    }

    EnergyWindow window(long start, long end) {
      int h = head;
      int s = Math.min(size, times.length);
      if (s < 2) {
        return new EnergyWindow(device, meter.source(), start, end, 0, 0, false);
      }
      long first = times[slot(h, s, 0)];
      long last = times[slot(h, s, s - 1)];
      boolean covered = start - first >= 0 && last - end >= 0;
      double[] a = at(h, s, clamp(start, first, last));
      double[] b = at(h, s, clamp(end, first, last));
      double energy = Math.max(0, b[0] - a[0]);
      double bound = a[1] + b[1];
      return new EnergyWindow(device, meter.source(), start, end, energy, bound, covered);
    }

    private static long clamp(long t, long lo, long hi) {
      return t - lo < 0 ? lo : (t - hi > 0 ? hi : t);
    }

    /**
     * {joules at t, error bound at t} for {@code first <= t <= last}: the bracketing pair is the
     * last sample at or before t and the one after it (the last two samples at the very end).
     */
    private double[] at(int h, int s, long t) {
      int lo = 0;
      int hi = s - 2; // search the bracket's left index
      while (lo < hi) {
        int mid = (lo + hi + 1) >>> 1;
        if (times[slot(h, s, mid)] - t <= 0) {
          lo = mid;
        } else {
          hi = mid - 1;
        }
      }
      int i0 = slot(h, s, lo);
      int i1 = slot(h, s, lo + 1);
      double dt = times[i1] - times[i0];
      double de = joules[i1] - joules[i0];
      double fraction = dt > 0 ? (t - times[i0]) / dt : 0;
      double power = dt > 0 ? de / dt : 0; // joules per nanosecond
      return new double[] {joules[i0] + fraction * de, resolution + power * updateInterval};
    }

    OptionalDouble latestPower(long windowNanos) {
      int h = head;
      int s = Math.min(size, times.length);
      if (s < 2) {
        return OptionalDouble.empty();
      }
      long first = times[slot(h, s, 0)];
      int li = slot(h, s, s - 1);
      long last = times[li];
      long from = last - windowNanos - first < 0 ? first : last - windowNanos;
      double dt = last - from;
      if (dt <= 0) {
        return OptionalDouble.empty();
      }
      return OptionalDouble.of((joules[li] - at(h, s, from)[0]) / dt * 1e9);
    }
  }
}
