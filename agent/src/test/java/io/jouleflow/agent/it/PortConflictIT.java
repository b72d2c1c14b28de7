package io.jouleflow.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent never stops the application from starting: an application that binds the agent's
 * port after the agent started (as one whose own server, or the OpenTelemetry agent, uses 9464
 * would) starts and serves, and the agent's endpoint steps aside with one warning.
 */
class PortConflictIT {

  private static final String MODEL = "tiny_resnet";

  @TempDir Path tmp;

  @Test
  void anApplicationThatBindsTheAgentsPortStartsAndServes() throws Exception {
    int port = ExampleService.freePort();
    ChildJvm jvm = ChildJvm.start(List.of(ChildJvm.javaagent("prometheus.port=" + port)),
        ChildJvm.applicationClassPath(), ExampleService.MAIN,
        List.of("--port", String.valueOf(port), "--model-dir", tmp.resolve(MODEL).toString(),
            "--input-size", "32"));
    try (ExampleService svc = ExampleService.attachTo(jvm)) {
      assertThat(svc.port).isEqualTo(port);
      for (int i = 0; i < 5; i++) {
        assertThat(svc.predict(2, i)).contains("\"batch\":2");
      }
      awaitStderr(jvm, "cannot serve metrics");
      List<String> agentLines = agentLines(jvm);
      assertThat(ServiceUnderAgentIT.warnings(String.join("\n", agentLines)))
          .singleElement().asString()
          .contains("cannot serve metrics on 127.0.0.1:" + port);
      assertThat(agentLines).noneMatch(l -> l.contains("metrics at http"));
      assertThat(svc.predict(1, 9)).contains("\"batch\":1");
    }
  }

  @Test
  void anInvalidPortTurnsTheEndpointOffWithOneWarningAndBindsNoOtherPort() throws Exception {
    try (ExampleService svc = ExampleService.start(tmp.resolve(MODEL), "prometheus.port=99999",
        List.of())) {
      for (int i = 0; i < 3; i++) {
        assertThat(svc.predict(2, i)).contains("\"batch\":2");
      }
      Thread.sleep(1_000); // an endpoint opened at the first run would have said so by now
      List<String> agentLines = agentLines(svc.jvm);
      assertThat(ServiceUnderAgentIT.warnings(String.join("\n", agentLines)))
          .singleElement().asString()
          .contains("prometheus.port=99999").contains("endpoint is off");
      assertThat(agentLines).noneMatch(l -> l.contains("metrics at http"));
    }
  }

  private static List<String> agentLines(ChildJvm jvm) {
    return jvm.stderr().lines().filter(l -> l.startsWith("[jouleflow]")).toList();
  }

  static void awaitStderr(ChildJvm jvm, String text) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!jvm.stderr().contains(text) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(jvm.stderr()).contains(text);
  }
}
