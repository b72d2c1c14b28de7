package io.jouleflow.meters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class EnergyTimelineTest {

  private static final long MS = 1_000_000L;

  private final AtomicLong clock = new AtomicLong(1_000 * MS);
  private final List<String> log = new CopyOnWriteArrayList<>();

  private EnergyTimeline timeline(int capacity, EnergyMeter... meters) {
    return new EnergyTimeline(List.of(meters), Duration.ofMillis(10), capacity, clock::get, log::add);
  }

  /** Samples at t0, t0+10 ms, t0+20 ms, ... (one per scripted value). */
  private void sampleEvery10Ms(EnergyTimeline timeline, int samples) {
    for (int i = 0; i < samples; i++) {
      if (i > 0) {
        clock.addAndGet(10 * MS);
      }
      timeline.sampleNow();
    }
  }

  @Test
  void energyBetweenInterpolatesLinearlyBetweenSamples() {
    ScriptedMeter meter = ScriptedMeter.of("m", 0.001, 1 * MS, 100.0, 101.0, 103.0);
    EnergyTimeline timeline = timeline(100, meter);
    long t0 = clock.get();
    sampleEvery10Ms(timeline, 3);

    EnergyWindow w = timeline.energyBetween(meter.device(), t0 + 5 * MS, t0 + 15 * MS);

    // E(5 ms) = 100.5, E(15 ms) = 102.0
    assertThat(w.joules()).isCloseTo(1.5, within(1e-12));
    assertThat(w.covered()).isTrue();
    assertThat(w.device()).isEqualTo(meter.device());
    assertThat(w.source()).isEqualTo(MeterSource.RAPL);
    assertThat(timeline.energyBetween(meter.device(), t0, t0 + 20 * MS).joules())
        .isCloseTo(3.0, within(1e-12));
    assertThat(timeline.energyBetween(meter.device(), t0 + 12 * MS, t0 + 12 * MS).joules())
        .isZero();
  }

  @Test
  void errorBoundIsResolutionPlusPowerTimesUpdateIntervalAtEachEnd() {
    ScriptedMeter meter = ScriptedMeter.of("m", 0.001, 1 * MS, 0.0, 1.0, 3.0);
    EnergyTimeline timeline = timeline(100, meter);
    long t0 = clock.get();
    sampleEvery10Ms(timeline, 3);

    EnergyWindow w = timeline.energyBetween(meter.device(), t0 + 5 * MS, t0 + 15 * MS);

    // start: 100 W between samples -> 0.001 + 100 W * 1 ms; end: 200 W -> 0.001 + 200 W * 1 ms
    assertThat(w.errorBoundJoules()).isCloseTo(0.101 + 0.201, within(1e-12));
  }

  @Test
  void windowOutsideTheSamplesIsClampedAndNotCovered() {
    ScriptedMeter meter = ScriptedMeter.of("m", 0.001, 1 * MS, 0.0, 1.0, 3.0);
    EnergyTimeline timeline = timeline(100, meter);
    long t0 = clock.get();
    sampleEvery10Ms(timeline, 3);

    EnergyWindow later = timeline.energyBetween(meter.device(), t0 + 15 * MS, t0 + 30 * MS);
    EnergyWindow earlier = timeline.energyBetween(meter.device(), t0 - 10 * MS, t0 + 5 * MS);

    assertThat(later.covered()).isFalse();
    assertThat(later.joules()).isCloseTo(1.0, within(1e-12));
    assertThat(earlier.covered()).isFalse();
    assertThat(earlier.joules()).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void beforeTwoSamplesNothingIsCovered() {
    ScriptedMeter meter = ScriptedMeter.of("m", 0.001, MS, 5.0);
    EnergyTimeline timeline = timeline(100, meter);
    timeline.sampleNow();

    EnergyWindow w = timeline.energyBetween(meter.device(), clock.get() - MS, clock.get());

    assertThat(w.covered()).isFalse();
    assertThat(w.joules()).isZero();
    assertThat(timeline.latestPowerWatts(meter.device())).isEmpty();
  }

  @Test
  void ringEvictsTheOldestSamplesBeyondItsCapacity() {
    ScriptedMeter meter = ScriptedMeter.of("m", 0.001, MS, 0, 1, 2, 3, 4, 5, 6);
    EnergyTimeline timeline = timeline(4, meter);
    long t0 = clock.get();
    sampleEvery10Ms(timeline, 7); // t0 .. t0+60 ms; keeps t0+30 .. t0+60

    assertThat(timeline.sampleCount(meter.device())).isEqualTo(4);
    EnergyWindow evicted = timeline.energyBetween(meter.device(), t0 + 10 * MS, t0 + 50 * MS);
    assertThat(evicted.covered()).isFalse();
    assertThat(evicted.joules()).isCloseTo(2.0, within(1e-12)); // only 30..50 ms is left
    EnergyWindow kept = timeline.energyBetween(meter.device(), t0 + 35 * MS, t0 + 60 * MS);
    assertThat(kept.covered()).isTrue();
    assertThat(kept.joules()).isCloseTo(2.5, within(1e-12));
    assertThat(timeline.totalJoules(meter.device())).isEqualTo(6.0); // not limited by the ring
  }

  @Test
  void defaultCapacityCoversTwoMinutesAtThePeriod() {
    assertThat(EnergyTimeline.defaultCapacity(Duration.ofMillis(10))).isEqualTo(12_001);
    assertThat(EnergyTimeline.defaultCapacity(Duration.ofMillis(100))).isEqualTo(1_201);
    EnergyTimeline timeline = new EnergyTimeline(List.of(), s -> {});
    assertThat(timeline.capacity()).isEqualTo(12_001);
    assertThat(timeline.periodNanos()).isEqualTo(10 * MS);
  }

  @Test
  void latestPowerAveragesOverTheLastSecond() {
    // 50 W for the first second, then 200 W: the last second of samples is all 200 W.
    ScriptedMeter meter = new ScriptedMeter("m", 0.001, MS,
        n -> n <= 100 ? n * 0.5 : 50 + (n - 100) * 2.0);
    EnergyTimeline timeline = timeline(1000, meter);
    sampleEvery10Ms(timeline, 201); // 2 s

    assertThat(timeline.latestPowerWatts(meter.device()).getAsDouble())
        .isCloseTo(200.0, within(1e-9));
    assertThat(timeline.totalJoules(meter.device())).isCloseTo(250.0, within(1e-9));
  }

  @Test
  void latestPowerUsesAllSamplesWhenLessThanASecondIsKept() {
    ScriptedMeter meter = new ScriptedMeter("m", 0.001, MS, n -> n * 0.5);
    EnergyTimeline timeline = timeline(1000, meter);
    sampleEvery10Ms(timeline, 11); // 100 ms at 50 W

    assertThat(timeline.latestPowerWatts(meter.device()).getAsDouble())
        .isCloseTo(50.0, within(1e-9));
  }

  @Test
  void throwingMeterIsLoggedOnceAndSkippedWhileOthersKeepSampling() {
    ScriptedMeter good = new ScriptedMeter("good", 0.001, MS, n -> (double) n);
    ScriptedMeter flaky = new ScriptedMeter("flaky", 0.001, MS, n -> {
      if (n >= 1 && n <= 3) {
        throw new IllegalStateException("device fell off the bus");
      }
      return (double) n;
    });
    EnergyTimeline timeline = timeline(100, good, flaky);
    sampleEvery10Ms(timeline, 6);

    assertThat(log).containsExactly(
        "meter flaky (rapl) failed while sampling; skipping its failed readings: device fell off"
            + " the bus");
    assertThat(timeline.sampleCount(good.device())).isEqualTo(6);
    assertThat(timeline.sampleCount(flaky.device())).isEqualTo(3); // reads 0, 4, 5
  }

  @Test
  void backwardsReadingIsSkippedAndLoggedOnce() {
    ScriptedMeter meter = ScriptedMeter.of("m", 0.001, MS, 5, 4, 3, 6);
    EnergyTimeline timeline = timeline(100, meter);
    sampleEvery10Ms(timeline, 4);

    assertThat(log).hasSize(1).first().asString().contains("went backwards");
    assertThat(timeline.sampleCount(meter.device())).isEqualTo(2);
    assertThat(timeline.totalJoules(meter.device())).isEqualTo(1.0);
  }

  @Test
  void samplerThreadIsANamedDaemonAndSurvivesAMeterThatAlwaysThrows() throws Exception {
    ScriptedMeter good = new ScriptedMeter("good", 0.001, MS, n -> (double) n);
    ScriptedMeter broken = new ScriptedMeter("broken", 0.001, MS, n -> {
      throw new IllegalStateException("broken " + n);
    });
    AtomicReference<Thread> samplerThread = new AtomicReference<>();
    ScriptedMeter spy = new ScriptedMeter("spy", 0.001, MS, n -> {
      samplerThread.compareAndSet(null, Thread.currentThread());
      return (double) n;
    });
    EnergyTimeline timeline =
        new EnergyTimeline(List.of(good, broken, spy), Duration.ofMillis(1), log::add);

    timeline.start();
    long deadline = System.nanoTime() + 10_000 * MS;
    while (good.reads.get() < 50 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    timeline.stop();

    assertThat(good.reads.get()).isGreaterThanOrEqualTo(50);
    assertThat(samplerThread.get().getName()).isEqualTo("jouleflow-meter-sampler");
    assertThat(samplerThread.get().isDaemon()).isTrue();
    assertThat(log).singleElement().asString().startsWith("meter broken (rapl) failed");
    assertThat(timeline.isRunning()).isFalse();
    assertThat(samplerThread.get().isAlive()).isFalse();
  }

  @Test
  void readersSeeConsistentWindowsWhileTheSamplerWrites() throws Exception {
    // 1 J per read and clock in step: every window is (end - start) at 1 J per 10 ms.
    AtomicLong reads = new AtomicLong();
    EnergyMeter meter = new ScriptedMeter("m", 0, 0, n -> {
      clock.addAndGet(10 * MS);
      reads.incrementAndGet();
      return (double) n;
    });
    EnergyTimeline timeline = timeline(64, meter);
    AtomicBoolean stop = new AtomicBoolean();
    Thread writer = new Thread(() -> {
      while (!stop.get()) {
        timeline.sampleNow();
      }
    });
    timeline.sampleNow();
    timeline.sampleNow();
    writer.start();
    try {
      for (int i = 0; i < 200_000; i++) {
        long now = clock.get();
        EnergyWindow w = timeline.energyBetween(meter.device(), now - 200 * MS, now - 100 * MS);
        if (w.covered()) {
          assertThat(w.joules()).isCloseTo(10.0, within(1e-6));
        }
      }
    } finally {
      stop.set(true);
      writer.join();
    }
    assertThat(reads.get()).isGreaterThan(100);
  }

  @Test
  void unknownDeviceAndReversedWindowAreRejected() {
    ScriptedMeter meter = ScriptedMeter.of("m", 0.001, MS, 0);
    EnergyTimeline timeline = timeline(10, meter);

    assertThatThrownBy(() -> timeline.energyBetween(new Device("x", DeviceType.GPU, "x"), 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> timeline.energyBetween(meter.device(), 2, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
