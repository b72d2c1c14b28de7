package io.jouleflow.meters;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.meters.estimate.EstimateMeterProvider;
import io.jouleflow.meters.rapl.FakePowercap;
import io.jouleflow.meters.rapl.RaplMeterProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeterSelectionTest {

  @TempDir Path tmp;

  private final List<String> log = new ArrayList<>();

  /** NVML is not on these machines; this provider fails the way NvmlMeterProvider does there. */
  private static final MeterProvider NO_NVML = new MeterProvider() {
    @Override
    public String name() {
      return "nvml";
    }

    @Override
    public List<EnergyMeter> open() throws MeterException {
      throw new MeterException("libnvidia-ml.so.1 not found (no NVIDIA driver)");
    }
  };

  private List<MeterProvider> providers(Path powercapRoot) {
    return List.of(
        NO_NVML,
        new RaplMeterProvider(powercapRoot),
        new EstimateMeterProvider(OptionalDouble.of(10), tmp.resolve("no-cpuinfo"), () -> 0L));
  }

  private Path raplTree() {
    return FakePowercap.twoSocketServer(tmp.resolve("sys")).root;
  }

  @Test
  void autoTakesRaplZonesAndSkipsTheEstimateWhenRaplIsPresent() {
    List<EnergyMeter> meters = MeterSelection.select("auto", providers(raplTree()), log::add);

    assertThat(meters).extracting(EnergyMeter::source).containsOnly(MeterSource.RAPL).hasSize(6);
    assertThat(log).containsExactly(
        "meters: nvml skipped: libnvidia-ml.so.1 not found (no NVIDIA driver)",
        "meters: rapl chosen: 6 devices: intel-rapl:0 package-0, intel-rapl:0:0 core,"
            + " intel-rapl:0:1 dram, intel-rapl:1 package-1, intel-rapl:1:0 dram, intel-rapl:2 psys",
        "meters: estimate skipped: measured meters are present (meters=auto); list it explicitly"
            + " to add it");
  }

  @Test
  void autoFallsBackToTheEstimateWithoutRapl() {
    List<EnergyMeter> meters =
        MeterSelection.select(null, providers(tmp.resolve("no-powercap")), log::add);

    assertThat(meters).singleElement()
        .satisfies(m -> assertThat(m.source()).isEqualTo(MeterSource.ESTIMATE));
    assertThat(log).hasSize(3);
    assertThat(log.get(0)).startsWith("meters: nvml skipped: ");
    assertThat(log.get(1)).startsWith("meters: rapl skipped: ")
        .contains("no-powercap does not exist");
    assertThat(log.get(2)).startsWith("meters: estimate chosen: estimate, not a measurement");
  }

  @Test
  void explicitListTakesExactlyTheNamedMeters() {
    List<EnergyMeter> meters =
        MeterSelection.select(" RAPL , estimate ", providers(raplTree()), log::add);

    assertThat(meters).extracting(EnergyMeter::source)
        .containsExactly(MeterSource.RAPL, MeterSource.RAPL, MeterSource.RAPL, MeterSource.RAPL,
            MeterSource.RAPL, MeterSource.RAPL, MeterSource.ESTIMATE);
    assertThat(log).hasSize(3);
    assertThat(log.get(0)).isEqualTo("meters: nvml skipped: not in meters=rapl , estimate");
    assertThat(log.get(1)).startsWith("meters: rapl chosen: 6 devices");
    assertThat(log.get(2)).startsWith("meters: estimate chosen: ");
  }

  @Test
  void explicitEstimateSkipsAvailableRapl() {
    List<EnergyMeter> meters = MeterSelection.select("estimate", providers(raplTree()), log::add);

    assertThat(meters).extracting(EnergyMeter::source).containsExactly(MeterSource.ESTIMATE);
    assertThat(log).containsSubsequence(
        "meters: nvml skipped: not in meters=estimate",
        "meters: rapl skipped: not in meters=estimate");
    assertThat(log).hasSize(3);
  }

  @Test
  void unknownNameIsNamedWithTheValidChoicesAndIgnored() {
    List<EnergyMeter> meters = MeterSelection.select("rapl,gpu", providers(raplTree()), log::add);

    assertThat(meters).hasSize(6);
    assertThat(log).hasSize(4);
    assertThat(log.get(0)).isEqualTo("meters: unknown meter 'gpu' ignored; valid choices: auto or"
        + " a comma list of nvml, rapl, estimate");
    assertThat(log).filteredOn(l -> l.contains("'gpu'")).hasSize(1);
    assertThat(log.get(3)).isEqualTo("meters: estimate skipped: not in meters=rapl,gpu");
  }

  @Test
  void requestedMeterWithoutAProviderSaysSo() {
    List<EnergyMeter> meters = MeterSelection.select("nvml",
        List.of(new RaplMeterProvider(raplTree())), log::add);

    assertThat(meters).isEmpty();
    assertThat(log).containsExactly(
        "meters: rapl skipped: not in meters=nvml",
        "meters: nvml skipped: not available in this build");
  }

  @Test
  void providerThatFindsNothingIsSkipped() {
    MeterProvider empty = new MeterProvider() {
      @Override
      public String name() {
        return "nvml";
      }

      @Override
      public List<EnergyMeter> open() {
        return List.of();
      }
    };

    MeterSelection.select("nvml", List.of(empty), log::add);

    assertThat(log).containsExactly("meters: nvml skipped: no devices found");
  }
}
