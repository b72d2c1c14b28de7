package io.jouleflow.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.agent.it.fixtures.ConcurrentRunsApp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The agent's traces leave the application's stderr alone: with every run traced and TensorFlow's
 * own logging at its default level ({@code TF_CPP_MIN_LOG_LEVEL} unset), the application prints
 * the same lines with the agent as without, apart from the agent's own {@code [jouleflow]} lines.
 * (FULL_TRACE starts TensorFlow's profiler, which prints five lines per traced run.)
 */
class QuietStderrIT {

  // The JVM says this when an agent appends to the bootstrap class path (class data sharing of
  // application classes is then off); it is the JVM's line, printed once, not TensorFlow's.
  static final String JVM_CDS_NOTE =
      "Sharing is only supported for boot loader classes because bootstrap classpath has been appended";

  @Test
  void everyRunTracedPrintsNoTensorFlowLineThatTheApplicationWouldNotPrintAnyway() throws Exception {
    List<String> without = stderrLines(null);
    int port = ExampleService.freePort();
    List<String> with = stderrLines("trace.every=1,prometheus.port=" + port);

    assertThat(without).isNotEmpty(); // TensorFlow's own start-up lines: logging is on
    assertThat(with).filteredOn(l -> l.contains("Profiler session")).isEmpty();
    assertThat(with).isEqualTo(without);
  }

  /** The application's stderr, TensorFlow's timestamps and thread ids masked, agent lines out. */
  private static List<String> stderrLines(String agentOptions) throws Exception {
    List<String> jvmArgs = new ArrayList<>();
    if (agentOptions != null) {
      jvmArgs.add(ChildJvm.javaagent(agentOptions));
    }
    Map<String, String> env = new HashMap<>();
    env.put("TF_CPP_MIN_LOG_LEVEL", null); // TensorFlow's default: INFO and up
    try (ChildJvm app = ChildJvm.start(jvmArgs, ChildJvm.applicationClassPath(),
        ConcurrentRunsApp.class.getName(), List.of("1", "2"), env)) {
      app.awaitLine("^ready$", Duration.ofSeconds(90));
      if (agentOptions != null) {
        // The runs were traced (the worker may lag behind a loaded machine).
        int port = Integer.parseInt(agentOptions.replaceAll(".*prometheus.port=(\\d+).*", "$1"));
        PrometheusScrape s = ServiceUnderAgentIT.await(port, Duration.ofSeconds(60),
            x -> x.sum("jouleflow_inference_traced_runs_total") >= 20);
        // Nearly all: on a quiet machine a few percent of the runs came without a trace.
        assertThat(s.sum("jouleflow_inference_traced_runs_total"))
            .isGreaterThanOrEqualTo(0.9 * s.sum("jouleflow_inference_runs_total"));
      }
      return app.stderr().lines()
          .filter(l -> !l.startsWith("[jouleflow]") && !l.contains(JVM_CDS_NOTE))
          .map(l -> l.replaceAll("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d+", "<time>")
              .replaceAll("^([IWEF])\\d{4} [\\d:.]+ +\\d+", "$1<time> <thread>"))
          .toList();
    }
  }
}
