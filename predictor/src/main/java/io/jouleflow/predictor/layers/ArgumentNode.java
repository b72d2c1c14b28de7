package io.jouleflow.predictor.layers;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An executor argument node of a traced run, named {@code _arg_<placeholder>_<output>_<index>}:
 * the value the run fed to output {@code output} of the static node {@code placeholder}. The one
 * place that reads these names.
 *
 * @param placeholder the static node fed
 * @param output its output index
 */
public record ArgumentNode(String placeholder, int output) {

  private static final String PREFIX = "_arg_";
  private static final Pattern NAME = Pattern.compile("_arg_(.+)_(\\d+)_\\d+");

  /** Whether a runtime node name is an argument node's. */
  public static boolean isArgument(String runtimeNodeName) {
    return runtimeNodeName.startsWith(PREFIX);
  }

  /** The argument a runtime node name stands for; null if it names none in the usual form. */
  public static ArgumentNode parse(String runtimeNodeName) {
    Matcher m = NAME.matcher(runtimeNodeName);
    return m.matches() ? new ArgumentNode(m.group(1), Integer.parseInt(m.group(2))) : null;
  }
}
