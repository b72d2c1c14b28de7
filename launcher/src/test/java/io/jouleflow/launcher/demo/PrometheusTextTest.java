package io.jouleflow.launcher.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jouleflow.launcher.demo.PrometheusText.Sample;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  @Test
  void readsCommentsLabelsValuesAndTimestamps() {
    PrometheusText scrape = PrometheusText.parse("""
        # HELP jouleflow_inference_runs_total Inference runs
        # TYPE jouleflow_inference_runs_total counter
        jouleflow_inference_runs_total{model="tiny_resnet"} 746.0

        jouleflow_layer_energy_joules_total{device="cpu",layer="conv2d",layer_type="Convolutional",model="tiny_resnet",source="estimate"} 1.25e-3 1700000000000
        jouleflow_samples_written_total 12
        up 1
        """);

    assertThat(scrape.samples()).hasSize(4);
    assertThat(scrape.series("jouleflow_inference_runs_total")).singleElement()
        .satisfies(s -> {
          assertThat(s.labels()).containsExactly(Map.entry("model", "tiny_resnet"));
          assertThat(s.value()).isEqualTo(746.0);
        });
    Sample energy = scrape.series("jouleflow_layer_energy_joules_total").get(0);
    assertThat(energy.labels()).containsOnlyKeys("device", "layer", "layer_type", "model", "source");
    assertThat(energy.label("layer")).isEqualTo("conv2d");
    assertThat(energy.value()).isEqualTo(1.25e-3);
    assertThat(scrape.series("jouleflow_samples_written_total").get(0).labels()).isEmpty();
  }

  @Test
  void labelValuesMayHoldEscapedQuotesBackslashesNewlinesCommasAndBraces() {
    PrometheusText scrape = PrometheusText.parse(
        "m{layer=\"a \\\"quoted\\\" name, with {braces}\",path=\"C:\\\\models\\\\x\",note=\"two\\nlines\"} 2\n");

    Sample s = scrape.samples().get(0);
    assertThat(s.label("layer")).isEqualTo("a \"quoted\" name, with {braces}");
    assertThat(s.label("path")).isEqualTo("C:\\models\\x");
    assertThat(s.label("note")).isEqualTo("two\nlines");
    assertThat(s.value()).isEqualTo(2);
  }

  @Test
  void specialValuesSpacesATrailingCommaAndCrLfAreAccepted() {
    PrometheusText scrape = PrometheusText.parse(
        "a NaN\r\nb{x=\"1\",} +Inf\r\nc { x = \"1\" , y=\"2\" }\t-Inf\r\nd:ratio{} 3\r\n");

    assertThat(scrape.series("a").get(0).value()).isNaN();
    assertThat(scrape.series("b").get(0).value()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(scrape.series("b").get(0).labels()).containsExactly(Map.entry("x", "1"));
    assertThat(scrape.series("c").get(0).labels()).containsOnly(Map.entry("x", "1"), Map.entry("y", "2"));
    assertThat(scrape.series("c").get(0).value()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(scrape.series("d:ratio").get(0).value()).isEqualTo(3);
  }

  @Test
  void sumsAndFiltersByLabel() {
    PrometheusText scrape = PrometheusText.parse("""
        e{model="a",device="cpu"} 1
        e{model="a",device="gpu"} 2
        e{model="b",device="cpu"} 4
        """);

    assertThat(scrape.sum("e", PrometheusText.labelled("model", "a"))).isEqualTo(3);
    assertThat(scrape.series("e", PrometheusText.labelled("device", "cpu"))).hasSize(2);
    assertThat(scrape.sum("missing", s -> true)).isZero();
  }

  @Test
  void malformedLinesAreErrorsNamingTheLine() {
    assertThatThrownBy(() -> PrometheusText.parse("ok 1\nm{layer=\"open} 1\n"))
        .isInstanceOf(PrometheusText.FormatException.class)
        .hasMessageStartingWith("line 2: unterminated label value");
    assertThatThrownBy(() -> PrometheusText.parse("m{a=\"1\"} one"))
        .hasMessageContaining("line 1: the value 'one' is not a number");
    assertThatThrownBy(() -> PrometheusText.parse("m{a=1} 2"))
        .hasMessageContaining("expected '\"'");
    assertThatThrownBy(() -> PrometheusText.parse("m{a=\"1\" b=\"2\"} 2"))
        .hasMessageContaining("expected ',' or '}'");
    assertThatThrownBy(() -> PrometheusText.parse("m{a=\"1\",a=\"2\"} 2"))
        .hasMessageContaining("label 'a' appears twice");
    assertThatThrownBy(() -> PrometheusText.parse("m 1 2 3"))
        .hasMessageContaining("unexpected text after the value");
    assertThatThrownBy(() -> PrometheusText.parse("m 1 later"))
        .hasMessageContaining("timestamp 'later' is not an integer");
    assertThatThrownBy(() -> PrometheusText.parse("m{a=\"1\"}2"))
        .hasMessageContaining("expected a space before the value");
    assertThatThrownBy(() -> PrometheusText.parse("{a=\"1\"} 2"))
        .hasMessageContaining("expected a metric name");
  }
}
