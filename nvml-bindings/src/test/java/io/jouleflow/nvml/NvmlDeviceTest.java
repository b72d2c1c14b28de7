package io.jouleflow.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NvmlDeviceTest {

  private static final FakeNvml FAKE = FakeNvml.INSTANCE;
  private static final String ENERGY = "nvmlDeviceGetTotalEnergyConsumption";

  private Nvml nvml;

  @BeforeEach
  void openFake() throws Exception {
    FAKE.fake_nvml_reset();
    nvml = Nvml.open();
  }

  @AfterEach
  void closeFake() {
    nvml.close();
  }

  private NvmlDevice gpu0() throws NvmlException {
    return nvml.device(0);
  }

  @Test
  void energyCounterReadingsAdvanceBetweenCalls() throws Exception {
    FAKE.fake_nvml_set_energy(0, 5_000, 250, 0, 1);
    NvmlDevice device = gpu0();
    assertThat(device.totalEnergyConsumptionMillijoules()).hasValue(5_000);
    assertThat(device.totalEnergyConsumptionMillijoules()).hasValue(5_250);
    assertThat(device.totalEnergyConsumptionMillijoules()).hasValue(5_500);
    assertThat(device.supportsTotalEnergyConsumption()).isTrue();
  }

  @Test
  void energyCounterFollowsTheScriptedPowerOverWallTime() throws Exception {
    FAKE.fake_nvml_set_energy(0, 0, 0, 1_000_000, 1); // 1 kW: 1 mJ per microsecond
    NvmlDevice device = gpu0();
    long first = device.totalEnergyConsumptionMillijoules().orElseThrow();
    Thread.sleep(50);
    long second = device.totalEnergyConsumptionMillijoules().orElseThrow();
    assertThat(second - first).isBetween(49_000L, 5_000_000L);
  }

  @Test
  void energyCounterNotSupportedIsAMissingCapability() throws Exception {
    FAKE.fake_nvml_set_energy(0, 0, 0, 0, 0);
    NvmlDevice device = gpu0();
    assertThat(device.totalEnergyConsumptionMillijoules()).isEmpty();
    assertThat(device.supportsTotalEnergyConsumption()).isFalse();
  }

  @Test
  void functionMissingFromTheDriverIsAMissingCapability() throws Exception {
    FAKE.fake_nvml_set_error(ENERGY, FakeNvml.FUNCTION_NOT_FOUND);
    assertThat(gpu0().totalEnergyConsumptionMillijoules()).isEmpty();
  }

  @Test
  void errorCodeBecomesATypedExceptionWithNvmlsErrorString() throws Exception {
    NvmlDevice device = gpu0();
    FAKE.fake_nvml_set_error(ENERGY, FakeNvml.GPU_IS_LOST);
    assertThatThrownBy(device::totalEnergyConsumptionMillijoules)
        .isInstanceOfSatisfying(
            NvmlException.class,
            e -> {
              assertThat(e.result()).isEqualTo(NvmlReturn.GPU_IS_LOST);
              assertThat(e.code()).isEqualTo(15);
              assertThat(e.function()).isEqualTo(ENERGY);
              assertThat(e.errorString()).isEqualTo("GPU is lost");
              assertThat(e.getMessage())
                  .isEqualTo(ENERGY + " failed: GPU is lost (NVML_ERROR_GPU_IS_LOST)");
            });
  }

  @Test
  void errorCodeNewerThanTheBindingsKeepsItsNumber() throws Exception {
    NvmlDevice device = gpu0();
    FAKE.fake_nvml_set_error("nvmlDeviceGetPowerUsage", 77);
    assertThatThrownBy(device::powerUsageMilliwatts)
        .isInstanceOfSatisfying(
            NvmlException.class,
            e -> {
              assertThat(e.result()).isEqualTo(NvmlReturn.UNRECOGNIZED);
              assertThat(e.code()).isEqualTo(77);
              assertThat(e.getMessage()).contains("Unknown Error").contains("nvmlReturn_t 77");
            });
  }

  @Test
  void powerUsageAndPowerLimitAreMilliwatts() throws Exception {
    FAKE.fake_nvml_set_power(0, 312_500, 1);
    FAKE.fake_nvml_set_power_limit(0, 700_000);
    NvmlDevice device = gpu0();
    assertThat(device.powerUsageMilliwatts()).hasValue(312_500);
    assertThat(device.powerManagementLimitMilliwatts()).hasValue(700_000);
  }

  @Test
  void powerUsageNotSupportedIsAMissingCapability() throws Exception {
    FAKE.fake_nvml_set_power(0, 0, 0);
    assertThat(gpu0().powerUsageMilliwatts()).isEmpty();
  }

  @Test
  void instantPowerIsReadFromItsFieldValue() throws Exception {
    FAKE.fake_nvml_set_instant_power(0, 456_789, 0);
    NvmlDevice device = gpu0();
    assertThat(device.instantPowerMilliwatts()).hasValue(456_789);
    assertThat(device.supportsInstantPower()).isTrue();
  }

  @Test
  void instantPowerFieldNotSupportedIsAMissingCapability() throws Exception {
    FAKE.fake_nvml_set_instant_power(0, 1, FakeNvml.NOT_SUPPORTED);
    NvmlDevice device = gpu0();
    assertThat(device.instantPowerMilliwatts()).isEmpty();
    assertThat(device.supportsInstantPower()).isFalse();
  }

  @Test
  void instantPowerFieldErrorBecomesATypedException() throws Exception {
    FAKE.fake_nvml_set_instant_power(0, 1, FakeNvml.GPU_IS_LOST);
    NvmlDevice device = gpu0();
    assertThatThrownBy(device::instantPowerMilliwatts)
        .isInstanceOfSatisfying(
            NvmlException.class, e -> assertThat(e.result()).isEqualTo(NvmlReturn.GPU_IS_LOST));
  }

  @Test
  void fieldValuesCarryTimestampTypeAndTheirOwnResult() throws Exception {
    FAKE.fake_nvml_set_instant_power(0, 123_000, 0);
    long beforeMicros = System.currentTimeMillis() * 1000 - 1_000_000;
    List<NvmlFieldValue> values = gpu0().fieldValues(NvmlField.POWER_INSTANT, 9_999);
    long afterMicros = System.currentTimeMillis() * 1000 + 1_000_000;

    NvmlFieldValue power = values.get(0);
    assertThat(power.fieldId()).isEqualTo(NvmlField.POWER_INSTANT);
    assertThat(power.succeeded()).isTrue();
    assertThat(power.valueType()).isEqualTo(NvmlValueType.UNSIGNED_INT);
    assertThat(power.asLong()).isEqualTo(123_000);
    assertThat(power.timestampMicros()).isBetween(beforeMicros, afterMicros);

    NvmlFieldValue unknown = values.get(1);
    assertThat(unknown.fieldId()).isEqualTo(9_999);
    assertThat(unknown.result()).isEqualTo(NvmlReturn.NOT_SUPPORTED);
  }

  @Test
  void fieldValuesCallFailureIsATypedException() throws Exception {
    NvmlDevice device = gpu0();
    FAKE.fake_nvml_set_error("nvmlDeviceGetFieldValues", FakeNvml.GPU_IS_LOST);
    assertThatThrownBy(() -> device.fieldValues(NvmlField.POWER_INSTANT))
        .isInstanceOf(NvmlException.class)
        .hasMessageContaining("GPU is lost");
  }

  @Test
  void utilizationRatesArePercentages() throws Exception {
    FAKE.fake_nvml_set_utilization(0, 87, 42);
    assertThat(gpu0().utilization()).contains(new GpuUtilization(87, 42));
  }

  @Test
  void computeProcessesListPidMemoryAndMigInstances() throws Exception {
    FAKE.fake_nvml_add_process(0, 4242, 2L << 30, -1, -1);
    FAKE.fake_nvml_add_process(0, 777, -1L, 1, 0); // memory not available, in MIG instance 1
    Optional<List<GpuProcess>> processes = gpu0().computeProcesses();
    assertThat(processes)
        .contains(
            List.of(
                new GpuProcess(4242, OptionalLong.of(2L << 30), -1, -1),
                new GpuProcess(777, OptionalLong.empty(), 1, 0)));
    assertThat(processes.orElseThrow().get(0).inMigInstance()).isFalse();
    assertThat(processes.orElseThrow().get(1).inMigInstance()).isTrue();
  }

  @Test
  void computeProcessesGrowTheBufferWhenMoreProcessesThanFirstGuessed() throws Exception {
    for (int pid = 1000; pid < 1040; pid++) {
      FAKE.fake_nvml_add_process(0, pid, 1 << 20, -1, -1);
    }
    List<GpuProcess> processes = gpu0().computeProcesses().orElseThrow();
    assertThat(processes).hasSize(40);
    assertThat(processes.get(39).pid()).isEqualTo(1039);
    assertThat(FAKE.fake_nvml_call_count("nvmlDeviceGetComputeRunningProcesses_v3")).isEqualTo(2);
  }

  @Test
  void computeProcessesOfAnIdleGpuAreAnEmptyList() throws Exception {
    assertThat(gpu0().computeProcesses()).contains(List.of());
  }

  @Test
  void computeProcessesNotSupportedIsAMissingCapability() throws Exception {
    FAKE.fake_nvml_set_error("nvmlDeviceGetComputeRunningProcesses_v3", FakeNvml.NOT_SUPPORTED);
    assertThat(gpu0().computeProcesses()).isEmpty();
  }

  @Test
  void sessionIsUsableFromSeveralThreadsAtOnce() throws Exception {
    FAKE.fake_nvml_set_energy(0, 0, 1, 0, 1);
    NvmlDevice device = gpu0();
    Thread[] readers = new Thread[4];
    for (int i = 0; i < readers.length; i++) {
      readers[i] =
          new Thread(
              () -> {
                for (int n = 0; n < 1000; n++) {
                  try {
                    device.totalEnergyConsumptionMillijoules();
                  } catch (NvmlException e) {
                    throw new AssertionError(e);
                  }
                }
              });
      readers[i].start();
    }
    for (Thread reader : readers) {
      reader.join();
    }
    // 4000 reads, each advancing the counter by 1 mJ: the next one sees all of them.
    assertThat(device.totalEnergyConsumptionMillijoules()).hasValue(4000);
  }
}
