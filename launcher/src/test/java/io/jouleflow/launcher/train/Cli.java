package io.jouleflow.launcher.train;

import io.jouleflow.launcher.cli.JouleflowCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** One in-process run of {@code jouleflow}, as {@code main} would run it, with an empty environment. */
record Cli(int exitCode, String out, String err, double seconds) {

  static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    long t0 = System.nanoTime();
    CommandLine cli = JouleflowCommand.commandLine(Map.of());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Cli(code, out.toString(), err.toString(), (System.nanoTime() - t0) / 1e9);
  }

  List<String> outLines() {
    return out.lines().toList();
  }

  List<String> errLines() {
    return err.lines().toList();
  }

  /** The lines of a failure ({@code jouleflow: <reason>}). */
  List<String> failureLines() {
    return err.lines().filter(l -> l.startsWith("jouleflow:")).toList();
  }
}
