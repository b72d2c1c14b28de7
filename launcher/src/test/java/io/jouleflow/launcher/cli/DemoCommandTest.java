package io.jouleflow.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code jouleflow demo}'s options; the demo itself runs in the agent module's DemoIT. */
class DemoCommandTest {

  @TempDir Path tmp;

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--seconds|0|--seconds must be a whole number of seconds from 1 to 3600, not '0'",
      "--seconds|3601|--seconds must be a whole number of seconds from 1 to 3600, not '3601'",
      "--seconds|1.5|--seconds must be a whole number of seconds from 1 to 3600, not '1.5'",
      "--seconds|ten|--seconds must be a whole number of seconds from 1 to 3600, not 'ten'",
      "--port|0|--port must be a port number from 1 to 65535, not '0'",
      "--port|70000|--port must be a port number from 1 to 65535, not '70000'",
      "--metrics-port|x|--metrics-port must be a port number from 1 to 65535, not 'x'",
  })
  void badOptionsAreOneLineOfBadUsage(String option, String value, String reason) {
    CliRun run = CliRun.of("demo", option, value);

    assertThat(run.exitCode()).isEqualTo(JouleflowCommand.EXIT_USAGE);
    assertThat(run.errLines()).containsExactly("jouleflow: " + reason + " (see --help)");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void theTwoPortsMustDiffer() {
    CliRun run = CliRun.of("demo", "--port", "9000", "--metrics-port", "9000");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errLines()).containsExactly(
        "jouleflow: --port and --metrics-port must differ, both are 9000 (see --help)");
  }

  @Test
  void aMissingAgentJarIsBadInput() {
    CliRun run = CliRun.of("demo", "--agent", tmp.resolve("nope.jar").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errLines()).singleElement().asString()
        .startsWith("jouleflow: --agent: no such file: ").contains("nope.jar");
  }

  @Test
  void aWorkDirWithACommaIsRefusedBecauseTheAgentOptionsAreCommaSeparated() {
    CliRun run = CliRun.of("demo", "--work-dir", tmp.resolve("a,b").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errLines()).singleElement().asString().contains("must not contain a comma");
  }

  @Test
  void portsComeFromTheOptionsElseTheEnvironmentElseTheDefaults() {
    assertThat(settings(Map.of())).isEqualTo(new DemoCommand.Settings(30, 8080, 9464));
    assertThat(settings(Map.of("DEMO_PORT", "18080", "METRICS_PORT", "19464")))
        .isEqualTo(new DemoCommand.Settings(30, 18080, 19464));
    assertThat(settings(Map.of("DEMO_PORT", "18080", "METRICS_PORT", "19464"),
        "--port", "28080", "--metrics-port", "29464", "--seconds", "6"))
        .isEqualTo(new DemoCommand.Settings(6, 28080, 29464));
    assertThat(settings(Map.of("DEMO_PORT", " "))).isEqualTo(new DemoCommand.Settings(30, 8080, 9464));
  }

  @Test
  void aBadPortInTheEnvironmentIsBadUsageNamingTheVariable() {
    StringWriter err = new StringWriter();
    CommandLine cli = JouleflowCommand.commandLine(Map.of("METRICS_PORT", "metrics"));
    cli.setErr(new PrintWriter(err, true));
    cli.setOut(new PrintWriter(new StringWriter(), true));

    int code = cli.execute("demo");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString().lines()).containsExactly(
        "jouleflow: METRICS_PORT must be a port number from 1 to 65535, not 'metrics' (see --help)");
  }

  @Test
  void helpNamesEveryOption() {
    CliRun run = CliRun.of("demo", "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("--seconds=N", "--port=PORT", "--metrics-port=PORT",
        "--work-dir=DIR", "--agent=JAR", "--keep", "DEMO_PORT", "METRICS_PORT");
  }

  private static DemoCommand.Settings settings(Map<String, String> env, String... args) {
    CommandLine cli = JouleflowCommand.commandLine(env);
    String[] all = new String[args.length + 1];
    all[0] = "demo";
    System.arraycopy(args, 0, all, 1, args.length);
    cli.parseArgs(all);
    return ((DemoCommand) cli.getSubcommands().get("demo").getCommand()).settings();
  }
}
