package io.jouleflow.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentOptionsTest {

  private static AgentOptions resolve(String args, Map<String, String> props, Map<String, String> env) {
    return AgentOptions.resolve(args, props::get, env::get);
  }

  @Test
  void defaultsApplyWhenNothingIsGiven() {
    AgentOptions o = resolve(null, Map.of(), Map.of());
    assertThat(o.get(AgentOption.PROMETHEUS_HOST)).isEqualTo("127.0.0.1");
    assertThat(o.getInt(AgentOption.PROMETHEUS_PORT)).isEqualTo(9464);
    assertThat(o.get(AgentOption.TRACE_EVERY)).isEqualTo("auto");
    assertThat(o.get(AgentOption.TRACE_INTERVAL)).isEqualTo("1");
    assertThat(o.get(AgentOption.OTLP_ENDPOINT)).isNull();
    assertThat(o.warnings()).isEmpty();
  }

  @Test
  void agentArgumentsBeatSystemPropertiesWhichBeatEnvironment() {
    AgentOptions o = resolve(
        "trace.every=7",
        Map.of("jouleflow.trace.every", "8", "jouleflow.prometheus.port", "9000"),
        Map.of("JOULEFLOW_TRACE_EVERY", "9", "JOULEFLOW_PROMETHEUS_PORT", "9001",
            "JOULEFLOW_MODEL_NAME", "resnet"));
    assertThat(o.getInt(AgentOption.TRACE_EVERY)).isEqualTo(7);
    assertThat(o.getInt(AgentOption.PROMETHEUS_PORT)).isEqualTo(9000);
    assertThat(o.get(AgentOption.MODEL_NAME)).isEqualTo("resnet");
  }

  @Test
  void unknownKeyWarnsOnceWithTheValidKeys() {
    AgentOptions o = resolve("bogus=1,trace.every=5", Map.of(), Map.of());
    assertThat(o.warnings()).hasSize(1);
    assertThat(o.warnings().get(0)).contains("bogus").contains("prometheus.port").contains("trace.every");
    assertThat(o.getInt(AgentOption.TRACE_EVERY)).isEqualTo(5);
  }

  @Test
  void badValueWarnsAndFallsBackToTheDefault() {
    AgentOptions o = resolve("layers.max=0,trace.every=abc", Map.of(), Map.of());
    assertThat(o.getInt(AgentOption.LAYERS_MAX)).isEqualTo(500);
    assertThat(o.get(AgentOption.TRACE_EVERY)).isEqualTo("auto");
    assertThat(o.warnings()).hasSize(2);
    assertThat(o.warnings()).anySatisfy(w -> assertThat(w).contains("trace.every=abc")
        .contains("must be auto or an integer").contains("using auto"));
  }

  @Test
  void traceIntervalIsAPositiveNumberOfSecondsUpToAnHour() {
    assertThat(resolve("trace.interval=0.5", Map.of(), Map.of()).get(AgentOption.TRACE_INTERVAL))
        .isEqualTo("0.5");
    for (String bad : new String[] {"0", "-1", "3601", "NaN", "x"}) {
      AgentOptions o = resolve("trace.interval=" + bad, Map.of(), Map.of());
      assertThat(o.get(AgentOption.TRACE_INTERVAL)).isEqualTo("1");
      assertThat(o.warnings()).singleElement().asString().contains("trace.interval");
    }
  }

  @Test
  void anInvalidPortTurnsTheEndpointOffInsteadOfBindingTheDefaultPort() {
    for (String bad : new String[] {"99999", "-1", "abc", "9464.5"}) {
      AgentOptions o = resolve("prometheus.port=" + bad, Map.of(), Map.of());
      assertThat(o.getInt(AgentOption.PROMETHEUS_PORT)).as(bad).isZero();
      assertThat(o.warnings()).singleElement().asString()
          .contains("prometheus.port=" + bad).contains("0 to 65535")
          .contains("the Prometheus endpoint is off").doesNotContain("using");
    }
  }

  @Test
  void absurdOrNonFiniteCpuWattsWarnOnceAndUseTheDefault() {
    for (String bad : new String[] {"1e308", "Infinity", "NaN", "10001", "0", "-5", "many"}) {
      AgentOptions o = resolve("cpu.watts=" + bad, Map.of(), Map.of());
      assertThat(o.get(AgentOption.CPU_WATTS)).as(bad).isNull(); // the CPU model's default
      assertThat(o.warnings()).singleElement().asString()
          .contains("cpu.watts=" + bad).contains("up to 10000").contains("using the default");
    }
    assertThat(resolve("cpu.watts=10000", Map.of(), Map.of()).get(AgentOption.CPU_WATTS))
        .isEqualTo("10000");
    assertThat(resolve("cpu.watts=12.5", Map.of(), Map.of()).warnings()).isEmpty();
  }

  @Test
  void argumentWithoutEqualsSignIsReported() {
    AgentOptions o = resolve("verbose", Map.of(), Map.of());
    assertThat(o.warnings()).singleElement().asString().contains("'verbose'").contains("key=value");
  }

  @Test
  void meterListMayUseCommasInsideTheAgentArgument() {
    AgentOptions o = resolve("meters=nvml,rapl,trace.every=3", Map.of(), Map.of());
    assertThat(o.get(AgentOption.METERS)).isEqualTo("nvml,rapl");
    assertThat(o.getInt(AgentOption.TRACE_EVERY)).isEqualTo(3);
    assertThat(o.warnings()).isEmpty();
  }

  @Test
  void unknownMeterNameIsABadValue() {
    AgentOptions o = resolve("meters=nvml,tpu", Map.of(), Map.of());
    assertThat(o.get(AgentOption.METERS)).isEqualTo("auto");
    assertThat(o.warnings()).singleElement().asString().contains("meters=nvml,tpu");
  }

  @Test
  void environmentNamesFollowTheDocumentedRule() {
    assertThat(AgentOption.PROMETHEUS_PORT.environmentName()).isEqualTo("JOULEFLOW_PROMETHEUS_PORT");
    assertThat(AgentOption.CARBON_INTENSITY.systemPropertyName()).isEqualTo("jouleflow.carbon.intensity");
  }
}
