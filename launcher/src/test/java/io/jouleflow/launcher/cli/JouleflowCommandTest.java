package io.jouleflow.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JouleflowCommandTest {

  /** What an unknown verb prints: every verb of the launcher, in order. */
  static final String UNKNOWN_VERB =
      "jouleflow: unknown verb 'bogus'; one of: meters, measure, collect, train, predict, calibrate, evaluate, demo (see --help)";

  @Test
  void unknownVerbExitsTwoWithOneLineNamingTheVerbs() {
    CliRun run = CliRun.of("bogus");

    assertThat(run.exitCode()).isEqualTo(JouleflowCommand.EXIT_USAGE);
    assertThat(run.errLines())
        .containsExactly(UNKNOWN_VERB);
    assertThat(run.out()).isEmpty();
  }

  @Test
  void noVerbIsBadUsage() {
    CliRun run = CliRun.of();

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errLines()).singleElement().asString().startsWith("jouleflow: missing verb");
  }

  @Test
  void unknownOptionIsOneLineOfBadUsage() {
    CliRun run = CliRun.of("--frobnicate");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errLines())
        .singleElement()
        .asString()
        .startsWith("jouleflow: ")
        .contains("--frobnicate")
        .endsWith(" (see --help)");
  }

  @Test
  void versionPrintsTheBuildVersionAndExitsZero() {
    CliRun run = CliRun.of("--version");

    assertThat(run.exitCode()).isZero();
    assertThat(run.outLines().get(0)).matches("jouleflow \\d+\\.\\d+\\.\\d+.*");
  }

  @Test
  void helpListsTheMetersVerbAndExitsZero() {
    CliRun run = CliRun.of("--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("Usage: jouleflow").contains("meters");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void debugFromTheEnvironmentAddsTheStackTraceToABadUsageLine() {
    StringWriter err = new StringWriter();
    var cli = JouleflowCommand.commandLine(Map.of(JouleflowCommand.DEBUG_ENV, "1"));
    cli.setErr(new PrintWriter(err, true));

    int code = cli.execute("bogus");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString().lines().findFirst()).hasValue(
        UNKNOWN_VERB);
    assertThat(err.toString()).contains("UnmatchedArgumentException").contains("\tat ");
  }

  @Test
  void everyVerbsHelpIsCleanAndItsSummaryAWholeSentence() {
    // The verb list shows each description's first element: a cut sentence there reads as a bug.
    var commands = new picocli.CommandLine(new JouleflowCommand()).getSubcommands();
    assertThat(commands).isNotEmpty();
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      for (var e : commands.entrySet()) {
        String[] description = e.getValue().getCommandSpec().usageMessage().description();
        assertThat(description).as(e.getKey()).isNotEmpty();
        assertThat(description[0]).as(e.getKey() + " summary").endsWith(".");
        CliRun run = CliRun.of(e.getKey(), "--help");
        assertThat(run.exitCode()).as(e.getKey()).isZero();
        assertThat(run.out()).as(e.getKey()).contains("Usage: jouleflow " + e.getKey());
      }
    } finally {
      System.setErr(stderr);
    }
    // picocli reports a bad format string (an unescaped %) on System.err as a WARN.
    assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("picocli");
  }
}
