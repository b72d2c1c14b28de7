package io.jouleflow.agent.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** trace.every=auto: each key traced at once, then once per interval, within a time budget. */
class AdaptiveSamplingTest {

  private static final long MS = 1_000_000L;

  @Test
  void eachSessionAndBatchIsTracedAtItsFirstRunsThenOncePerInterval() {
    AdaptiveSampling s = new AdaptiveSampling(1000 * MS);
    AdaptiveSampling.Cache cache = new AdaptiveSampling.Cache();
    Object session = new Object();
    long now = 0;
    int traced = 0;
    for (int i = 0; i < 2000; i++, now += MS) { // 2 s of 1 ms runs
      AdaptiveSampling.Slot slot = s.slot(cache, session, 4);
      boolean due = s.due(slot, now);
      if (due) {
        s.tracing(slot, now);
        traced++;
      }
      s.ran(MS, due);
    }
    // 3 at once, then at 1 s and 2 s after the third: each key's shares at most 1 s old
    assertThat(traced).isBetween(AdaptiveSampling.WARM_TRACES + 1, AdaptiveSampling.WARM_TRACES + 2);
    assertThat(s.due(s.slot(cache, session, 8), now)).as("a new batch size at once").isTrue();
    assertThat(s.due(s.slot(cache, new Object(), 4), now)).as("a new session at once").isTrue();
  }

  @Test
  void tracedRunsStayWithinTheBudgetOfRunTime() {
    AdaptiveSampling s = new AdaptiveSampling(MS);
    AdaptiveSampling.Cache cache = new AdaptiveSampling.Cache();
    long now = 0;
    long tracedNanos = 0;
    long runNanos = 0;
    for (int i = 0; i < 200_000; i++, now += MS) { // a new session every run: always due
      AdaptiveSampling.Slot slot = s.slot(cache, new Object(), 1);
      boolean due = s.due(slot, now);
      if (due) {
        s.tracing(slot, now);
        tracedNanos += MS;
      }
      runNanos += MS;
      s.ran(MS, due);
    }
    assertThat((double) tracedNanos)
        .isLessThanOrEqualTo(AdaptiveSampling.BUDGET * runNanos + AdaptiveSampling.BURST_NANOS + MS)
        .isGreaterThan(AdaptiveSampling.BUDGET * runNanos);
  }
}
