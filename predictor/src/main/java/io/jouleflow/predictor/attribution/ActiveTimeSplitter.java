package io.jouleflow.predictor.attribution;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits wall-clock time among concurrently running intervals: at every instant, the time is
 * divided equally among the intervals active then. A key's share is therefore never more than
 * the wall time its intervals cover, and the shares of all keys sum to the union of all
 * intervals — never more than the run itself. This is the rule by which layers share a run.
 *
 * <p>Computed in O(n log n): with k(t) the number of intervals active at t, the cumulative
 * I(t) = integral of dt / k(t) is evaluated at every boundary, and an interval [a, b) gets
 * I(b) - I(a). Empty intervals (end <= start, common for sub-microsecond ops) get nothing.
 */
public final class ActiveTimeSplitter {

  private ActiveTimeSplitter() {}

  /** An interval owned by {@code key}. */
  public record Interval<K>(K key, long start, long end) {}

  /** Active time per key, in the intervals' unit. */
  public static <K> Map<K, Double> split(List<Interval<K>> intervals) {
    Map<K, Double> out = new HashMap<>();
    int n = intervals.size();
    long[] starts = new long[n];
    long[] ends = new long[n];
    int m = 0;
    for (Interval<K> iv : intervals) {
      out.putIfAbsent(iv.key(), 0.0);
      if (iv.end() > iv.start()) {
        starts[m] = iv.start();
        ends[m] = iv.end();
        m++;
      }
    }
    if (m == 0) {
      return out;
    }
    long[] s = Arrays.copyOf(starts, m);
    long[] e = Arrays.copyOf(ends, m);
    Arrays.sort(s);
    Arrays.sort(e);
    // Merge the sorted boundaries; at equal times ends come first (so k never counts an
    // interval outside [start, end)). cumulative[t] is I at each distinct boundary time.
    long[] times = new long[2 * m];
    double[] cumulative = new double[2 * m];
    int count = 0;
    int active = 0;
    int i = 0;
    int j = 0;
    double integral = 0;
    long last = Math.min(s[0], e[0]);
    while (i < m || j < m) {
      long t = j < m && (i >= m || e[j] <= s[i]) ? e[j] : s[i];
      if (active > 0) {
        integral += (double) (t - last) / active;
      }
      last = t;
      if (count == 0 || times[count - 1] != t) {
        times[count] = t;
        cumulative[count] = integral;
        count++;
      }
      if (j < m && (i >= m || e[j] <= s[i])) {
        active--;
        j++;
      } else {
        active++;
        i++;
      }
    }
    for (Interval<K> iv : intervals) {
      if (iv.end() > iv.start()) {
        double share = at(times, cumulative, count, iv.end()) - at(times, cumulative, count, iv.start());
        out.merge(iv.key(), share, Double::sum);
      }
    }
    return out;
  }

  private static double at(long[] times, double[] cumulative, int count, long t) {
    int k = Arrays.binarySearch(times, 0, count, t);
    return cumulative[k]; // every interval boundary is a recorded time
  }
}
