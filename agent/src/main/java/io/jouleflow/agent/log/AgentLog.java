package io.jouleflow.agent.log;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The agent's log: one line per event on the application's standard error, prefixed with
 * {@code [jouleflow]} so it is easy to find and to filter. It deliberately does not use
 * java.util.logging or any logging library, whose configuration belongs to the application.
 * Debug lines appear with {@code -Djouleflow.debug=true}. A message is always one line: control
 * characters (a newline in a model name, say) are escaped, so no value can split or forge a line.
 */
public final class AgentLog {

  private static final String PREFIX = "[jouleflow] ";
  private static volatile boolean debug = Boolean.getBoolean("jouleflow.debug");
  private static volatile PrintStream out = System.err;

  private AgentLog() {}

  public static void info(String message) {
    out.println(PREFIX + oneLine(message));
  }

  public static void warn(String message) {
    out.println(PREFIX + "WARN " + oneLine(message));
  }

  public static void debug(String message) {
    if (debug) {
      out.println(PREFIX + "debug " + oneLine(message));
    }
  }

  /** {@code message} with \n, \r, \t and other control or line-separator characters escaped. */
  static String oneLine(String message) {
    String m = String.valueOf(message);
    StringBuilder b = null;
    for (int i = 0; i < m.length(); i++) {
      char c = m.charAt(i);
      boolean control = Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
      if (control && b == null) {
        b = new StringBuilder(m.length() + 16).append(m, 0, i);
      }
      if (b == null) {
        continue;
      }
      if (!control) {
        b.append(c);
      } else if (c == '\n') {
        b.append("\\n");
      } else if (c == '\r') {
        b.append("\\r");
      } else if (c == '\t') {
        b.append("\\t");
      } else {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      }
    }
    return b == null ? m : b.toString();
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
