package io.jouleflow.meters.nvml;

import static io.jouleflow.meters.nvml.FakeNvmlLibrary.FAKE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.meters.MeterException;
import io.jouleflow.meters.MeterProvider;
import io.jouleflow.meters.MeterSelection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NvmlMeterProviderTest {

  @BeforeEach
  void resetFake() {
    FAKE.fake_nvml_reset();
  }

  @Test
  void opensOneMeterPerGpuEachWithItsOwnSession() throws Exception {
    FAKE.fake_nvml_set_device_count(3);
    List<NvmlEnergyMeter> meters = NvmlMeters.openAll();
    try {
      assertThat(meters).extracting(m -> m.device().id())
          .containsExactly(
              "GPU-00000000-fake-0000-0000-000000000000",
              "GPU-00000000-fake-0000-0000-000000000001",
              "GPU-00000000-fake-0000-0000-000000000002");
      assertThat(FAKE.fake_nvml_init_refcount()).isEqualTo(3);
      meters.get(0).close();
      // The other meters keep reading after one is closed.
      assertThat(meters.get(2).readJoules()).isGreaterThanOrEqualTo(0);
    } finally {
      meters.forEach(NvmlEnergyMeter::close);
    }
    assertThat(FAKE.fake_nvml_init_refcount()).isZero();
  }

  @Test
  void hostWithoutGpusGivesNoMeters() throws Exception {
    FAKE.fake_nvml_set_device_count(0);
    assertThat(NvmlMeters.openAll()).isEmpty();
    assertThat(FAKE.fake_nvml_init_refcount()).isZero();
  }

  @Test
  void absentLibraryIsAMeterExceptionSayingWhy() {
    assertThatThrownBy(() -> NvmlMeters.openAll("/nonexistent/libnvidia-ml.so.1"))
        .isInstanceOf(MeterException.class)
        .hasMessageStartingWith("NVML not available: /nonexistent/libnvidia-ml.so.1 not found");
  }

  @Test
  void failedInitIsAMeterExceptionWithNvmlsErrorString() {
    FAKE.fake_nvml_set_init_result(FakeNvmlLibrary.DRIVER_NOT_LOADED);
    assertThatThrownBy(NvmlMeters::openAll)
        .isInstanceOf(MeterException.class)
        .hasMessage("NVML not available: nvmlInit_v2 failed: Driver Not Loaded (NVML_ERROR_DRIVER_NOT_LOADED)");
  }

  @Test
  void failureOnOneGpuClosesTheMetersAlreadyOpened() {
    FAKE.fake_nvml_set_device_count(2);
    FAKE.fake_nvml_set_energy(1, 0, 0, 0, 0);
    FAKE.fake_nvml_set_instant_power(1, 0, FakeNvmlLibrary.NOT_SUPPORTED);
    FAKE.fake_nvml_set_power(1, 0, 0);
    assertThatThrownBy(NvmlMeters::openAll)
        .isInstanceOf(MeterException.class)
        .hasMessageContaining("GPU 1");
    assertThat(FAKE.fake_nvml_init_refcount()).isZero();
  }

  @Test
  void providerIsNamedNvmlAndFlagsIntegratedPowerInItsDescription() throws Exception {
    FAKE.fake_nvml_set_device_count(2);
    FAKE.fake_nvml_set_energy(1, 0, 0, 0, 0);
    MeterProvider provider = new NvmlMeterProvider();
    assertThat(provider.name()).isEqualTo("nvml");
    List<EnergyMeter> meters = provider.open();
    try {
      assertThat(provider.describe(meters))
          .startsWith("2 devices: GPU-00000000-fake-0000-0000-000000000000 Fake GPU 0, ")
          .contains("GPU-00000000-fake-0000-0000-000000000001: NVML instant power integrated");
    } finally {
      meters.forEach(EnergyMeter::close);
    }
  }

  @Test
  void meterSelectionChoosesNvmlOrLogsWhyNot() {
    List<String> log = new ArrayList<>();
    List<EnergyMeter> chosen =
        MeterSelection.select("nvml", List.of(new NvmlMeterProvider()), log::add);
    chosen.forEach(EnergyMeter::close);
    assertThat(chosen).hasSize(1);
    assertThat(log).containsExactly("meters: nvml chosen: 1 device: GPU-00000000-fake-0000-0000-000000000000 Fake GPU 0");

    log.clear();
    MeterSelection.select("nvml", List.of(new NvmlMeterProvider("/nonexistent/libnvidia-ml.so.1")), log::add);
    assertThat(log).hasSize(1);
    assertThat(log.get(0)).startsWith("meters: nvml skipped: NVML not available: /nonexistent/libnvidia-ml.so.1 not found");
  }
}
