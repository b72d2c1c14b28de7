package io.jouleflow.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetersCommandTest {

  @TempDir Path tmp;

  @Test
  void estimateIsListedAsAnEstimateWithAPositiveResolution() {
    CliRun run = CliRun.of("meters", "--meters", "estimate", "--seconds", "0.2");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("meters: estimate chosen: estimate, not a measurement")
        .contains("hardware profile: ")
        .contains("reading for 0.2 s...");
    List<String> cpu = tableRow(run, "cpu", 6);
    assertThat(cpu.get(1)).isEqualTo("cpu");
    assertThat(cpu.get(3)).isEqualTo("estimate (not a measurement)");
    assertThat(Double.parseDouble(cpu.get(4))).isPositive();
    assertThat(Double.parseDouble(cpu.get(5))).isPositive();
    List<String> reading = tableRow(run, "cpu", 4);
    assertThat(Double.parseDouble(reading.get(2))).isNotNegative();
    assertThat(Double.parseDouble(reading.get(3))).isNotNegative();
  }

  @Test
  void jsonIsOneObjectWithTheProfileAndEveryMeterField() {
    CliRun run =
        CliRun.of("meters", "--meters", "estimate", "--cpu-watts", "5", "--seconds", "0.2",
            "--format", "json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    String json = run.out().strip();
    assertThat(json).startsWith("{").endsWith("}");
    assertThat(string(json, "hardware_profile")).matches("[a-z0-9-]+-[0-9a-f]{8}");
    assertThat(string(json, "id")).isEqualTo("cpu");
    assertThat(string(json, "type")).isEqualTo("cpu");
    assertThat(string(json, "name")).contains("5.00 W per busy core");
    assertThat(string(json, "source")).isEqualTo("estimate");
    assertThat(json).contains("\"measured\": false");
    // 5 W per core times one 10 ms CPU-time tick.
    assertThat(number(json, "resolution_joules")).isCloseTo(0.05, within());
    assertThat(number(json, "update_interval_ms")).isCloseTo(10.0, within());
    assertThat(number(json, "joules")).isNotNegative();
    assertThat(number(json, "watts")).isNotNegative();
    // The selection lines and progress go to stderr, leaving stdout to the object.
    assertThat(run.err()).contains("meters: estimate chosen").contains("reading for 0.2 s...");
  }

  @Test
  void raplZoneOfAPowercapTreeIsListedAsMeasured() throws IOException {
    FakePowercap powercap =
        new FakePowercap(tmp).zone("intel-rapl:0", "package-0", 1_000_000, 262_143_328_850L);

    CliRun run =
        CliRun.of("meters", "--meters", "rapl", "--powercap-root", powercap.root.toString(),
            "--seconds", "0.2");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("meters: rapl chosen");
    List<String> zone = tableRow(run, "intel-rapl:0", 6);
    assertThat(zone.get(1)).isEqualTo("cpu");
    assertThat(zone.get(2)).contains("package-0");
    assertThat(zone.get(3)).isEqualTo("rapl");
    assertThat(Double.parseDouble(zone.get(4))).isEqualTo(1e-6);
    // The fake counter stands still: zero joules, zero watts.
    List<String> reading = tableRow(run, "intel-rapl:0", 4);
    assertThat(Double.parseDouble(reading.get(2))).isZero();
  }

  @Test
  void autoTakesRaplAndLeavesTheEstimateOutWhenAZoneOpens() throws IOException {
    FakePowercap powercap =
        new FakePowercap(tmp).zone("intel-rapl:0", "package-0", 1_000_000, 262_143_328_850L);

    CliRun run =
        CliRun.of("meters", "--powercap-root", powercap.root.toString(), "--seconds", "0.1");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("meters: nvml skipped: ")
        .contains("meters: rapl chosen")
        .contains("meters: estimate skipped: measured meters are present")
        .doesNotContain("not a measurement)");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "--cpu-watts -3",
        "--cpu-watts 0",
        "--cpu-watts NaN",
        "--format xml",
        "--seconds 0.05",
        "--seconds 61",
        "--meters foo",
        "--meters nvml,,rapl",
        "--nonsense",
        "surplus-argument"
      })
  void badInputExitsTwoWithExactlyOneLineOnStderr(String options) {
    String[] args = ("meters --meters estimate " + options).split(" ");

    CliRun run = CliRun.of(args);

    assertThat(run.exitCode()).isEqualTo(JouleflowCommand.EXIT_USAGE);
    assertThat(run.errLines())
        .singleElement()
        .asString()
        .startsWith("jouleflow: ")
        .endsWith(" (see --help)");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void badCpuWattsSaysWhatIsWrong() {
    CliRun run = CliRun.of("meters", "--cpu-watts", "-3");

    assertThat(run.errLines())
        .containsExactly(
            "jouleflow: --cpu-watts must be a positive number of watts per core, not -3"
                + " (see --help)");
  }

  @Test
  void absentNvmlExitsOneWithOneLineSayingWhy() {
    CliRun run = CliRun.of("meters", "--meters", "nvml", "--seconds", "0.1");

    assertThat(run.exitCode()).isEqualTo(JouleflowCommand.EXIT_FAILURE);
    assertThat(run.errLines())
        .singleElement()
        .asString()
        .startsWith("jouleflow: no energy meter opened (meters=nvml): nvml skipped: ")
        .doesNotContain("rapl")
        .doesNotContain("Exception");
    assertThat(run.out()).doesNotContain("reading for");
  }

  /** The table row whose first cell is {@code firstCell} and that has {@code cells} columns. */
  private static List<String> tableRow(CliRun run, String firstCell, int cells) {
    return run.outLines().stream()
        .map(line -> List.of(line.split(" {2,}")))
        .filter(row -> row.size() == cells && row.get(0).equals(firstCell))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + cells + "-column row for " + firstCell
            + " in:\n" + run.out()));
  }

  private static String string(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\": \"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
    assertThat(m.find()).as("string field %s in %s", key, json).isTrue();
    return m.group(1);
  }

  private static double number(String json, String key) {
    Matcher m =
        Pattern.compile("\"" + key + "\": (-?[0-9][0-9.]*(?:[eE][-+]?[0-9]+)?)").matcher(json);
    assertThat(m.find()).as("number field %s in %s", key, json).isTrue();
    return Double.parseDouble(m.group(1));
  }

  private static Offset<Double> within() {
    return Offset.offset(1e-9);
  }
}
