package io.jouleflow.agent.attribution;

import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.meters.EnergyTimeline;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * update interval)), and only up to {@code hold} before now, so that runs that overlap a slice
 * have arrived before it is split. A run longer than the hold that ends after its slices were
 * closed gets the energy of that early part to itself (the other runs already had theirs); with
 * the default hold of 1 s this concerns only runs longer than a second.
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
    long slowest = meters.stream().mapToLong(EnergyMeter::updateIntervalNanos).max().orElse(0);
    return Math.max(100_000_000L, 10 * slowest);
  }

  /** A run to attribute; its energy is known once {@link #advance} closes its slices. */
  public void add(K run, long startNanos, long endNanos, Sink<K> sink) {
    long end = Math.max(startNanos, endNanos);
    if (!started) {
      started = true;
      closedUntil = startNanos;
    }
    if (startNanos < closedUntil) {
      // Late: its early part was closed without it. It gets that part to itself.
      long lateEnd = Math.min(end, closedUntil);
      for (EnergyMeter m : meters) {
        double j = timeline.energyBetween(m.device(), startNanos, lateEnd).joules();
        if (j > 0) {
          sink.accept(run, m, j);
        }
      }
      if (end <= closedUntil) {
        return;
      }
      startNanos = closedUntil;
    }
    pending.add(new Span<>(run, startNanos, end));
  }

  /** Closes the slices up to {@code nowNanos - hold}, if at least one window has passed. */
  public void advance(long nowNanos, Sink<K> sink) {
    if (started && nowNanos - holdNanos - closedUntil >= windowNanos) {
      close(nowNanos - holdNanos, sink);
    }
  }

  /** Closes everything up to {@code untilNanos} now (shutdown). */
  public void flush(long untilNanos, Sink<K> sink) {
    if (started && untilNanos > closedUntil) {
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
