package io.jouleflow.agent.bench;

import java.util.Arrays;

/** Order statistics of a set of latencies, in milliseconds (nearest-rank percentiles). */
record LatencySummary(int count, double medianMs, double p90Ms, double p99Ms, double meanMs) {

  static LatencySummary of(long[] nanos) {
    if (nanos.length == 0) {
      throw new IllegalArgumentException("no latencies");
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    double sum = 0;
    for (long n : sorted) {
      sum += n;
    }
    return new LatencySummary(sorted.length, millis(percentile(sorted, 0.50)),
        millis(percentile(sorted, 0.90)), millis(percentile(sorted, 0.99)),
        sum / sorted.length / 1e6);
  }

  /** Nearest rank: the smallest value with at least {@code p} of all values at or below it. */
  static long percentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }
}
