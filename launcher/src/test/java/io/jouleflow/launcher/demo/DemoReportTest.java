package io.jouleflow.launcher.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.launcher.demo.DemoReport.Prediction;
import io.jouleflow.launcher.demo.DemoReport.Row;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoReportTest {

  /** Two layers, _unattributed, another model's series, and one predicted-only gauge missing. */
  private static final String SCRAPE = """
      # TYPE jouleflow_inference_runs_total counter
      jouleflow_inference_runs_total{model="tiny_resnet"} 100
      jouleflow_inference_runs_total{model="other"} 7
      jouleflow_inference_duration_seconds_sum{model="tiny_resnet"} 0.2
      jouleflow_inference_energy_joules_total{device="cpu",model="tiny_resnet",source="estimate"} 1.0
      jouleflow_layer_duration_seconds_total{device="cpu:0",layer="conv2d",layer_type="Convolutional",model="tiny_resnet"} 0.08
      jouleflow_layer_duration_seconds_total{device="cpu:0",layer="dense",layer_type="Dense",model="tiny_resnet"} 0.02
      jouleflow_layer_duration_seconds_total{device="cpu:0",layer="_unattributed",layer_type="Overhead",model="tiny_resnet"} 0.1
      jouleflow_layer_duration_seconds_total{device="cpu:0",layer="conv2d",layer_type="Convolutional",model="other"} 9
      jouleflow_layer_energy_joules_total{device="cpu",layer="conv2d",layer_type="Convolutional",model="tiny_resnet",source="estimate"} 0.3
      jouleflow_layer_energy_joules_total{device="cpu",layer="dense",layer_type="Dense",model="tiny_resnet",source="estimate"} 0.1
      jouleflow_layer_energy_joules_total{device="cpu",layer="_unattributed",layer_type="Overhead",model="tiny_resnet",source="estimate"} 0.6
      jouleflow_layer_samples_total{layer="conv2d",layer_type="Convolutional",model="tiny_resnet"} 100
      jouleflow_layer_samples_total{layer="dense",layer_type="Dense",model="tiny_resnet"} 100
      jouleflow_layer_samples_total{layer="_unattributed",layer_type="Overhead",model="tiny_resnet"} 100
      jouleflow_layer_energy_observed_joules{layer="conv2d",layer_type="Convolutional",model="tiny_resnet"} 0.0031
      jouleflow_layer_energy_predicted_joules{layer="conv2d",layer_type="Convolutional",model="tiny_resnet"} 0.005
      """;

  private static final String CSV = """
      name,type,flops,joules,share,fallback
      input,InputLayer,0,0.0005,0.05,true
      conv2d,Convolutional,1000,0.005,0.5,false
      "odd, name",Other,,0.0005,0.05,false
      dense,Dense,10,0.004,0.4,false
      _total,Model,1010,0.01,1,
      """;

  @Test
  void rowsArePerInferenceSortedByObservedEnergyWithTheUnattributedRowAndTheGaugePrediction() {
    DemoReport report = DemoReport.of(PrometheusText.parse(SCRAPE), "tiny_resnet");

    assertThat(report.runs()).isEqualTo(100);
    assertThat(report.source()).isEqualTo("estimate");
    assertThat(report.rows()).extracting(Row::layer).containsExactly("_unattributed", "conv2d", "dense");
    Row conv = report.rows().get(1);
    assertThat(conv.type()).isEqualTo("Convolutional");
    assertThat(conv.seconds()).isCloseTo(0.0008, within(1e-12));
    assertThat(conv.joules()).isCloseTo(0.003, within(1e-12));
    assertThat(conv.predicted()).isEqualTo(0.005);
    assertThat(report.rows().get(0).predicted()).isNull();
    assertThat(report.rows().get(2).predicted()).isNull();
    assertThat(DemoReport.hasComparison(PrometheusText.parse(SCRAPE), "tiny_resnet")).isTrue();
    assertThat(DemoReport.hasComparison(PrometheusText.parse(SCRAPE), "other")).isFalse();
  }

  @Test
  void printsTheHeadlineWithTheEstimateCaveatTheTableATotalAndThePredictedOnlyLayers() {
    DemoReport report = DemoReport.of(PrometheusText.parse(SCRAPE), "tiny_resnet");
    StringWriter text = new StringWriter();

    report.print(new PrintWriter(text), Prediction.parseCsv(CSV));

    List<String> lines = text.toString().lines().toList();
    assertThat(lines.get(0)).isEqualTo("inferences: 100, mean latency 2.00 ms, energy 10.000 mJ per"
        + " inference (source: estimate, an estimate, not a measurement)");
    assertThat(lines.get(1).split("\\s+")).containsExactly("LAYER", "TYPE", "ms/INFERENCE",
        "OBSERVED", "mJ/INF", "SHARE", "PREDICTED", "mJ/INF");
    assertThat(lines.get(2).split("\\s+"))
        .containsExactly("_unattributed", "Overhead", "1.000", "6.000", "60.0", "%", "-");
    assertThat(lines.get(3).split("\\s+"))
        .containsExactly("conv2d", "Convolutional", "0.800", "3.000", "30.0", "%", "5.000");
    assertThat(lines.get(4).split("\\s+"))
        .containsExactly("dense", "Dense", "0.200", "1.000", "10.0", "%", "-");
    assertThat(lines.get(5).split("\\s+"))
        .containsExactly("total", "2.000", "10.000", "100.0", "%", "10.000");
    assertThat(lines.get(6)).isEqualTo(
        "predicted, but no op of their own ran (mJ/inference): input 0.500, odd, name 0.500;");
    // The columns line up: every value ends where its header ends.
    int end = lines.get(1).indexOf("PREDICTED mJ/INF") + "PREDICTED mJ/INF".length();
    assertThat(lines.subList(2, 6)).allSatisfy(l -> assertThat(l).hasSize(end));
  }

  @Test
  void aMeasuredSourceHasNoCaveatAndWithoutThePredictionTheTotalSumsTheGauges() {
    String nvml = SCRAPE.replace("source=\"estimate\"", "source=\"nvml\"");
    StringWriter text = new StringWriter();

    DemoReport.of(PrometheusText.parse(nvml), "tiny_resnet").print(new PrintWriter(text), null);

    assertThat(text.toString()).contains("(source: nvml)").doesNotContain("estimate")
        .doesNotContain("no op of their own");
    assertThat(text.toString().lines().filter(l -> l.startsWith("total")).findFirst().orElseThrow())
        .endsWith(" 5.000");
  }

  @Test
  void thePredictCsvIsReadWithQuotedNamesAndItsTotal() {
    Prediction p = Prediction.parseCsv(CSV);

    assertThat(p.layers()).containsKeys("input", "conv2d", "odd, name", "dense").hasSize(4);
    assertThat(p.layers().get("conv2d")).isEqualTo(0.005);
    assertThat(p.total()).isEqualTo(0.01);
    assertThatThrownBy(() -> Prediction.parseCsv("model tiny_resnet, batch 4"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void pageRowsFollowTheModelsOrderThenWhatOnlyTheAgentSaw() {
    DemoReport report = DemoReport.of(PrometheusText.parse(SCRAPE), "tiny_resnet");

    var rows = report.htmlRows(Prediction.parseCsv(CSV));

    assertThat(rows).extracting(r -> r.layer())
        .containsExactly("input", "conv2d", "odd, name", "dense", "_unattributed");
    var conv = rows.get(1);
    assertThat(conv.observedJoules()).isCloseTo(0.003, within(1e-12));
    assertThat(conv.predictedJoules()).isEqualTo(0.005); // the agent's gauge
    assertThat(rows.get(3).predictedJoules()).isEqualTo(0.004); // no gauge: the launcher's CSV
    assertThat(rows.get(0).observedJoules()).isNaN(); // predicted, never seen running
    assertThat(rows.get(0).type()).isEqualTo("InputLayer");
    assertThat(rows.get(4).predictedJoules()).isNaN(); // _unattributed is not predicted
    assertThat(rows.get(4).observedJoules()).isCloseTo(0.006, within(1e-12));
  }
}
