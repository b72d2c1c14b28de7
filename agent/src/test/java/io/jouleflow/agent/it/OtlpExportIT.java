package io.jouleflow.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.agent.it.fixtures.ConcurrentRunsApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** otlp.endpoint pushes the same metrics over OTLP/HTTP, decoded here from protobuf. */
class OtlpExportIT {

  @TempDir Path tmp;

  @Test
  void theAgentsMetricsArriveOverOtlpHttpAsProtobuf() throws Exception {
    try (OtlpReceiver receiver = new OtlpReceiver();
        ExampleService svc = ExampleService.start(tmp.resolve("tiny_resnet"),
            "prometheus.port=0,trace.every=10,otlp.interval=1,otlp.endpoint=" + receiver.endpoint(),
            List.of())) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      int i = 0;
      while (System.nanoTime() < deadline
          && !receiver.metricNames().containsAll(List.of(
              "jouleflow.inference.runs", "jouleflow.layer.energy", "hw.energy"))) {
        svc.predict(2, i++);
        Thread.sleep(20);
      }
      assertThat(receiver.metricNames()).contains(
          "jouleflow.inference.runs", "jouleflow.inference.duration", "jouleflow.layer.duration",
          "jouleflow.layer.energy", "jouleflow.inference.energy", "hw.energy", "hw.power");
      assertThat(receiver.contentTypes()).allSatisfy(
          t -> assertThat(t).isEqualTo("application/x-protobuf"));
      assertThat(svc.jvm.stderr()).contains("metrics pushed over OTLP/HTTP to " + receiver.endpoint());
    }
  }

  @Test
  void aJobThatEndsBeforeTheNextExportStillPushesItsLastCounts() throws Exception {
    try (OtlpReceiver receiver = new OtlpReceiver()) {
      // One export an hour: only the final one at exit can deliver anything.
      try (ChildJvm job = ChildJvm.start(
          List.of(ChildJvm.javaagent("prometheus.port=0,otlp.interval=3600,otlp.endpoint="
              + receiver.endpoint())),
          ChildJvm.applicationClassPath(), ConcurrentRunsApp.class.getName(), List.of("1", "1"))) {
        job.awaitLine("^ready$", Duration.ofSeconds(90));
        assertThat(receiver.metricNames()).isEmpty();
        job.send(""); // the job ends
        assertThat(job.waitFor(Duration.ofSeconds(30))).isZero();
      }
      assertThat(receiver.metricNames()).contains("jouleflow.inference.runs");
    }
  }

  @Test
  void aBadEndpointIsOneWarningAndTheServiceRuns() throws Exception {
    try (ExampleService svc = ExampleService.start(tmp.resolve("tiny_resnet"),
        "prometheus.port=0,otlp.endpoint=collector:4318", List.of())) {
      assertThat(svc.predict(1, 1)).contains("\"batch\":1");
      assertThat(svc.jvm.stderr().lines().filter(l -> l.contains("otlp.endpoint=collector:4318")))
          .singleElement().asString().contains("http://");
    }
  }
}
