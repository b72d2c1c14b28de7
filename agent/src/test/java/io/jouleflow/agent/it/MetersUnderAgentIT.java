package io.jouleflow.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.launcher.demo.PrometheusText.Sample;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent reading NVML (a C library with NVML's ABI, as a GPU at a constant 100 W) and RAPL (a
 * powercap tree with the kernel's layout, whose counters this test advances) in the example
 * service, and exporting hw_* and per-model inference energy.
 */
class MetersUnderAgentIT {

  private static final String MODEL = "tiny_resnet";

  @TempDir Path tmp;

  @Test
  void exportsDeviceEnergyAndPowerAndSplitsItAmongTheModelsRuns() throws Exception {
    Path powercap = tmp.resolve("class/powercap");
    Path devices = tmp.resolve("devices/virtual/powercap/intel-rapl");
    zone(powercap, devices, "intel-rapl:0", "package-0", 1_000_000);
    zone(powercap, devices, "intel-rapl:0:0", "core", 500_000);
    zone(powercap, devices, "intel-rapl:0:1", "dram", 200_000);

    String fakeNvml = System.getProperty("jouleflow.test.fakeNvml");
    assertThat(Path.of(fakeNvml)).exists();
    int port = ExampleService.freePort();
    List<String> jvmArgs = List.of("-Djouleflow.nvml.library=" + fakeNvml);
    String options = "prometheus.port=" + port + ",trace.every=10,meters=nvml,rapl,rapl.root=" + powercap;
    try (ExampleService svc = ExampleService.startWithEnvironment(
        tmp.resolve(MODEL), options, jvmArgs, Map.of("FAKE_NVML_ENERGY_RATE_MW", "100000"))) {
      assertThat(svc.jvm.stderr())
          .contains("meters: nvml chosen").contains("meters: rapl chosen")
          .doesNotContain("estimate chosen");

      // RAPL: the package counter advances by exactly 5 J, dram by 1 J.
      setEnergy(devices.resolve("intel-rapl:0"), 6_000_000);
      setEnergy(devices.resolve("intel-rapl:0/intel-rapl:0:1"), 1_200_000);
      for (int i = 0; i < 100; i++) {
        svc.predict(4, i);
      }
      ServiceUnderAgentIT.awaitRuns(port, 100);
      PrometheusScrape scrape = ServiceUnderAgentIT.awaitEnergySettled(port);
      assertThat(hw(scrape, "hw_energy_joules_total", "intel-rapl:0").value()).isCloseTo(5.0, within(1e-9));
      assertThat(hw(scrape, "hw_energy_joules_total", "intel-rapl:0:1").value()).isCloseTo(1.0, within(1e-9));
      assertThat(hw(scrape, "hw_energy_joules_total", "intel-rapl:0:0").label("hw_type")).isEqualTo("cpu");
      assertThat(hw(scrape, "hw_energy_joules_total", "intel-rapl:0:1").label("hw_type")).isEqualTo("dram");

      Sample gpuPower = scrape.series("hw_power_watts", s -> "nvml".equals(s.label("source")))
          .stream().findFirst().orElseThrow(() -> new AssertionError(scrape.text()));
      assertThat(gpuPower.label("hw_type")).isEqualTo("gpu");
      assertThat(gpuPower.value()).isCloseTo(100.0, within(5.0));
      Sample gpuEnergy = hw(scrape, "hw_energy_joules_total", gpuPower.label("hw_id"));
      assertThat(gpuEnergy.label("source")).isEqualTo("nvml");

      // Per model and device: positive, never more than the device measured. Subzones inside a
      // package (core) are not attributed again.
      List<Sample> energy = scrape.series("jouleflow_inference_energy_joules_total",
          s -> MODEL.equals(s.label("model")));
      assertThat(energy).extracting(s -> s.label("device"))
          .contains(gpuPower.label("hw_id")).doesNotContain("intel-rapl:0:0");
      Sample gpuShare = energy.stream().filter(s -> s.label("device").equals(gpuPower.label("hw_id")))
          .findFirst().orElseThrow();
      assertThat(gpuShare.label("source")).isEqualTo("nvml");
      assertThat(gpuShare.value()).isPositive().isLessThan(gpuEnergy.value());
      // 100 W while runs are active: the share is about 100 W x the time spent in runs.
      double runSeconds = scrape.sum("jouleflow_inference_duration_seconds_sum",
          s -> MODEL.equals(s.label("model")));
      assertThat(gpuShare.value()).isCloseTo(100.0 * runSeconds, within(0.2 * 100.0 * runSeconds));
    }
  }

  @Test
  void withoutCountersTheEstimateRunsAndSaysSo() throws Exception {
    int port = ExampleService.freePort();
    try (ExampleService svc = ExampleService.start(tmp.resolve(MODEL),
        "prometheus.port=" + port + ",rapl.root=" + tmp.resolve("none") + ",cpu.watts=12.5"
            + ",carbon.intensity=400",
        List.of("-Djouleflow.nvml.library=" + tmp.resolve("absent/libnvidia-ml.so.1")))) {
      for (int i = 0; i < 100; i++) {
        svc.predict(8, i);
      }
      ServiceUnderAgentIT.awaitRuns(port, 100);
      PrometheusScrape scrape = ServiceUnderAgentIT.awaitEnergySettled(port);
      assertThat(svc.jvm.stderr()).contains("meters: nvml skipped").contains("meters: rapl skipped")
          .contains("estimate, not a measurement").contains("12.50 W per core");
      Sample cpu = hw(scrape, "hw_energy_joules_total", "cpu");
      assertThat(cpu.label("source")).isEqualTo("estimate");
      Sample share = scrape.series("jouleflow_inference_energy_joules_total",
          s -> MODEL.equals(s.label("model"))).stream().findFirst().orElseThrow();
      assertThat(share.label("source")).isEqualTo("estimate");
      assertThat(share.value()).isPositive().isLessThan(cpu.value());
      // carbon.intensity=400 g/kWh: grams = joules / 3.6e6 * 400, labelled with the source
      Sample grams = scrape.series("jouleflow_emissions_grams_total",
          s -> MODEL.equals(s.label("model"))).stream().findFirst()
          .orElseThrow(() -> new AssertionError(scrape.text()));
      assertThat(grams.label("source")).isEqualTo("estimate");
      double joules = scrape.sum("jouleflow_inference_energy_joules_total",
          s -> MODEL.equals(s.label("model")));
      assertThat(grams.value()).isCloseTo(joules / 3.6e6 * 400, within(1e-9 * joules));
    }
  }

  private static Sample hw(PrometheusScrape scrape, String name, String id) {
    return scrape.series(name, s -> id.equals(s.label("hw_id"))).stream().findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " for " + id + "\n" + scrape.text()));
  }

  /** A zone with the kernel's layout: real directory under devices/, symlink in class/powercap. */
  private static void zone(Path powercap, Path devices, String id, String name, long energyUj)
      throws Exception {
    String[] parts = id.split(":");
    Path dir = parts.length == 2 ? devices.resolve(id) : devices.resolve(parts[0] + ":" + parts[1]).resolve(id);
    Files.createDirectories(dir);
    Files.createDirectories(powercap);
    Files.writeString(dir.resolve("name"), name + "\n");
    Files.writeString(dir.resolve("max_energy_range_uj"), "262143328850\n");
    Files.writeString(dir.resolve("energy_uj"), energyUj + "\n");
    Files.createSymbolicLink(powercap.resolve(id), dir);
  }

  /** Rewrites a counter in place (same inode, as the kernel's value changes under an open fd). */
  private static void setEnergy(Path dir, long energyUj) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("energy_uj").toFile(), "rw")) {
      byte[] b = (energyUj + "\n").getBytes(StandardCharsets.US_ASCII);
      f.setLength(0);
      f.write(b);
    }
  }

}
