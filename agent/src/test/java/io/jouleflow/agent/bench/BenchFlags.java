package io.jouleflow.agent.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** {@code --name value} command-line flags of the benchmark's two mains, with defaults. */
final class BenchFlags {

  private final Map<String, String> values;

  private BenchFlags(Map<String, String> values) {
    this.values = values;
  }

  /**
   * @param defaults every accepted flag (without the leading dashes) and its default; a null
   *     default means the flag is optional and has none
   * @throws IllegalArgumentException on an unknown flag or a flag without a value
   */
  static BenchFlags parse(String[] args, Map<String, String> defaults) {
    Map<String, String> values = new LinkedHashMap<>(defaults);
    Set<String> known = defaults.keySet();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg.startsWith("--") ? arg.substring(2) : null;
      if (name == null || !known.contains(name)) {
        throw new IllegalArgumentException("unknown argument " + arg + "; accepted: --"
            + String.join(", --", new TreeSet<>(known)));
      }
      if (i + 1 == args.length) {
        throw new IllegalArgumentException(arg + " needs a value");
      }
      values.put(name, args[++i]);
    }
    return new BenchFlags(values);
  }

  /** The value, or null for an optional flag that was not given. */
  String get(String name) {
    return values.get(name);
  }

  int positiveInt(String name) {
    int v;
    try {
      v = Integer.parseInt(values.get(name));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a whole number, got " + values.get(name));
    }
    if (v < 1) {
      throw new IllegalArgumentException("--" + name + " must be at least 1, got " + v);
    }
    return v;
  }
}
