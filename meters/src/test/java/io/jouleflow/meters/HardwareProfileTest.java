package io.jouleflow.meters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HardwareProfileTest {

  @TempDir Path tmp;

  private static final Device A100_0 =
      new Device("GPU-1c7e4b2a-0000-0000-0000-000000000000", DeviceType.GPU, "NVIDIA A100-SXM4-80GB");
  private static final Device A100_1 =
      new Device("GPU-9f3d8e51-0000-0000-0000-000000000000", DeviceType.GPU, "NVIDIA A100-SXM4-80GB");

  /** Two sockets x 2 cores x 2 threads, in /proc/cpuinfo's format. */
  private Path cpuinfo(String model) throws Exception {
    StringBuilder s = new StringBuilder();
    int processor = 0;
    for (int thread = 0; thread < 2; thread++) {
      for (int socket = 0; socket < 2; socket++) {
        for (int core = 0; core < 2; core++) {
          s.append("processor\t: ").append(processor++).append('\n')
              .append("vendor_id\t: GenuineIntel\n")
              .append("model name\t: ").append(model).append('\n')
              .append("physical id\t: ").append(socket).append('\n')
              .append("core id\t\t: ").append(core).append("\n\n");
        }
      }
    }
    Path file = Files.createTempFile(tmp, "cpuinfo", "");
    Files.writeString(file, s);
    return file;
  }

  @Test
  void readsCpuModelCoresAndThreadsFromCpuinfo() throws Exception {
    HardwareProfile profile = HardwareProfile.detect(
        List.of(A100_0, A100_1), cpuinfo("Intel(R) Xeon(R) Platinum 8380 CPU @ 2.30GHz"));

    assertThat(profile.cpuModel()).isEqualTo("Intel(R) Xeon(R) Platinum 8380 CPU @ 2.30GHz");
    assertThat(profile.cpuCores()).isEqualTo(4);
    assertThat(profile.cpuThreads()).isEqualTo(8);
    assertThat(profile.gpuNames()).containsExactly("NVIDIA A100-SXM4-80GB", "NVIDIA A100-SXM4-80GB");
    assertThat(profile.gpuUuids()).containsExactly(A100_0.id(), A100_1.id());
  }

  @Test
  void idIsAReadableSlugPlusShortHash() throws Exception {
    HardwareProfile profile = HardwareProfile.detect(
        List.of(A100_0, A100_1), cpuinfo("Intel(R) Xeon(R) Platinum 8380 CPU @ 2.30GHz"));

    assertThat(profile.id()).matches("intel-xeon-platinum-8380-2xa100-sxm4-80gb-[0-9a-f]{8}");
  }

  @Test
  void sameHardwareGivesTheSameIdWhateverTheGpuOrderOrUnit() throws Exception {
    Path cpu = cpuinfo("AMD EPYC 7763 64-Core Processor");
    Device otherUnit = new Device("GPU-other", DeviceType.GPU, "NVIDIA A100-SXM4-80GB");

    String first = HardwareProfile.detect(List.of(A100_0, A100_1), cpu).id();

    assertThat(HardwareProfile.detect(List.of(A100_1, A100_0), cpu).id()).isEqualTo(first);
    assertThat(HardwareProfile.detect(List.of(A100_0, otherUnit), cpu).id()).isEqualTo(first);
  }

  @Test
  void differentHardwareGivesADifferentId() throws Exception {
    Path cpu = cpuinfo("AMD EPYC 7763 64-Core Processor");
    Device h100 = new Device("GPU-h", DeviceType.GPU, "NVIDIA H100 80GB HBM3");

    String twoA100 = HardwareProfile.detect(List.of(A100_0, A100_1), cpu).id();

    assertThat(HardwareProfile.detect(List.of(A100_0), cpu).id()).isNotEqualTo(twoA100);
    assertThat(HardwareProfile.detect(List.of(h100, A100_1), cpu).id()).isNotEqualTo(twoA100);
    assertThat(HardwareProfile.detect(List.of(), cpu).id())
        .startsWith("amd-epyc-7763-64-core-").isNotEqualTo(twoA100);
  }

  @Test
  void missingCpuinfoStillGivesAProfile() {
    HardwareProfile profile = HardwareProfile.detect(List.of(), tmp.resolve("absent"));

    assertThat(profile.cpuModel()).isEqualTo("unknown");
    assertThat(profile.cpuCores()).isPositive();
    assertThat(profile.id()).matches("unknown-[0-9a-f]{8}");
  }

  @Test
  void thisMachineHasAStableProfile() {
    assertThat(HardwareProfile.detect(List.of()).id())
        .isEqualTo(HardwareProfile.detect(List.of()).id());
  }

  @Test
  void nonGpuDevicesAreRejected() {
    assertThatThrownBy(() -> HardwareProfile.detect(
            List.of(new Device("cpu", DeviceType.CPU, "cpu")), tmp.resolve("absent")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
