package io.jouleflow.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.agent.it.fixtures.ConcurrentRunsApp;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * 8 threads calling Session.run for 20 s with every run traced and a deliberately small queue:
 * nothing fails, nothing blocks, and every run is either counted or counted as dropped.
 */
class ConcurrencyIT {

  @Test
  void eightThreadsForTwentySecondsAreCountedExactlyWithoutBlocking() throws Exception {
    int port = ExampleService.freePort();
    try (ChildJvm app = ChildJvm.start(
        List.of("-Xmx256m",
            ChildJvm.javaagent("prometheus.port=" + port + ",trace.every=1,queue.capacity=64")),
        ChildJvm.applicationClassPath(), ConcurrentRunsApp.class.getName(), List.of("8", "20"))) {
      Matcher m = app.awaitLine("runs=(\\d+) failures=(\\d+) heapAfterGc=(\\d+)", Duration.ofSeconds(120));
      long runs = Long.parseLong(m.group(1));
      assertThat(Long.parseLong(m.group(2))).as("failed runs").isZero();
      assertThat(Long.parseLong(m.group(3))).as("heap after GC").isLessThan(128L << 20);
      assertThat(runs).isGreaterThan(1000);

      // The worker drains what is queued; then counted + dropped is every run, exactly.
      PrometheusScrape scrape = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (System.nanoTime() < deadline) {
        scrape = PrometheusScrape.of(port);
        if (scrape.sum("jouleflow_inference_runs_total") + queueFull(scrape) >= runs) {
          break;
        }
        Thread.sleep(200);
      }
      double counted = scrape.sum("jouleflow_inference_runs_total");
      double dropped = queueFull(scrape);
      System.out.printf("ConcurrencyIT: %d runs, %.0f counted, %.0f dropped%n", runs, counted, dropped);
      assertThat(counted + dropped).isEqualTo(runs);
      assertThat(counted).isPositive();
      assertThat(app.stderr()).doesNotContain("Exception");
    }
  }

  private static double queueFull(PrometheusScrape scrape) {
    return scrape.sum("jouleflow_agent_dropped_total", s -> "queue_full".equals(s.label("reason")));
  }
}
