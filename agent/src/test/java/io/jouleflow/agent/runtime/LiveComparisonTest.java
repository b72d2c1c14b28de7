package io.jouleflow.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.agent.feedback.LayerSampleRows;
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
import java.util.Map;
import org.junit.jupiter.api.Test;

class LiveComparisonTest {

  private static final LayerRef CONV = new LayerRef("conv2d", "Convolutional");
  private static final EnergyMeter RAPL = new EnergyMeter() {
    public Device device() { return new Device("intel-rapl:0", DeviceType.CPU, "rapl"); }
    public MeterSource source() { return MeterSource.RAPL; }
    public double resolutionJoules() { return 1e-6; }
    public long updateIntervalNanos() { return 1_000_000; }
    public double readJoules() { return 0; }
  };

  private final PrometheusMetricReader reader = PrometheusMetricReader.create();
  private final AgentMetrics metrics = AgentMetrics.withReader(reader);
  private final ModelAttributes attributes = new ModelAttributes("m", 500);
  private final ModelEnergy energy = new ModelEnergy(attributes, metrics);
  private final LiveComparison comparison = new LiveComparison();
  private final LayerSampleRows noHardware = new LayerSampleRows(null, "rapl");

  @Test
  void observedJoulesPerInferenceOfTheWindowStandNextToThePrediction() throws Exception {
    // conv2d is active 80 of 100 us: 80 % of each run's energy.
    energy.updateShares(LayerShares.of(
        List.of(new NodeRecord("conv2d/x", "Op", "cpu:0", 0, 80, List.of())), List.of(CONV)));
    comparison.predictions(Map.of("conv2d", 2.0));
    for (int i = 0; i < 4; i++) {
      energy.addRun(100e-6);
    }
    energy.splitEnergy(RAPL, "cpu", 10.0);

    assertThat(comparison.compare(energy, attributes, metrics, noHardware)).isEmpty();
    PrometheusScrape s = scrape();
    assertThat(s.sum("jouleflow_layer_energy_observed_joules")).isCloseTo(2.0, within(1e-9));
    assertThat(s.sum("jouleflow_layer_energy_predicted_joules")).isCloseTo(2.0, within(1e-9));
    assertThat(s.sum("jouleflow_prediction_error")).isCloseTo(0.0, within(1e-9));

    // The next window holds only what came after: 2 runs, 5 J, 4 J of them conv2d's.
    energy.addRun(100e-6);
    energy.addRun(100e-6);
    energy.splitEnergy(RAPL, "cpu", 5.0);
    comparison.compare(energy, attributes, metrics, noHardware);
    s = scrape();
    assertThat(s.sum("jouleflow_layer_energy_observed_joules")).isCloseTo(2.0, within(1e-9));
  }

  @Test
  void aWindowWithoutRunsComparesNothing() throws Exception {
    assertThat(comparison.compare(energy, attributes, metrics, noHardware)).isEmpty();
    assertThat(scrape().sum("jouleflow_layer_energy_observed_joules")).isZero();
  }

  @Test
  void aNewBatchDropsThePreviousBatchsPredictionEvenWhenItsOwnNeverArrives() throws Exception {
    energy.updateShares(LayerShares.of(
        List.of(new NodeRecord("conv2d/x", "Op", "cpu:0", 0, 80, List.of())), List.of(CONV)));
    comparison.newBatch(4);
    comparison.predictions(Map.of("conv2d", 2.0));
    comparison.newBatch(8); // predicting batch 8 failed: no layers, no predictions follow
    for (int i = 0; i < 4; i++) {
      energy.addRun(100e-6);
    }
    energy.splitEnergy(RAPL, "cpu", 10.0);

    assertThat(comparison.compare(energy, attributes, metrics, noHardware)).isEmpty();
    PrometheusScrape s = scrape();
    assertThat(s.sum("jouleflow_layer_energy_observed_joules")).isCloseTo(2.0, within(1e-9));
    assertThat(s.series("jouleflow_layer_energy_predicted_joules")).isEmpty();
    assertThat(s.series("jouleflow_prediction_error")).isEmpty();
  }

  @Test
  void theOverheadIsComparedWhereTheSetPredictsIt() throws Exception {
    // conv2d 80 of 100 us, the rest (20 %) is the model's overhead.
    energy.updateShares(LayerShares.of(
        List.of(new NodeRecord("conv2d/x", "Op", "cpu:0", 0, 80, List.of())), List.of(CONV)));
    comparison.predictions(Map.of("conv2d", 2.0));
    for (int i = 0; i < 4; i++) {
      energy.addRun(100e-6);
    }
    energy.splitEnergy(RAPL, "cpu", 10.0);
    comparison.compare(energy, attributes, metrics, noHardware);
    // a set that knows nothing of the overhead: no overhead series beside the prediction
    assertThat(scrape().series("jouleflow_layer_energy_observed_joules",
        x -> "_unattributed".equals(x.labels().get("layer")))).isEmpty();

    comparison.predictions(Map.of("conv2d", 2.0, "_unattributed", 1.0));
    for (int i = 0; i < 4; i++) {
      energy.addRun(100e-6);
    }
    energy.splitEnergy(RAPL, "cpu", 10.0);
    comparison.compare(energy, attributes, metrics, noHardware);
    PrometheusScrape s = scrape();
    // observed 0.5 J per inference, predicted 1.0: the Overhead type's error is -100 %
    assertThat(s.sum("jouleflow_prediction_error", x -> "Overhead".equals(x.labels().get("layer_type"))))
        .isCloseTo(-1.0, within(1e-9));
  }

  private PrometheusScrape scrape() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, reader.collect());
    return PrometheusScrape.parse(out.toString(StandardCharsets.UTF_8));
  }
}
