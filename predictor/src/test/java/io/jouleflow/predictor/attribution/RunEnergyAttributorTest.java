package io.jouleflow.predictor.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.meters.Device;
import io.jouleflow.meters.DeviceType;
import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.meters.EnergyTimeline;
import io.jouleflow.meters.MeterSource;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RunEnergyAttributorTest {

  private static final double WATTS = 40.0;
  private static final long MS = 1_000_000L;

  /** A device at a constant 40 W on a scripted clock: joules = 40 x seconds, exactly linear. */
  private static final class ConstantPowerMeter implements EnergyMeter {
    long now;

    @Override
    public Device device() {
      return new Device("gpu-0", DeviceType.GPU, "test GPU");
    }

    @Override
    public MeterSource source() {
      return MeterSource.NVML;
    }

    @Override
    public double resolutionJoules() {
      return 1e-3;
    }

    @Override
    public long updateIntervalNanos() {
      return 20 * MS;
    }

    @Override
    public double readJoules() {
      return WATTS * now / 1e9;
    }
  }

  private ConstantPowerMeter meter;
  private EnergyTimeline timeline;
  private final Map<String, Double> joules = new HashMap<>();
  private final RunEnergyAttributor.Sink<String> sink =
      (run, m, j) -> joules.merge(run, j, Double::sum);

  @BeforeEach
  void setUp() {
    meter = new ConstantPowerMeter();
    timeline = new EnergyTimeline(List.of(meter), Duration.ofMillis(10), 1000, () -> meter.now, s -> {});
    for (long t = 0; t <= 2000; t += 10) { // 2 s of samples every 10 ms, taken by hand
      meter.now = t * MS;
      timeline.sampleNow();
    }
  }

  @AfterEach
  void tearDown() {
    timeline.close();
  }

  @Test
  void windowIsAtLeastHundredMillisecondsOrTenCounterUpdates() {
    assertThat(RunEnergyAttributor.windowFor(List.of(meter))).isEqualTo(200 * MS);
  }

  @Test
  void concurrentRunsShareTheOverlapAndIdleTimeBelongsToNoRun() {
    long s = timelineStart();
    long e = timelineEnd();
    long span = e - s;
    // a: first half; b: second quarter to three quarters; idle afterwards.
    long aStart = s;
    long aEnd = s + span / 2;
    long bStart = s + span / 4;
    long bEnd = s + 3 * span / 4;
    RunEnergyAttributor<String> attributor =
        new RunEnergyAttributor<>(timeline, List.of(meter), 1, 0);
    attributor.add("a", aStart, aEnd);
    attributor.add("b", bStart, bEnd);
    attributor.flush(e, sink);

    double total = energy(s, e);
    double quarter = total / 4;
    assertThat(joules.get("a")).isCloseTo(quarter + quarter / 2, within(1e-6 * total));
    assertThat(joules.get("b")).isCloseTo(quarter / 2 + quarter, within(1e-6 * total));
    // 3/4 of the time a run was active; the last quarter was idle.
    assertThat(joules.get("a") + joules.get("b")).isCloseTo(0.75 * total, within(1e-6 * total));
    assertThat(attributor.pending()).isZero();
  }

  @Test
  void energyIsClosedOnlyAfterTheHoldAndInWholeWindows() {
    long s = timelineStart();
    long e = timelineEnd();
    RunEnergyAttributor<String> attributor =
        new RunEnergyAttributor<>(timeline, List.of(meter), (e - s) / 2, (e - s) / 4);
    attributor.add("a", s, e);
    attributor.advance(s + (e - s) / 2, Long.MAX_VALUE, sink); // only 1/4 is past the hold: less than a window
    assertThat(joules).isEmpty();
    attributor.advance(e, Long.MAX_VALUE, sink); // 3/4 past the hold: one window and more
    assertThat(joules.get("a")).isCloseTo(energy(s, s + 3 * (e - s) / 4), within(1e-9));
    assertThat(attributor.pending()).isEqualTo(1);
  }

  @Test
  void energyIsNeverClosedPastTheStartOfARunStillInFlight() {
    long s = timelineStart();
    long e = timelineEnd();
    long mid = s + (e - s) / 2;
    RunEnergyAttributor<String> attributor = new RunEnergyAttributor<>(timeline, List.of(meter), 1, 0);
    attributor.add("short", s, mid);
    // "long" started at s + 1/4 and is still executing: nothing after that may close yet.
    long longStart = s + (e - s) / 4;
    attributor.advance(e, longStart, sink);
    assertThat(joules.get("short")).isCloseTo(energy(s, longStart), within(1e-9));
    attributor.add("long", longStart, e);
    attributor.advance(e, Long.MAX_VALUE, sink);
    // The overlap s+1/4 .. mid was shared; nothing was counted twice.
    assertThat(joules.get("short") + joules.get("long")).isCloseTo(energy(s, e), within(1e-9));
    assertThat(joules.get("long")).isCloseTo(energy(longStart, mid) / 2 + energy(mid, e), within(1e-9));
    assertThat(attributor.lateRuns()).isZero();
  }

  @Test
  void aRunArrivingAfterItsSliceClosedLosesThatPartInsteadOfCountingItTwice() {
    long s = timelineStart();
    long e = timelineEnd();
    long mid = s + (e - s) / 2;
    RunEnergyAttributor<String> attributor = new RunEnergyAttributor<>(timeline, List.of(meter), 1, 0);
    attributor.add("early", s, mid);
    attributor.flush(mid, sink);
    attributor.add("late", s + (e - s) / 4, e);
    attributor.flush(e, sink);
    assertThat(joules.get("early")).isCloseTo(energy(s, mid), within(1e-9));
    assertThat(joules.get("late")).isCloseTo(energy(mid, e), within(1e-9));
    assertThat(attributor.lateRuns()).isEqualTo(1);
  }

  private static double energy(long a, long b) {
    return WATTS * (b - a) / 1e9;
  }

  private static long timelineStart() {
    return 0;
  }

  private static long timelineEnd() {
    return 2000 * MS;
  }
}
