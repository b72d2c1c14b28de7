package io.jouleflow.predictor.attribution;

import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.meters.EnergyTimeline;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Splits each device's measured energy among the runs that were executing, on the worker thread.
 *
 * <p>The rule: time is cut at every run's start and end. In a slice where k runs were active,
 * each of them gets 1/k of the device's energy in that slice (read from the {@link
 * EnergyTimeline}, interpolated between samples). Energy in slices where no run was active is
 * idle or other work of the process and belongs to no run. Concurrent runs therefore share, never
 * double count.
 *
 * <p>Energy is closed in steps of at least {@code window} (max(100 ms, 10 x the slowest counter's
 * update interval)), only up to {@code hold} before now (so the counters have been read past
 * the slice), and never past the start of the oldest run still in flight (so every run that
 * overlaps a slice has arrived before it is split). A run that nevertheless arrives after some
 * of its slices were closed (its event sat in a full queue) loses that early part: it was
 * already given to the other runs, and giving it again would count it twice. Such late runs are
 * counted ({@link #lateRuns()}).
 */
public final class RunEnergyAttributor<K> {

  /**
   * Receives energy of one meter for one key (runs with the same key are summed before each
   * call, so a sink is called once per key and meter per closing step).
   */
  public interface Sink<K> {
    void accept(K key, EnergyMeter meter, double joules);
  }

  private record Span<K>(K key, long start, long end) {}

  private final EnergyTimeline timeline;
  private final List<EnergyMeter> meters;
  private final long windowNanos;
  private final long holdNanos;
  private final List<Span<K>> pending = new ArrayList<>();
  private long closedUntil = Long.MIN_VALUE;
  private boolean started;
  private final AtomicLong lateRuns = new AtomicLong();

  /**
   * @param meters the meters whose energy is attributed (those in the machine total)
   * @param windowNanos the smallest step in which energy is closed
   * @param holdNanos how long after a slice energy waits for overlapping runs
   */
  public RunEnergyAttributor(
      EnergyTimeline timeline, List<EnergyMeter> meters, long windowNanos, long holdNanos) {
    this.timeline = timeline;
    this.meters = List.copyOf(meters);
    this.windowNanos = windowNanos;
    this.holdNanos = holdNanos;
  }

  /** The documented window: max(100 ms, 10 x the slowest meter's update interval). */
  public static long windowFor(List<EnergyMeter> meters) {
    return Math.max(100_000_000L, 10 * slowestUpdate(meters));
  }

  /** The documented hold: max(1 s, 2 x the slowest meter's update interval). */
  public static long holdFor(List<EnergyMeter> meters) {
    return Math.max(1_000_000_000L, 2 * slowestUpdate(meters));
  }

  private static long slowestUpdate(List<EnergyMeter> meters) {
    return meters.stream().mapToLong(EnergyMeter::updateIntervalNanos).max().orElse(0);
  }

  /** Runs that arrived after part of their time was closed (that part is not theirs). */
  public long lateRuns() {
    return lateRuns.get();
  }

  /** A run to attribute; its energy is known once {@link #advance} closes its slices. */
  public void add(K run, long startNanos, long endNanos) {
    long end = Math.max(startNanos, endNanos);
    if (started && startNanos - closedUntil < 0) {
      lateRuns.incrementAndGet();
      if (end - closedUntil <= 0) {
        return;
      }
      startNanos = closedUntil;
    }
    pending.add(new Span<>(run, startNanos, end));
  }

  /**
   * Closes the slices up to {@code min(nowNanos - hold, oldestInFlightNanos)}, if at least one
   * window has passed. Call it after every finished run has been {@link #add}ed.
   *
   * @param oldestInFlightNanos start of the oldest run still executing; {@link Long#MAX_VALUE}
   *     when none is
   */
  public void advance(long nowNanos, long oldestInFlightNanos, Sink<K> sink) {
    long cutoff = nowNanos - holdNanos;
    if (oldestInFlightNanos != Long.MAX_VALUE && oldestInFlightNanos - cutoff < 0) {
      cutoff = oldestInFlightNanos;
    }
    if (!started) {
      start();
    }
    if (started && cutoff - closedUntil >= windowNanos) {
      close(cutoff, sink);
    }
  }

  // Energy is closed from the earliest run seen before the first close: runs that overlapped
  // at start-up and arrived in any order are not late.
  private void start() {
    if (!pending.isEmpty()) {
      long earliest = pending.get(0).start();
      for (Span<K> s : pending) {
        if (s.start() - earliest < 0) {
          earliest = s.start();
        }
      }
      closedUntil = earliest;
      started = true;
    }
  }

  /** Closes everything up to {@code untilNanos} now (shutdown). */
  public void flush(long untilNanos, Sink<K> sink) {
    if (!started) {
      start();
    }
    if (started && untilNanos - closedUntil > 0) {
      close(untilNanos, sink);
    }
  }

  /** Runs waiting for their slices to close. */
  public int pending() {
    return pending.size();
  }

  private void close(long cutoff, Sink<K> sink) {
    long from = closedUntil;
    List<Span<K>> active = new ArrayList<>();
    for (Span<K> s : pending) {
      if (s.start() < cutoff && s.end() > from) {
        active.add(s);
      }
    }
    if (!active.isEmpty()) {
      long[] cuts = new long[active.size() * 2 + 2];
      int n = 0;
      cuts[n++] = from;
      cuts[n++] = cutoff;
      for (Span<K> s : active) {
        cuts[n++] = Math.max(from, s.start());
        cuts[n++] = Math.min(cutoff, s.end());
      }
      Arrays.sort(cuts, 0, n);
      double[][] shares = new double[active.size()][meters.size()];
      List<Integer> inSlice = new ArrayList<>();
      for (int c = 0; c + 1 < n; c++) {
        long a = cuts[c];
        long b = cuts[c + 1];
        if (b <= a) {
          continue;
        }
        inSlice.clear();
        for (int i = 0; i < active.size(); i++) {
          Span<K> s = active.get(i);
          if (s.start() <= a && s.end() >= b) {
            inSlice.add(i);
          }
        }
        if (inSlice.isEmpty()) {
          continue; // idle slice: belongs to no run
        }
        for (int m = 0; m < meters.size(); m++) {
          double joules = timeline.energyBetween(meters.get(m).device(), a, b).joules();
          double each = joules / inSlice.size();
          for (int i : inSlice) {
            shares[i][m] += each;
          }
        }
      }
      Map<K, double[]> byKey = new LinkedHashMap<>();
      for (int i = 0; i < active.size(); i++) {
        double[] sum = byKey.computeIfAbsent(active.get(i).key(), k -> new double[meters.size()]);
        for (int m = 0; m < meters.size(); m++) {
          sum[m] += shares[i][m];
        }
      }
      for (Map.Entry<K, double[]> e : byKey.entrySet()) {
        for (int m = 0; m < meters.size(); m++) {
          if (e.getValue()[m] > 0) {
            sink.accept(e.getKey(), meters.get(m), e.getValue()[m]);
          }
        }
      }
    }
    for (Iterator<Span<K>> it = pending.iterator(); it.hasNext(); ) {
      if (it.next().end() <= cutoff) {
        it.remove();
      }
    }
    closedUntil = cutoff;
  }
}
