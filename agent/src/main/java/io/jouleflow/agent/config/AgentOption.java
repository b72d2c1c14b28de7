package io.jouleflow.agent.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Every agent option key (README, "Options" of "The agent"). Each key is read from the agent
 * argument string, the system property {@code jouleflow.<key>} and the environment variable
 * {@code JOULEFLOW_<KEY>} (dots become underscores, upper case), in that order of precedence.
 */
public enum AgentOption {
  PROMETHEUS_HOST("prometheus.host", "127.0.0.1", "bind address of the /metrics endpoint"),
  PROMETHEUS_PORT("prometheus.port", "9464", "port of the /metrics endpoint; 0 disables it"),
  OTLP_ENDPOINT("otlp.endpoint", null, "OTLP/HTTP metrics endpoint; unset = no OTLP export"),
  OTLP_INTERVAL("otlp.interval", "10", "seconds between OTLP exports"),
  TRACE_EVERY("trace.every", "auto",
      "auto (each session and batch size at its first runs, then every trace.interval seconds,"
          + " within 0.5 % of run time), or N: trace 1 Session run in N; 0 = never"),
  TRACE_INTERVAL("trace.interval", "1",
      "with trace.every=auto: seconds between traced runs of one session and batch size"),
  METERS("meters", "auto", "auto, or a list of nvml, rapl, estimate"),
  CPU_WATTS("cpu.watts", null, "active watts per core for the estimate meter"),
  RAPL_ROOT("rapl.root", "/sys/class/powercap", "powercap directory holding the intel-rapl zones"),
  MODEL_NAME("model.name", null, "the model label for every session of this JVM"),
  MODELS("models", null, "model-set directory used for predictions (default: the bundled set)"),
  SAMPLES("samples", "jdbc:sqlite:~/.jouleflow/samples.db", "sample store; none disables"),
  CARBON_INTENSITY("carbon.intensity", null, "grams CO2e per kWh for the emissions metric"),
  LAYERS_MAX("layers.max", "500", "layer series per model; the rest fold into _other"),
  QUEUE_CAPACITY("queue.capacity", "8192", "run events buffered for the worker thread");

  private final String key;
  private final String defaultValue;
  private final String meaning;

  AgentOption(String key, String defaultValue, String meaning) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.meaning = meaning;
  }

  public String key() {
    return key;
  }

  /** The default, or null when the option is unset by default. */
  public String defaultValue() {
    return defaultValue;
  }

  public String meaning() {
    return meaning;
  }

  /** {@code JOULEFLOW_<KEY>}: dots become underscores, upper case. */
  public String environmentName() {
    return "JOULEFLOW_" + key.replace('.', '_').toUpperCase(Locale.ROOT);
  }

  public String systemPropertyName() {
    return "jouleflow." + key;
  }

  public static Optional<AgentOption> byKey(String key) {
    return Arrays.stream(values()).filter(o -> o.key.equals(key)).findFirst();
  }

  /** The valid keys, for error messages. */
  public static String validKeys() {
    return String.join(", ", Arrays.stream(values()).map(AgentOption::key).toList());
  }
}
