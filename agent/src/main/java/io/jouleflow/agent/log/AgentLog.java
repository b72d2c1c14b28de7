package io.jouleflow.agent.log;

import java.io.PrintStream;

/**
 * The agent's log: one line per event on the application's standard error, prefixed with
 * {@code [jouleflow]} so it is easy to find and to filter. It deliberately does not use
 * java.util.logging or any logging library, whose configuration belongs to the application.
 * Debug lines appear with {@code -Djouleflow.debug=true}.
 */
public final class AgentLog {

  private static final String PREFIX = "[jouleflow] ";
  private static volatile boolean debug = Boolean.getBoolean("jouleflow.debug");
  private static volatile PrintStream out = System.err;

  private AgentLog() {}

  public static void info(String message) {
    out.println(PREFIX + message);
  }

  public static void warn(String message) {
    out.println(PREFIX + "WARN " + message);
  }

  public static void debug(String message) {
    if (debug) {
      out.println(PREFIX + "debug " + message);
    }
  }

  public static boolean debugEnabled() {
    return debug;
  }

  /** Redirects the log (tests). */
  public static void redirect(PrintStream stream, boolean debugEnabled) {
    out = stream;
    debug = debugEnabled;
  }
}
