package io.jouleflow.meters.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.meters.DeviceType;
import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.meters.MeterException;
import io.jouleflow.meters.MeterSource;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EstimateMeterTest {

  @TempDir Path tmp;

  @Test
  void busyThreadEnergyGrowsWithItsCpuTimeAtTheConfiguredWatts() throws Exception {
    double watts = 8.0;
    EnergyMeter meter = new EstimateMeterProvider(OptionalDouble.of(watts)).open().get(0);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long[] busyThreadCpu = new long[1];

    long processCpuBefore = EstimateMeterProvider.processCpuNanos();
    double before = meter.readJoules();
    Thread busy = new Thread(() -> {
      long start = threads.getCurrentThreadCpuTime();
      while (threads.getCurrentThreadCpuTime() - start < 400_000_000L) {
        Thread.onSpinWait(); // burn CPU until the thread has used 0.4 s of it
      }
      busyThreadCpu[0] = threads.getCurrentThreadCpuTime() - start;
    });
    busy.start();
    busy.join();
    double after = meter.readJoules();
    long processCpuAfter = EstimateMeterProvider.processCpuNanos();

    double energy = after - before;
    // The busy thread alone burnt 0.4 s of CPU: the process estimate covers at least that.
    assertThat(energy).isGreaterThanOrEqualTo(0.9 * busyThreadCpu[0] * 1e-9 * watts);
    // And it is the process CPU time priced at the wattage, within a clock tick or two.
    double expected = (processCpuAfter - processCpuBefore) * 1e-9 * watts;
    assertThat(energy).isCloseTo(expected, within(2 * meter.resolutionJoules() + 0.02 * expected));
  }

  @Test
  void scriptedCpuTimeGivesExactJoules() throws Exception {
    AtomicLong cpu = new AtomicLong(5_000_000_000L);
    EnergyMeter meter =
        new EstimateMeterProvider(OptionalDouble.empty(), cpuinfo("Intel(R) Xeon(R) Platinum 8380"
            + " CPU @ 2.30GHz"), cpu::get).open().get(0);

    cpu.addAndGet(2_000_000_000L);

    assertThat(meter.readJoules()).isCloseTo(2.0 * 270 / 40, within(1e-9));
  }

  @Test
  void wattsPerCoreComeFromTheModelNameTable() throws Exception {
    assertThat(wattsFor("Intel(R) Xeon(R) Platinum 8380 CPU @ 2.30GHz")).isEqualTo(270.0 / 40);
    assertThat(wattsFor("AMD EPYC 7763 64-Core Processor")).isEqualTo(280.0 / 64);
    assertThat(wattsFor("Intel(R) Xeon(R) Platinum 8480+")).isEqualTo(350.0 / 56);
    assertThat(wattsFor("Intel(R) Xeon(R) CPU E5-2690 v4 @ 2.60GHz")).isEqualTo(135.0 / 14);
  }

  @Test
  void unknownOrMerelySimilarModelsFallBackToTenWattsPerCore() throws Exception {
    assertThat(wattsFor("Intel(R) Xeon(R) Platinum 8380H CPU @ 2.90GHz")).isEqualTo(10.0);
    assertThat(wattsFor("AMD EPYC")).isEqualTo(10.0);
    EstimateMeter meter = open(OptionalDouble.empty(), "Some Future CPU 9000");
    assertThat(meter.basis()).contains("Some Future CPU 9000", "set cpu.watts");
  }

  @Test
  void missingCpuinfoFallsBackToTenWattsPerCore() throws Exception {
    EstimateMeter meter = (EstimateMeter) new EstimateMeterProvider(
        OptionalDouble.empty(), tmp.resolve("absent"), () -> 0L).open().get(0);
    assertThat(meter.wattsPerCore()).isEqualTo(CpuPowerTable.FALLBACK_WATTS_PER_CORE);
  }

  @Test
  void explicitCpuWattsOverridesTheTable() throws Exception {
    EstimateMeter meter =
        open(OptionalDouble.of(12.5), "Intel(R) Xeon(R) Platinum 8380 CPU @ 2.30GHz");

    assertThat(meter.wattsPerCore()).isEqualTo(12.5);
    assertThat(meter.basis()).isEqualTo("cpu.watts=12.5");
  }

  @Test
  void nonPositiveCpuWattsIsRejected() {
    assertThatThrownBy(() -> new EstimateMeterProvider(OptionalDouble.of(0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cpu.watts");
  }

  @Test
  void isLabelledAnEstimateAndSaysWhatItLeavesOut() throws Exception {
    EstimateMeter meter = open(OptionalDouble.empty(), "AMD EPYC 7763 64-Core Processor");

    assertThat(meter.source()).isEqualTo(MeterSource.ESTIMATE);
    assertThat(meter.source().measured()).isFalse();
    assertThat(meter.device().id()).isEqualTo("cpu");
    assertThat(meter.device().type()).isEqualTo(DeviceType.CPU);
    assertThat(meter.device().name()).containsIgnoringCase("estimate");
    assertThat(meter.description())
        .contains("not a measurement", "CPU time", "4.38 W per core", "EPYC 7763: 280 W TDP / 64"
            + " cores", "idle", "other processes", "memory", "GPU");
  }

  @Test
  void unavailableCpuTimeFailsToOpenWithAReason() {
    assertThatThrownBy(() -> new EstimateMeterProvider(
            OptionalDouble.of(10), tmp.resolve("absent"), () -> -1L).open())
        .isInstanceOf(MeterException.class).hasMessageContaining("CPU time is not available");
  }

  private double wattsFor(String model) throws Exception {
    return open(OptionalDouble.empty(), model).wattsPerCore();
  }

  private EstimateMeter open(OptionalDouble override, String model) throws Exception {
    return (EstimateMeter) new EstimateMeterProvider(override, cpuinfo(model), () -> 0L)
        .open().get(0);
  }

  private Path cpuinfo(String model) throws Exception {
    Path file = Files.createTempFile(tmp, "cpuinfo", "");
    Files.writeString(file, "processor\t: 0\nvendor_id\t: x\nmodel name\t: " + model
        + "\nphysical id\t: 0\ncore id\t\t: 0\n\nprocessor\t: 1\nmodel name\t: " + model
        + "\nphysical id\t: 0\ncore id\t\t: 1\n\n");
    return file;
  }
}
