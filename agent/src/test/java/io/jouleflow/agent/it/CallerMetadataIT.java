package io.jouleflow.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.agent.it.fixtures.MetadataProbeApp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With every run traced by the agent, an application that uses RunMetadata itself sees exactly
 * what it sees without the agent.
 */
class CallerMetadataIT {

  @Test
  void callersSeeTheirOwnMetadataAndNoneTheyDidNotAskFor() throws Exception {
    List<String> without = observations(null);
    int port = ExampleService.freePort();
    List<String> with = observations("trace.every=1,prometheus.port=" + port);

    assertThat(with).isEqualTo(without);
    assertThat(without).filteredOn(l -> l.startsWith("plain run"))
        .hasSize(5).allSatisfy(l -> assertThat(l).endsWith("metadata absent"));
    assertThat(without).filteredOn(l -> l.startsWith("own traced run"))
        .hasSize(5).allSatisfy(l -> assertThat(l).endsWith("metadata present with step stats"));
    assertThat(without).filteredOn(l -> l.startsWith("traced run without fetching"))
        .hasSize(5).allSatisfy(l -> assertThat(l).endsWith("metadata absent"));
    // TensorFlow's own pitfall stays exactly as it is: the agent neither trips nor hides it.
    assertThat(without).filteredOn(l -> l.startsWith("untraced fetch of metadata"))
        .singleElement().asString().contains("Cannot parse RunMetadata");
  }

  private static List<String> observations(String agentOptions) throws Exception {
    List<String> jvmArgs = new ArrayList<>();
    if (agentOptions != null) {
      jvmArgs.add(ChildJvm.javaagent(agentOptions));
    }
    try (ChildJvm app = ChildJvm.start(jvmArgs, ChildJvm.applicationClassPath(),
        MetadataProbeApp.class.getName(), List.of())) {
      app.awaitLine("^ready$", Duration.ofSeconds(90));
      if (agentOptions != null) {
        int port = Integer.parseInt(agentOptions.replaceAll(".*prometheus.port=(\\d+).*", "$1"));
        // The agent really traced the runs the application did not trace itself.
        // 15 runs succeeded (the 16th fails inside TensorFlow, as without the agent), and all 15
        // were traced: 5 injected, 5 read from the caller's own trace, 5 with the caller's
        // trace options but no metadata fetched.
        // Layer counters follow the run counter (a run's energy is split about a second after
        // it ends): wait for both, or a loaded machine sees 14 of 15.
        ServiceUnderAgentIT.awaitRuns(port, 15);
        PrometheusScrape scrape = ServiceUnderAgentIT.await(port, Duration.ofSeconds(30),
            s -> s.sum("jouleflow_layer_samples_total", x -> "conv2d".equals(x.label("layer")))
                >= 15);
        assertThat(scrape.sum("jouleflow_inference_runs_total")).isEqualTo(15);
        assertThat(scrape.sum("jouleflow_inference_traced_runs_total")).isEqualTo(15);
        assertThat(scrape.series("jouleflow_layer_samples_total",
            s -> "conv2d".equals(s.label("layer")))).singleElement()
            .satisfies(s -> assertThat(s.value()).isEqualTo(15));
      }
      return app.stdoutLines().stream().filter(l -> !l.equals("ready")).toList();
    }
  }
}
