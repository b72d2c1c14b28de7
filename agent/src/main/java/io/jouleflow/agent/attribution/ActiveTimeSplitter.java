package io.jouleflow.agent.attribution;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits wall-clock time among concurrently running intervals: at every instant, the time is
 * divided equally among the intervals active then. A key's share is therefore never more than
 * the wall time its intervals cover, and the shares of all keys sum to the union of all
 * intervals — never more than the run itself. This is the rule by which layers share a run.
 */
public final class ActiveTimeSplitter {

  private ActiveTimeSplitter() {}

  /** An interval owned by {@code key}. */
  public record Interval<K>(K key, long start, long end) {}

  /** Active time per key, in the intervals' unit. */
  public static <K> Map<K, Double> split(List<Interval<K>> intervals) {
    int n = intervals.size();
    Map<K, Double> out = new HashMap<>();
    if (n == 0) {
      return out;
    }
    // Boundaries: +1 at start, -1 at end, processed in time order.
    long[] times = new long[2 * n];
    int[] idx = new int[2 * n];
    Integer[] order = new Integer[2 * n];
    for (int i = 0; i < n; i++) {
      Interval<K> iv = intervals.get(i);
      times[2 * i] = iv.start();
      times[2 * i + 1] = Math.max(iv.start(), iv.end());
      idx[2 * i] = i;
      idx[2 * i + 1] = ~i; // ends are encoded as ~index
    }
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> {
      int c = Long.compare(times[a], times[b]);
      if (c != 0) {
        return c;
      }
      return Boolean.compare(idx[a] >= 0, idx[b] >= 0); // ends before starts at the same instant
    });
    boolean[] active = new boolean[n];
    int activeCount = 0;
    long last = times[order[0]];
    for (Integer o : order) {
      long t = times[o];
      if (activeCount > 0 && t > last) {
        double share = (double) (t - last) / activeCount;
        for (int i = 0; i < n; i++) {
          if (active[i]) {
            out.merge(intervals.get(i).key(), share, Double::sum);
          }
        }
      }
      last = t;
      int i = idx[o];
      if (i >= 0) {
        active[i] = true;
        activeCount++;
      } else {
        active[~i] = false;
        activeCount--;
      }
    }
    for (Interval<K> iv : intervals) {
      out.putIfAbsent(iv.key(), 0.0);
    }
    return out;
  }
}
