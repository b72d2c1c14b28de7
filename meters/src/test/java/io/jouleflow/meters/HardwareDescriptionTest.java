package io.jouleflow.meters;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hardware features from files in /proc's and sysfs' layouts. */
class HardwareDescriptionTest {

  @TempDir Path tmp;

  private static final Device H100 =
      new Device("GPU-00000000-0000-0000-0000-000000000001", DeviceType.GPU, "NVIDIA H100 80GB HBM3");

  private Path cpuinfo(String model, String mhz) throws Exception {
    Path file = tmp.resolve("cpuinfo-" + Math.abs(model.hashCode()));
    Files.writeString(file, """
        processor\t: 0
        model name\t: %s
        cpu MHz\t\t: %s
        physical id\t: 0
        core id\t\t: 0

        processor\t: 1
        model name\t: %s
        cpu MHz\t\t: %s
        physical id\t: 0
        core id\t\t: 1
        """.formatted(model, mhz, model, mhz));
    return file;
  }

  private Path meminfo(String kb) throws Exception {
    Path file = tmp.resolve("meminfo");
    Files.writeString(file, "MemTotal:       " + kb + " kB\nMemFree:        1000 kB\n");
    return file;
  }

  @Test
  void theClockInTheModelNameWinsOverWhatTheKernelReports() throws Exception {
    Path cpu = cpuinfo("Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", "3100.000");
    Path freq = Files.createDirectories(tmp.resolve("cpufreq"));
    Files.writeString(freq.resolve("base_frequency"), "2100000\n");
    HardwareProfile profile = HardwareProfile.detect(List.of(H100), cpu);

    HardwareDescription d = HardwareDescription.describe(profile, cpu, freq, meminfo("24683748"));

    assertThat(d.features()).containsExactly(
        java.util.Map.entry(HardwareDescription.CPU_VENDOR, 1.0),
        java.util.Map.entry(HardwareDescription.CPU_CORES, 2.0),
        java.util.Map.entry(HardwareDescription.CPU_THREADS, 2.0),
        java.util.Map.entry(HardwareDescription.CPU_BASE_GHZ, 2.5),
        java.util.Map.entry(HardwareDescription.MEMORY_GIB, 23.54),
        java.util.Map.entry(HardwareDescription.GPUS, 1.0));
  }

  @Test
  void withoutAClockInTheNameSysfsThenProcCpuinfoGiveIt() throws Exception {
    Path cpu = cpuinfo("AMD EPYC", "2096.012");
    HardwareProfile profile = HardwareProfile.detect(List.of(), cpu);
    Path freq = Files.createDirectories(tmp.resolve("cpufreq"));
    Path noFreq = tmp.resolve("no-cpufreq");
    Files.writeString(freq.resolve("cpuinfo_max_freq"), "3500000\n");

    assertThat(HardwareDescription.describe(profile, cpu, freq, meminfo("1048576")).features())
        .containsEntry(HardwareDescription.CPU_BASE_GHZ, 3.5)
        .containsEntry(HardwareDescription.CPU_VENDOR, 2.0)
        .containsEntry(HardwareDescription.MEMORY_GIB, 1.0)
        .containsEntry(HardwareDescription.GPUS, 0.0);
    assertThat(HardwareDescription.describe(profile, cpu, noFreq, meminfo("1048576")).features())
        .containsEntry(HardwareDescription.CPU_BASE_GHZ, 2.1);
  }

  @Test
  void whatCannotBeReadIsLeftOutNotGuessed() throws Exception {
    Path cpu = tmp.resolve("no-cpuinfo");
    HardwareProfile profile = HardwareProfile.detect(List.of(), cpu);

    HardwareDescription d =
        HardwareDescription.describe(profile, cpu, tmp.resolve("none"), tmp.resolve("none"));

    assertThat(d.features()).doesNotContainKeys(
        HardwareDescription.CPU_BASE_GHZ, HardwareDescription.MEMORY_GIB);
    assertThat(d.features()).containsEntry(HardwareDescription.CPU_VENDOR, 0.0);
    assertThat(d.features().keySet()).allMatch(HardwareDescription::isHardwareFeature);
  }

  @Test
  void clocksInTheNameAreReadInGigahertz() {
    assertThat(HardwareDescription.clockInName("Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz"))
        .isEqualTo(3.2);
    assertThat(HardwareDescription.clockInName("Some CPU @ 800MHz")).isEqualTo(0.8);
    assertThat(HardwareDescription.clockInName("AMD EPYC 7B13")).isNaN();
  }
}
