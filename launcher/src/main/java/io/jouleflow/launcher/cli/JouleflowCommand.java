package io.jouleflow.launcher.cli;

import io.jouleflow.predictor.store.SampleStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

/**
 * The launcher {@code jouleflow <verb>}: {@code java -jar launcher/target/jouleflow.jar}.
 *
 * <p>Exit codes (README.md, "The launcher"): 0 ok, 1 runtime failure, 2 bad usage or bad
 * input. Every failure is one line on stderr, {@code jouleflow: <reason>}; bad usage adds {@code
 * (see --help)}. Stack traces appear only with {@code --debug} or {@code JOULEFLOW_DEBUG=1}.
 */
@Command(
    name = "jouleflow",
    mixinStandardHelpOptions = true,
    versionProvider = JouleflowCommand.Version.class,
    description = "Per-layer energy of TensorFlow Java inference.",
    subcommands = {MetersCommand.class, MeasureCommand.class, CollectCommand.class,
        TrainCommand.class, PredictCommand.class, CalibrateCommand.class,
        EvaluateCommand.class, DemoCommand.class},
    usageHelpAutoWidth = true)
public final class JouleflowCommand implements Runnable {

  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_USAGE = 2;

  static final String DEBUG_OPTION = "--debug";
  static final String DEBUG_ENV = "JOULEFLOW_DEBUG";

  @Spec CommandSpec spec;

  @Option(
      names = DEBUG_OPTION,
      scope = ScopeType.INHERIT,
      description = "Print stack traces of failures (also: environment JOULEFLOW_DEBUG=1).")
  boolean debug;

  public static void main(String[] args) {
    System.exit(commandLine(System.getenv()).execute(args));
  }

  /**
   * The configured command line: one-line error handlers, exit codes 1 and 2. Tests call this and
   * capture {@link CommandLine#setOut} / {@link CommandLine#setErr}.
   *
   * @param env the environment, read for {@value #DEBUG_ENV} (and by {@code demo} for its ports)
   */
  public static CommandLine commandLine(Map<String, String> env) {
    boolean debugFromEnv = "1".equals(env.get(DEBUG_ENV));
    CommandLine cli = new CommandLine(new JouleflowCommand());
    cli.setParameterExceptionHandler(new UsageErrorHandler(debugFromEnv));
    cli.setExecutionExceptionHandler(new FailureHandler(debugFromEnv));
    ((DemoCommand) cli.getSubcommands().get("demo").getCommand()).env = env;
    return cli;
  }

  /** {@code jouleflow} without a verb is bad usage. */
  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "missing verb; one of: " + String.join(", ", verbs(spec.commandLine())));
  }

  private static List<String> verbs(CommandLine cli) {
    return cli.getSubcommands().keySet().stream().filter(v -> !v.equals("help")).toList();
  }

  /** Bad usage or bad input: {@code jouleflow: <reason> (see --help)}, exit 2. */
  private record UsageErrorHandler(boolean debugFromEnv) implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
      CommandLine cli = ex.getCommandLine();
      PrintWriter err = cli.getErr();
      err.println("jouleflow: " + reason(ex) + " (see --help)");
      if (debugFromEnv || List.of(args).contains(DEBUG_OPTION)) {
        ex.printStackTrace(err);
      }
      err.flush();
      return EXIT_USAGE;
    }

    private static String reason(ParameterException ex) {
      CommandLine cli = ex.getCommandLine();
      // The first unmatched word of a command with verbs is a mistyped verb; say so plainly.
      if (ex instanceof UnmatchedArgumentException unmatched
          && !unmatched.isUnknownOption()
          && !verbs(cli).isEmpty()
          && !unmatched.getUnmatched().isEmpty()) {
        return "unknown verb '" + unmatched.getUnmatched().get(0) + "'; one of: "
            + String.join(", ", verbs(cli));
      }
      return firstLine(ex.getMessage());
    }
  }

  /** A runtime failure: {@code jouleflow: <message>}, exit 1. */
  private record FailureHandler(boolean debugFromEnv) implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cli, ParseResult parsed) {
      PrintWriter err = cli.getErr();
      String message = ex.getMessage();
      // A failure the code foresaw says what happened; anything else also names its type.
      err.println("jouleflow: "
          + (ex instanceof CommandFailure || message == null ? "" : ex.getClass().getSimpleName() + ": ")
          + firstLine(message == null ? ex.getClass().getName() : message));
      if (debugFromEnv || debugRequested(parsed)) {
        ex.printStackTrace(err);
      }
      err.flush();
      return EXIT_FAILURE;
    }

    private static boolean debugRequested(ParseResult parsed) {
      for (ParseResult p = parsed; p != null; p = p.subcommand()) {
        if (p.hasMatchedOption(DEBUG_OPTION)) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * What a verb throws for a sample-store failure: bad usage (exit 2) where the user named
   * something unusable (a URL that is no JDBC URL, an export that is missing or malformed), a
   * runtime failure (exit 1) otherwise.
   */
  static RuntimeException storeFailure(SampleStoreException e, CommandSpec spec) {
    String reason = firstLine(e.getMessage());
    return e.badInput()
        ? new ParameterException(spec.commandLine(), reason, e)
        : new CommandFailure(reason, e);
  }

  static String firstLine(String s) {
    return s == null ? "" : s.strip().lines().findFirst().orElse("");
  }

  /** {@code --version}: the build's version (filtered into version.properties) and the JVM. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "jouleflow " + version(),
        "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor")
            + "), " + System.getProperty("os.name") + " " + System.getProperty("os.arch")
      };
    }

    static String version() {
      Properties p = new Properties();
      try (InputStream in = JouleflowCommand.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      } catch (IOException e) {
        // Fall through to "unknown": the version line is informational only.
      }
      return p.getProperty("version", "unknown");
    }
  }
}
