package io.jouleflow.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NvmlTest {

  private static final FakeNvml FAKE = FakeNvml.INSTANCE;

  @BeforeEach
  void resetFake() {
    FAKE.fake_nvml_reset();
  }

  @Test
  void opensTheLibraryNamedByTheSystemPropertyAndReadsVersions() throws Exception {
    try (Nvml nvml = Nvml.open()) {
      assertThat(nvml.library()).isEqualTo(System.getProperty(Nvml.LIBRARY_PROPERTY));
      assertThat(nvml.driverVersion()).isEqualTo("999.99.01");
      assertThat(nvml.nvmlVersion()).isEqualTo("12.999.99.01");
    }
  }

  @Test
  void absentLibraryIsReportedAsNotFoundInOneLine() {
    String missing = "/nonexistent/jouleflow/libnvidia-ml.so.1";
    assertThatThrownBy(() -> Nvml.open(missing))
        .isInstanceOfSatisfying(
            NvmlUnavailableException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(NvmlUnavailableException.Reason.LIBRARY_NOT_FOUND);
              assertThat(e.getMessage()).contains(missing).contains("not found").doesNotContain("\n");
              assertThat(e.initResult()).isEmpty();
            });
  }

  @Test
  void libraryWithoutInitIsReportedAsSymbolMissing() {
    String withoutInit = System.getProperty("jouleflow.test.nvml.without-init");
    assertThatThrownBy(() -> Nvml.open(withoutInit))
        .isInstanceOfSatisfying(
            NvmlUnavailableException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(NvmlUnavailableException.Reason.SYMBOL_MISSING);
              assertThat(e.getMessage()).contains("lacks nvmlInit_v2").doesNotContain("\n");
            });
  }

  @Test
  void failedInitIsReportedWithNvmlsErrorString() {
    FAKE.fake_nvml_set_init_result(FakeNvml.DRIVER_NOT_LOADED);
    assertThatThrownBy(Nvml::open)
        .isInstanceOfSatisfying(
            NvmlUnavailableException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(NvmlUnavailableException.Reason.INIT_FAILED);
              assertThat(e.initResult()).contains(NvmlReturn.DRIVER_NOT_LOADED);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "NVML not available: nvmlInit_v2 failed: Driver Not Loaded"
                          + " (NVML_ERROR_DRIVER_NOT_LOADED)");
            });
    assertThat(FAKE.fake_nvml_init_refcount()).isZero();
  }

  @Test
  void eachSessionInitialisesOnceAndShutsDownOnce() throws Exception {
    Nvml first = Nvml.open();
    Nvml second = Nvml.open();
    assertThat(FAKE.fake_nvml_init_refcount()).isEqualTo(2);
    first.close();
    first.close();
    assertThat(FAKE.fake_nvml_init_refcount()).isEqualTo(1);
    assertThat(second.deviceCount()).isEqualTo(1);
    second.close();
    assertThat(FAKE.fake_nvml_init_refcount()).isZero();
    assertThat(FAKE.fake_nvml_call_count("nvmlShutdown")).isEqualTo(2);
  }

  @Test
  void closedSessionRefusesFurtherCalls() throws Exception {
    Nvml nvml = Nvml.open();
    nvml.close();
    assertThatThrownBy(nvml::deviceCount)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void enumeratesEveryDeviceWithItsNameAndUuid() throws Exception {
    FAKE.fake_nvml_set_device_count(2);
    FAKE.fake_nvml_set_identity(0, "NVIDIA H100 80GB HBM3", "GPU-11111111-2222-3333-4444-555555555555");
    FAKE.fake_nvml_set_identity(1, "NVIDIA A100-SXM4-40GB", "GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    try (Nvml nvml = Nvml.open()) {
      List<NvmlDevice> devices = nvml.devices();
      assertThat(devices).hasSize(2);
      assertThat(devices.get(0).info())
          .isEqualTo(
              new NvmlDeviceInfo(0, "NVIDIA H100 80GB HBM3", "GPU-11111111-2222-3333-4444-555555555555"));
      assertThat(devices.get(1).info())
          .isEqualTo(
              new NvmlDeviceInfo(1, "NVIDIA A100-SXM4-40GB", "GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"));
    }
  }

  @Test
  void deviceIndexOutOfRangeIsATypedInvalidArgument() throws Exception {
    try (Nvml nvml = Nvml.open()) {
      assertThatThrownBy(() -> nvml.device(5))
          .isInstanceOfSatisfying(
              NvmlException.class,
              e -> {
                assertThat(e.result()).isEqualTo(NvmlReturn.INVALID_ARGUMENT);
                assertThat(e.function()).isEqualTo("nvmlDeviceGetHandleByIndex_v2");
                assertThat(e.getMessage())
                    .isEqualTo(
                        "nvmlDeviceGetHandleByIndex_v2 failed: Invalid Argument"
                            + " (NVML_ERROR_INVALID_ARGUMENT)");
              });
    }
  }
}
