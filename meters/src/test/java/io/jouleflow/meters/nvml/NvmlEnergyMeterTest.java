package io.jouleflow.meters.nvml;

import static io.jouleflow.meters.nvml.FakeNvmlLibrary.FAKE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.meters.Device;
import io.jouleflow.meters.DeviceType;
import io.jouleflow.meters.MeterException;
import io.jouleflow.meters.MeterSource;
import io.jouleflow.nvml.Nvml;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NvmlEnergyMeterTest {

  private static final String UUID = "GPU-8f6a1c2e-0d9b-4e57-a3f1-1234567890ab";
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong clock = new AtomicLong(42 * SECOND);
  private NvmlEnergyMeter meter;

  @BeforeEach
  void resetFake() {
    FAKE.fake_nvml_reset();
    FAKE.fake_nvml_set_identity(0, "NVIDIA H100 80GB HBM3", UUID);
  }

  @AfterEach
  void closeMeter() {
    if (meter != null) {
      meter.close();
    }
  }

  private NvmlEnergyMeter openGpu0() throws Exception {
    Nvml session = Nvml.open();
    try {
      meter = NvmlEnergyMeter.open(session, 0, clock::get);
      return meter;
    } catch (MeterException e) {
      session.close();
      throw e;
    }
  }

  @Test
  void identifiesTheGpuByUuidAsAnNvmlMeasuredGpu() throws Exception {
    NvmlEnergyMeter meter = openGpu0();
    assertThat(meter.device()).isEqualTo(new Device(UUID, DeviceType.GPU, "NVIDIA H100 80GB HBM3"));
    assertThat(meter.source()).isEqualTo(MeterSource.NVML);
    assertThat(meter.resolutionJoules()).isEqualTo(1e-3);
    assertThat(meter.updateIntervalNanos()).isEqualTo(100_000_000L);
    assertThat(meter.method()).isEqualTo(NvmlEnergyMeter.Method.ENERGY_COUNTER);
    assertThat(meter.description()).isEqualTo("NVML energy counter of GPU 0 NVIDIA H100 80GB HBM3 (" + UUID + ")");
  }

  @Test
  void readsCounterJoulesRelativeToOpenTime() throws Exception {
    FAKE.fake_nvml_set_energy(0, 987_654_321, 2_500, 0, 1);
    NvmlEnergyMeter meter = openGpu0();
    // The counter advances 2.5 J per read; the meter's own reads at open time are its zero.
    double first = meter.readJoules();
    double second = meter.readJoules();
    assertThat(first).isGreaterThan(0).isLessThan(10);
    assertThat(second - first).isCloseTo(2.5, within(1e-9));
  }

  @Test
  void counterRestartAfterDriverReloadKeepsReadingsIncreasing() throws Exception {
    FAKE.fake_nvml_set_energy(0, 50_000, 0, 0, 1);
    NvmlEnergyMeter meter = openGpu0();
    FAKE.fake_nvml_set_energy(0, 60_000, 0, 0, 1);
    assertThat(meter.readJoules()).isCloseTo(10.0, within(1e-9));
    FAKE.fake_nvml_set_energy(0, 3_000, 0, 0, 1); // driver reloaded: counter starts again at 0
    assertThat(meter.readJoules()).isCloseTo(13.0, within(1e-9));
  }

  @Test
  void integratesInstantPowerWhenTheEnergyCounterIsNotSupported() throws Exception {
    FAKE.fake_nvml_set_energy(0, 0, 0, 0, 0);
    FAKE.fake_nvml_set_instant_power(0, 100_000, 0);
    FAKE.fake_nvml_set_power(0, 999_000, 1); // the averaged reading must not be used
    NvmlEnergyMeter meter = openGpu0();
    assertThat(meter.method()).isEqualTo(NvmlEnergyMeter.Method.INSTANT_POWER_INTEGRATION);
    assertThat(meter.description()).contains("instant power integrated").contains("energy counter not supported");
    assertThat(meter.updateIntervalNanos()).isEqualTo(100_000_000L);

    FAKE.fake_nvml_set_instant_power(0, 300_000, 0);
    clock.addAndGet(2 * SECOND);
    // Trapezoid: (100 W + 300 W) / 2 * 2 s
    assertThat(meter.readJoules()).isCloseTo(400.0, within(1e-9));
    clock.addAndGet(SECOND / 2);
    assertThat(meter.readJoules()).isCloseTo(550.0, within(1e-9));
  }

  @Test
  void fallsBackToAveragedPowerUsageWhenInstantPowerIsNotSupported() throws Exception {
    FAKE.fake_nvml_set_energy(0, 0, 0, 0, 0);
    FAKE.fake_nvml_set_instant_power(0, 0, FakeNvmlLibrary.NOT_SUPPORTED);
    FAKE.fake_nvml_set_power(0, 200_000, 1);
    NvmlEnergyMeter meter = openGpu0();
    assertThat(meter.method()).isEqualTo(NvmlEnergyMeter.Method.AVERAGE_POWER_INTEGRATION);
    assertThat(meter.description()).contains("1 s average power integrated");
    assertThat(meter.updateIntervalNanos()).isEqualTo(1_000_000_000L);
    clock.addAndGet(3 * SECOND);
    assertThat(meter.readJoules()).isCloseTo(600.0, within(1e-9));
  }

  @Test
  void gpuWithNeitherEnergyNorPowerCannotBeOpened() {
    FAKE.fake_nvml_set_energy(0, 0, 0, 0, 0);
    FAKE.fake_nvml_set_instant_power(0, 0, FakeNvmlLibrary.NOT_SUPPORTED);
    FAKE.fake_nvml_set_power(0, 0, 0);
    assertThatThrownBy(this::openGpu0)
        .isInstanceOf(MeterException.class)
        .hasMessage("NVML GPU 0 (NVIDIA H100 80GB HBM3, " + UUID + ") reports neither an energy counter nor power");
    assertThat(FAKE.fake_nvml_init_refcount()).isZero();
  }

  @Test
  void nvmlErrorDuringReadBecomesAMeterExceptionWithNvmlsText() throws Exception {
    NvmlEnergyMeter meter = openGpu0();
    FAKE.fake_nvml_set_error("nvmlDeviceGetTotalEnergyConsumption", FakeNvmlLibrary.GPU_IS_LOST);
    assertThatThrownBy(meter::readJoules)
        .isInstanceOf(MeterException.class)
        .hasMessage(
            "NVML read failed for " + UUID + " (NVIDIA H100 80GB HBM3): "
                + "nvmlDeviceGetTotalEnergyConsumption failed: GPU is lost (NVML_ERROR_GPU_IS_LOST)");
  }

  @Test
  void nvmlErrorWhileOpeningNamesTheGpu() {
    FAKE.fake_nvml_set_error("nvmlDeviceGetTotalEnergyConsumption", FakeNvmlLibrary.GPU_IS_LOST);
    assertThatThrownBy(this::openGpu0)
        .isInstanceOf(MeterException.class)
        .hasMessageStartingWith("NVML cannot read GPU 0 (" + UUID + "): ")
        .hasMessageContaining("GPU is lost");
  }

  @Test
  void closingTheMeterShutsDownItsNvmlSession() throws Exception {
    NvmlEnergyMeter meter = openGpu0();
    assertThat(FAKE.fake_nvml_init_refcount()).isEqualTo(1);
    meter.close();
    this.meter = null;
    assertThat(FAKE.fake_nvml_init_refcount()).isZero();
  }
}
