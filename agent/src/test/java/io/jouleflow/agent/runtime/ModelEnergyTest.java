package io.jouleflow.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.agent.it.PrometheusScrape;
import io.jouleflow.agent.telemetry.AgentMetrics;
import io.jouleflow.agent.telemetry.ModelAttributes;
import io.jouleflow.meters.Device;
import io.jouleflow.meters.DeviceType;
import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.meters.MeterSource;
import io.jouleflow.predictor.attribution.LayerRef;
import io.jouleflow.predictor.attribution.LayerShares;
import io.jouleflow.predictor.trace.NodeRecord;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelEnergyTest {

  private static final LayerRef CONV = new LayerRef("conv2d", "Convolutional");
  private static final LayerRef DENSE = new LayerRef("dense", "Dense");

  private static EnergyMeter meter(String id, DeviceType type, MeterSource source) {
    return new EnergyMeter() {
      public Device device() { return new Device(id, type, id); }
      public MeterSource source() { return source; }
      public double resolutionJoules() { return 1e-6; }
      public long updateIntervalNanos() { return 1_000_000; }
      public double readJoules() { return 0; }
    };
  }

  private final PrometheusMetricReader reader = PrometheusMetricReader.create();
  private final AgentMetrics metrics = AgentMetrics.withReader(reader);

  private PrometheusScrape scrape() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, reader.collect());
    return PrometheusScrape.parse(out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void energySplitsByTheSharesOfTheMatchingDeviceAndSumsToTheWhole() throws Exception {
    ModelEnergy model = new ModelEnergy(new ModelAttributes("m", 500), metrics);
    // cpu:0: conv 40 %, dense 35 %, rest 25 %; gpu:0: conv 80 %, rest 20 %.
    LayerShares shares = LayerShares.of(List.of(
            new NodeRecord("conv2d/x", "Op", "cpu:0", 0, 40, List.of()),
            new NodeRecord("dense/x", "Op", "cpu:0", 40, 75, List.of()),
            new NodeRecord("conv2d/k", "Op", "gpu:0", 0, 80, List.of())),
        List.of(CONV, DENSE, CONV));
    model.updateShares(shares);
    model.addRun(100e-6); // runs of 100 us
    EnergyMeter rapl = meter("intel-rapl:0", DeviceType.CPU, MeterSource.RAPL);
    EnergyMeter gpu = meter("GPU-1", DeviceType.GPU, MeterSource.NVML);
    model.splitEnergy(rapl, "cpu", 10.0);
    model.splitEnergy(gpu, "gpu:0", 50.0);

    PrometheusScrape s = scrape();
    assertThat(joules(s, "conv2d", "intel-rapl:0")).isCloseTo(4.0, within(1e-9));
    assertThat(joules(s, "dense", "intel-rapl:0")).isCloseTo(3.5, within(1e-9));
    assertThat(joules(s, "_unattributed", "intel-rapl:0")).isCloseTo(2.5, within(1e-9));
    assertThat(joules(s, "conv2d", "GPU-1")).isCloseTo(40.0, within(1e-9));
    assertThat(joules(s, "_unattributed", "GPU-1")).isCloseTo(10.0, within(1e-9));
    assertThat(s.sum("jouleflow_layer_energy_joules_total"))
        .isCloseTo(s.sum("jouleflow_inference_energy_joules_total"), within(1e-9));
    assertThat(s.series("jouleflow_layer_energy_joules_total", x -> "GPU-1".equals(x.label("device"))))
        .allSatisfy(x -> assertThat(x.label("source")).isEqualTo("nvml"));
  }

  @Test
  void withoutSharesAllEnergyIsUnattributed() throws Exception {
    ModelEnergy model = new ModelEnergy(new ModelAttributes("m", 500), metrics);
    model.splitEnergy(meter("cpu", DeviceType.CPU, MeterSource.ESTIMATE), "cpu", 3.0);
    assertThat(joules(scrape(), "_unattributed", "cpu")).isCloseTo(3.0, within(1e-9));
  }

  @Test
  void runTimeIsSpreadOverLayersAndLayersBeyondTheLimitFold() throws Exception {
    ModelAttributes attributes = new ModelAttributes("m", 1);
    ModelEnergy model = new ModelEnergy(attributes, metrics);
    LayerRef first = attributes.bounded(CONV);
    LayerRef second = attributes.bounded(DENSE);
    assertThat(first).isEqualTo(CONV);
    assertThat(second).isEqualTo(LayerRef.OTHER);
    model.updateShares(LayerShares.of(List.of(
            new NodeRecord("conv2d/x", "Op", "cpu:0", 0, 50, List.of()),
            new NodeRecord("dense/x", "Op", "cpu:0", 50, 75, List.of())),
        List.of(first, second)));
    model.addRun(0.010);
    model.addRun(0.030); // mean 20 ms: conv's 50 us active time per run, dense's 25 us
    model.flushTime();
    PrometheusScrape s = scrape();
    assertThat(s.sum("jouleflow_layer_duration_seconds_total", x -> "conv2d".equals(x.label("layer"))))
        .isCloseTo(2 * 50e-6, within(1e-12));
    assertThat(s.sum("jouleflow_layer_duration_seconds_total", x -> "_other".equals(x.label("layer"))))
        .isCloseTo(2 * 25e-6, within(1e-12));
    assertThat(s.sum("jouleflow_layer_duration_seconds_total")).isCloseTo(0.040, within(1e-12));
    assertThat(s.sum("jouleflow_layer_samples_total", x -> "conv2d".equals(x.label("layer")))).isEqualTo(2);
  }

  private static double joules(PrometheusScrape s, String layer, String device) {
    return s.sum("jouleflow_layer_energy_joules_total",
        x -> layer.equals(x.label("layer")) && device.equals(x.label("device")));
  }
}
