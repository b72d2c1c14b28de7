package io.jouleflow.nvml;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NvmlProbeTest {

  private static final FakeNvml FAKE = FakeNvml.INSTANCE;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void resetFake() {
    FAKE.fake_nvml_reset();
  }

  private int probe(String... args) {
    return NvmlProbe.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void printsVersionsAndEachDevicesCounters() {
    FAKE.fake_nvml_set_device_count(2);
    FAKE.fake_nvml_set_energy(1, 0, 0, 0, 0);
    FAKE.fake_nvml_set_instant_power(1, 0, FakeNvml.NOT_SUPPORTED);
    assertThat(probe()).isZero();
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .contains("driver version: 999.99.01")
        .contains("NVML version: 12.999.99.01")
        .contains("GPU 0: Fake GPU 0 GPU-00000000-fake-0000-0000-000000000000")
        .contains("  energy counter: 1000000 mJ")
        .contains("  power usage: 50000 mW")
        .contains("  instant power: 50000 mW")
        .contains("GPU 1: Fake GPU 1")
        .contains("  energy counter: not supported")
        .contains("  instant power: not supported")
        .contains("  compute processes: 0 []");
    assertThat(FAKE.fake_nvml_init_refcount()).isZero();
  }

  @Test
  void watchWritesTimestampedEnergyAndPowerSamplesPerDevice(@TempDir Path dir) throws Exception {
    FAKE.fake_nvml_set_energy(0, 10_000, 5, 0, 1);
    Path csv = dir.resolve("samples.csv");
    long startNanos = System.currentTimeMillis() * 1_000_000L;
    assertThat(probe("--watch", "1", "--interval-ms", "100", "--out", csv.toString())).isZero();

    List<String> lines = Files.readAllLines(csv);
    assertThat(lines.get(0)).isEqualTo("epoch_nanos,device_index,energy_mj,power_mw");
    List<String[]> rows = lines.subList(1, lines.size()).stream().map(l -> l.split(",", -1)).toList();
    assertThat(rows).hasSizeBetween(10, 12);
    assertThat(rows.get(0)[1]).isEqualTo("0");
    assertThat(rows.get(0)[3]).isEqualTo("50000");
    // The counter advances 5 mJ per read: consecutive samples differ by exactly that.
    assertThat(Long.parseLong(rows.get(1)[2]) - Long.parseLong(rows.get(0)[2])).isEqualTo(5);
    assertThat(Long.parseLong(rows.get(1)[0])).isGreaterThan(Long.parseLong(rows.get(0)[0]));
    assertThat(Long.parseLong(rows.get(0)[0])).isBetween(startNanos - 1_000_000_000L, startNanos + 2_000_000_000L);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("wrote " + rows.size() + " samples per GPU");
  }

  @Test
  void unsupportedEnergyLeavesItsCsvCellEmpty(@TempDir Path dir) throws Exception {
    FAKE.fake_nvml_set_energy(0, 0, 0, 0, 0);
    Path csv = dir.resolve("samples.csv");
    assertThat(probe("--watch", "1", "--interval-ms", "500", "--out", csv.toString())).isZero();
    assertThat(Files.readAllLines(csv).get(1)).endsWith(",0,,50000");
  }

  @Test
  void badUsageExitsWithTwoAndAReason() {
    assertThat(probe("--watch", "soon")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--watch needs a positive whole number");
  }

  @Test
  void unavailableNvmlExitsWithOneAndTheReason() {
    FAKE.fake_nvml_set_init_result(FakeNvml.DRIVER_NOT_LOADED);
    assertThat(probe()).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "NVML not available: nvmlInit_v2 failed: Driver Not Loaded (NVML_ERROR_DRIVER_NOT_LOADED)"
                + System.lineSeparator());
  }
}
