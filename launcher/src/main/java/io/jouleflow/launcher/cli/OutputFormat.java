package io.jouleflow.launcher.cli;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** What {@code --format} may name; each verb accepts some of them (see {@link #parse}). */
enum OutputFormat {
  TABLE,
  JSON,
  CSV,
  HTML;

  /**
   * The format {@code value} names, case and surrounding blanks ignored.
   *
   * @param allowed the formats this verb writes, in the order its help lists them
   * @throws ParameterException (exit 2, one line) naming the allowed formats otherwise
   */
  static OutputFormat parse(String value, List<OutputFormat> allowed, CommandSpec spec) {
    for (OutputFormat f : allowed) {
      if (f.name().equalsIgnoreCase(value.strip())) {
        return f;
      }
    }
    List<String> names = allowed.stream().map(f -> f.name().toLowerCase(Locale.ROOT)).toList();
    String list = names.size() == 1 ? names.get(0)
        : names.subList(0, names.size() - 1).stream().collect(Collectors.joining(", "))
            + " or " + names.get(names.size() - 1);
    throw new ParameterException(spec.commandLine(),
        "--format must be " + list + ", not '" + value + "'");
  }
}
