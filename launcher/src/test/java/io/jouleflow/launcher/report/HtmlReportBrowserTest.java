package io.jouleflow.launcher.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jouleflow.launcher.cli.JouleflowCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict --format html} and {@code measure --format html} as a browser sees them: the real
 * commands in process, their pages loaded by headless Chromium, the bars read from its DOM.
 */
class HtmlReportBrowserTest {

  private static final Path MNIST = Path.of("../predictor/src/test/resources/keras/mnist_sequential_keras22.json");

  @TempDir Path tmp;

  @Test
  void predictPageHasOnePredictedBarPerLayerInModelOrder() throws Exception {
    HeadlessChromium chromium = HeadlessChromium.require();
    // a layer name a browser would misparse unless escaped
    Path model = tmp.resolve("odd-names.json");
    Files.writeString(model, Files.readString(MNIST).replace("conv2d_1", "conv<2d>&\\\"1"));
    List<String> layers = new ArrayList<>();
    for (JsonNode l : json(run("predict", model.toString(), "--batch", "2", "--format", "json"))
        .get("layers")) {
      layers.add(l.get("name").asText());
    }
    // 7 layers, the input (0 J: feeding it is the overhead row's) and the overhead row, last
    assertThat(layers).contains("conv<2d>&\"1").hasSize(9).endsWith("_unattributed");

    Path page = tmp.resolve("predict.html");
    Files.writeString(page, run("predict", model.toString(), "--batch", "2", "--format", "html"));
    List<BarElements> bars = BarElements.parse(chromium.dumpDom(page, tmp));

    List<BarElements> predicted = BarElements.of(bars, "predicted");
    assertThat(predicted).extracting(BarElements::layer).containsExactlyElementsOf(layers);
    assertThat(predicted.subList(1, predicted.size()))
        .allSatisfy(b -> assertThat(b.widthPercent()).isPositive());
    assertThat(predicted.get(0).widthPercent()).isZero(); // the input
    assertThat(predicted).extracting(BarElements::widthPercent).contains(100.0);
    assertThat(bars).hasSameSizeAs(predicted);
  }

  @Test
  void measurePageHasOneObservedBarPerMeasuredLayerLabelledEstimate() throws Exception {
    HeadlessChromium chromium = HeadlessChromium.require();
    List<String> layers = new ArrayList<>();
    for (JsonNode l : json(run("predict", MNIST.toString(), "--format", "json")).get("layers")) {
      // layers alone: real layers only (no input, no overhead row)
      if (!l.get("type").asText().equals("InputLayer") && !l.get("type").asText().equals("Overhead")) {
        layers.add(l.get("name").asText());
      }
    }
    Path page = tmp.resolve("measure.html");
    Files.writeString(page, run("measure", MNIST.toString(), "--protocol", "isolated", "--format", "html", "--meters",
        "estimate", "--min-seconds", "0.05", "--min-runs", "2", "--warmup", "1"));
    String dom = chromium.dumpDom(page, tmp);
    List<BarElements> bars = BarElements.parse(dom);

    List<BarElements> observed = BarElements.of(bars, "observed");
    assertThat(observed).extracting(BarElements::layer).containsExactlyElementsOf(layers);
    assertThat(observed).allSatisfy(b -> assertThat(b.widthPercent()).isPositive());
    // the bundled set predicts every measured layer, by predict's code path
    assertThat(BarElements.of(bars, "predicted")).extracting(BarElements::layer)
        .containsExactlyElementsOf(layers);
    assertThat(dom.split("mJ estimate", -1)).hasSize(layers.size() + 2); // rows and their sum
    assertThat(dom).contains("not a measurement").doesNotContain("mJ measured");
  }

  /** stdout of one in-process run, as {@code main} would run it; exit 0 required. */
  private static String run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = JouleflowCommand.commandLine(Map.of());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    assertThat(cli.execute(args)).as(String.join(" ", args) + "\n" + err).isZero();
    return out.toString();
  }

  private static JsonNode json(String text) throws Exception {
    return new ObjectMapper().readTree(text);
  }
}
