package io.jouleflow.agent.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The agent's configuration, resolved once at start-up. Bad input never stops the agent or the
 * application: an unknown key or a bad value produces one warning (kept in {@link #warnings()})
 * naming it and what is valid, and the default is used.
 */
public final class AgentOptions {

  /** The most {@code cpu.watts} may be: far above any CPU core's active power. */
  static final double MAX_WATTS_PER_CORE = 10_000;

  private final Map<AgentOption, String> values;
  private final List<String> warnings;

  private AgentOptions(Map<AgentOption, String> values, List<String> warnings) {
    this.values = values;
    this.warnings = warnings;
  }

  /**
   * Resolves options from the agent argument string ({@code k=v,k=v}), then system properties,
   * then environment variables; the first source that has a key wins.
   */
  public static AgentOptions resolve(
      String agentArgs, Function<String, String> systemProperties, Function<String, String> env) {
    List<String> warnings = new ArrayList<>();
    Map<AgentOption, String> raw = new EnumMap<>(AgentOption.class);
    parseArgs(agentArgs, raw, warnings);
    for (AgentOption option : AgentOption.values()) {
      if (!raw.containsKey(option)) {
        String v = systemProperties.apply(option.systemPropertyName());
        if (v == null) {
          v = env.apply(option.environmentName());
        }
        if (v != null) {
          raw.put(option, v.trim());
        }
      }
    }
    Map<AgentOption, String> values = new EnumMap<>(AgentOption.class);
    for (AgentOption option : AgentOption.values()) {
      String v = raw.get(option);
      if (v == null) {
        if (option.defaultValue() != null) {
          values.put(option, option.defaultValue());
        }
        continue;
      }
      String problem = validate(option, v);
      if (problem != null && option == AgentOption.PROMETHEUS_PORT) {
        // Never another port than the one asked for: it may be someone else's.
        warnings.add("option " + option.key() + "=" + v + " is invalid (" + problem
            + "); the Prometheus endpoint is off");
        values.put(option, "0");
        continue;
      }
      if (problem != null) {
        warnings.add(
            "option "
                + option.key()
                + "="
                + v
                + " is invalid ("
                + problem
                + "); using "
                + (option.defaultValue() == null ? "the default" : option.defaultValue()));
        if (option.defaultValue() != null) {
          values.put(option, option.defaultValue());
        }
        continue;
      }
      values.put(option, v);
    }
    return new AgentOptions(values, Collections.unmodifiableList(warnings));
  }

  /** Options from the real system properties and environment. */
  public static AgentOptions fromEnvironment(String agentArgs) {
    return resolve(agentArgs, System::getProperty, System::getenv);
  }

  private static void parseArgs(String args, Map<AgentOption, String> out, List<String> warnings) {
    if (args == null || args.isBlank()) {
      return;
    }
    AgentOption previous = null;
    for (String part : args.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      if (eq < 0 && previous == AgentOption.METERS) {
        // meters=nvml,rapl: a list value continues across the argument separator
        out.put(previous, out.get(previous) + "," + p);
        continue;
      }
      if (eq <= 0) {
        warnings.add(
            "agent argument '" + p + "' is not key=value; ignored (valid keys: "
                + AgentOption.validKeys() + ")");
        continue;
      }
      String key = p.substring(0, eq).trim();
      String value = p.substring(eq + 1).trim();
      var option = AgentOption.byKey(key);
      if (option.isEmpty()) {
        warnings.add(
            "unknown agent option '" + key + "'; ignored (valid keys: "
                + AgentOption.validKeys() + ")");
        continue;
      }
      out.put(option.get(), value);
      previous = option.get();
    }
  }

  /** A one-phrase reason when {@code value} is invalid for {@code option}, else null. */
  static String validate(AgentOption option, String value) {
    switch (option) {
      case PROMETHEUS_PORT:
        return intInRange(value, 0, 65535);
      case TRACE_EVERY:
        return value.equals("auto") ? null
            : intInRange(value, 0, Integer.MAX_VALUE) == null ? null
            : "must be auto or an integer from 0 to " + Integer.MAX_VALUE;
      case TRACE_INTERVAL:
        return positiveAtMost(value, 3600);
      case LAYERS_MAX:
        return intInRange(value, 1, 100_000);
      case OTLP_INTERVAL:
        return intInRange(value, 1, 3600);
      case OTLP_ENDPOINT:
        return value.startsWith("http://") || value.startsWith("https://")
            ? null : "must be an http:// or https:// URL, e.g. http://collector:4318/v1/metrics";
      case QUEUE_CAPACITY:
        return intInRange(value, 16, 1 << 24);
      case CPU_WATTS:
        // Watts per busy core: 1e308 or Infinity would export hw_power_watts +Inf.
        return positiveAtMost(value, MAX_WATTS_PER_CORE);
      case CARBON_INTENSITY:
        return positiveAtMost(value, Double.MAX_VALUE);
      case METERS:
        for (String m : value.split("[,;+ ]")) {
          if (!m.isEmpty() && !List.of("auto", "nvml", "rapl", "estimate").contains(m)) {
            return "valid: auto, or a list of nvml, rapl, estimate";
          }
        }
        return null;
      case PROMETHEUS_HOST:
      case MODEL_NAME:
        return value.isBlank() ? "must not be empty" : null;
      default:
        return null;
    }
  }

  private static String positiveAtMost(String value, double max) {
    String problem = max == Double.MAX_VALUE
        ? "must be a positive number" : "must be a positive number up to " + (long) max;
    try {
      double d = Double.parseDouble(value);
      return d > 0 && d <= max ? null : problem; // NaN and Infinity fail too
    } catch (NumberFormatException e) {
      return problem;
    }
  }

  private static String intInRange(String value, int min, int max) {
    try {
      long v = Long.parseLong(value);
      return v >= min && v <= max ? null : "must be an integer from " + min + " to " + max;
    } catch (NumberFormatException e) {
      return "must be an integer from " + min + " to " + max;
    }
  }

  public String get(AgentOption option) {
    return values.get(option);
  }

  public int getInt(AgentOption option) {
    return Integer.parseInt(values.get(option));
  }

  /** Warnings about the input (unknown keys, bad values), one line each. */
  public List<String> warnings() {
    return warnings;
  }
}
