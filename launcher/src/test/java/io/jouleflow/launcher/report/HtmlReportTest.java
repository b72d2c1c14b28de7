package io.jouleflow.launcher.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.launcher.report.HtmlReport.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** {@link HtmlReport} on its own: markup, escaping, scale, missing values, labels. */
class HtmlReportTest {

  private static final double NaN = Double.NaN;

  @TempDir Path tmp;

  @Test
  void escapesLayerNamesTypesTitleAndFacts() {
    String name = "a<b&\"c'>";
    String html = HtmlReport.render("<script>t</script>", List.of("x < y & \"z\""), null,
        List.of(new Row(name, "T<&>", 1e-3, NaN)));
    assertThat(html)
        .contains("data-layer=\"a&lt;b&amp;&quot;c&#39;&gt;\"")
        .contains("<title>&lt;script&gt;t&lt;/script&gt;</title>")
        .contains("<li>x &lt; y &amp; &quot;z&quot;</li>")
        .contains(">T&lt;&amp;&gt;<")
        .doesNotContain("a<b", "<script>", "T<&>");
    assertThat(BarElements.parse(html)).singleElement()
        .satisfies(b -> assertThat(b.layer()).isEqualTo(name));
  }

  @Test
  void widthsAreProportionalOnOneScaleWhoseLargestBarIsFullWidth() {
    List<Row> rows = List.of(
        new Row("a", "Dense", 1.0, 2.0),
        new Row("b", "Dense", 0.5, 0.25),
        new Row("c", "Dense", 0.0, 0.0));
    List<BarElements> bars = BarElements.parse(HtmlReport.render("m", List.of(), "rapl", rows));
    assertThat(BarElements.of(bars, "predicted")).extracting(BarElements::widthPercent)
        .containsExactly(50.0, 25.0, 0.0);
    assertThat(BarElements.of(bars, "observed")).extracting(BarElements::widthPercent)
        .containsExactly(100.0, 12.5, 0.0);
    // proportional to full precision, not to a rounded mJ label
    List<BarElements> tiny = BarElements.parse(HtmlReport.render("m", List.of(), null,
        List.of(new Row("big", "Dense", 3e-3, NaN), new Row("small", "Dense", 1e-7, NaN))));
    assertThat(tiny.get(1).widthPercent()).isCloseTo(100 * 1e-7 / 3e-3, within(1e-4));
  }

  @Test
  void aZeroBarIsStillOnePixelWide() {
    String html = HtmlReport.render("m", List.of(), null, List.of(new Row("z", "Add", 0, NaN)));
    assertThat(BarElements.parse(html)).singleElement()
        .satisfies(b -> assertThat(b.widthPercent()).isZero());
    assertThat(html).containsPattern("\\.bar\\{[^}]*min-width:1px");
  }

  @Test
  void oneBarPerRowAndSeriesAndNoBarForAMissingValue() {
    List<Row> rows = List.of(
        new Row("l0", "Convolutional", 2e-3, 3e-3),
        new Row("l1", "Pooling", NaN, 1e-3),
        new Row("l2", "Dense", 1e-3, NaN),
        new Row("l3", "Add", NaN, NaN));
    String html = HtmlReport.render("m", List.of(), "nvml", rows);
    List<BarElements> bars = BarElements.parse(html);
    assertThat(BarElements.of(bars, "predicted")).extracting(BarElements::layer)
        .containsExactly("l0", "l2");
    assertThat(BarElements.of(bars, "observed")).extracting(BarElements::layer)
        .containsExactly("l0", "l1");
    assertThat(bars).noneMatch(b -> b.series().equals("?"));
    assertThat(BarElements.parse(HtmlReport.render("m", List.of("whole only"), "rapl", List.of())))
        .isEmpty();
    assertThat(html).contains("no prediction").contains("not measured")
        .contains("2.0000 mJ predicted").contains("3.0000 mJ measured")
        .contains("3.0000 mJ predicted (2 of 4 layers)").doesNotContain("NaN");

    // predictions only: no observed series at all
    String predicted = HtmlReport.render("m", List.of(), null, rows);
    assertThat(BarElements.of(BarElements.parse(predicted), "observed")).isEmpty();
    assertThat(body(predicted)).doesNotContain("measured", "estimate");
    // observations only: no predicted line
    String observed = HtmlReport.render("m", List.of(), "rapl",
        List.of(new Row("l0", "Dense", NaN, 1e-3)));
    assertThat(observed).doesNotContain("predicted\"", "no prediction");
  }

  @Test
  void energyFromTheEstimateMeterIsLabelledEstimateNotMeasured() {
    List<Row> rows = List.of(new Row("l0", "Dense", 1e-3, 2e-3));
    String estimated = HtmlReport.render("m", List.of(), "estimate", rows);
    assertThat(estimated).contains("<body class=\"estimated\">");
    assertThat(body(estimated)).contains("2.0000 mJ estimate").contains("not a measurement")
        .doesNotContain("measured");
    assertThat(HtmlReport.render("m", List.of(), "nvml+estimate", rows)).contains("mJ estimate");
    String measured = HtmlReport.render("m", List.of(), "nvml+rapl", rows);
    assertThat(body(measured)).contains("2.0000 mJ measured").contains("source nvml+rapl")
        .doesNotContain("estimate");
  }

  /** The page without its style sheet, whose class names would match any word. */
  private static String body(String html) {
    return html.substring(html.indexOf("<body"));
  }

  @Test
  void thePageIsSelfContained() {
    String html = HtmlReport.render("m", List.of("f"), "rapl",
        List.of(new Row("l0", "Dense", 1e-3, 2e-3)));
    assertThat(html).startsWith("<!DOCTYPE html>").contains("<meta charset=\"utf-8\">")
        .doesNotContain("http:", "https:", "//", "<script", "<link", "<img", "url(", "@import",
            "src=");
  }

  @Test
  void aMissingChromiumSkipsUnlessToolsAreRequired() throws Exception {
    Path debian = Path.of("/usr/bin/chromium");
    assertThat(HeadlessChromium.find(tmp.toString()))
        .isEqualTo(Files.isExecutable(debian) ? Optional.of(debian) : Optional.empty());
    Path fake = Files.createFile(tmp.resolve("chromium"));
    assertThat(fake.toFile().setExecutable(true)).isTrue();
    assertThat(HeadlessChromium.find(tmp.toString()))
        .hasValueSatisfying(p -> assertThat(p).isIn(fake, Path.of("/usr/bin/chromium")));

    assertThatThrownBy(() -> HeadlessChromium.require(Optional.empty(), Map.of()))
        .isInstanceOf(TestAbortedException.class).hasMessageContaining(HeadlessChromium.MISSING);
    assertThatThrownBy(() -> HeadlessChromium.require(Optional.empty(),
        Map.of("JOULEFLOW_REQUIRE_TOOLS", "1")))
        .isInstanceOf(AssertionFailedError.class).hasMessageContaining(HeadlessChromium.MISSING);
    assertThat(HeadlessChromium.require(Optional.of(fake), Map.of("JOULEFLOW_REQUIRE_TOOLS", "1")))
        .isEqualTo(fake);
  }
}
