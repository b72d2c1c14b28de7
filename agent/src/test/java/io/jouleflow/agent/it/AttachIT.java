package io.jouleflow.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Attaching into a JVM that is already serving: TF classes are retransformed, metrics appear. */
class AttachIT {

  @TempDir Path models;

  @Test
  void attachIntoARunningServiceShowsMetricsSoonAfter() throws Exception {
    try (ExampleService svc = ExampleService.start(models.resolve("tiny_resnet"), null, List.of())) {
      for (int i = 0; i < 20; i++) {
        svc.predict(1, i); // serving, TF classes loaded and used, before the agent arrives
      }
      int port = ExampleService.freePort();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger served = new AtomicInteger();
      Thread load = new Thread(() -> {
        while (!stop.get()) {
          try {
            svc.predict(1, served.incrementAndGet());
          } catch (Exception e) {
            return;
          }
        }
      });
      load.start();
      try {
        Process attach = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar", ChildJvm.agentJar().toString(), "attach", String.valueOf(svc.jvm.pid()),
            "prometheus.port=" + port + ",trace.every=10")
            .redirectErrorStream(true).start();
        String out = new String(attach.getInputStream().readAllBytes());
        assertThat(attach.waitFor()).as(out).isZero();
        assertThat(out).contains("loaded into process " + svc.jvm.pid());
        long attachedAt = System.nanoTime();

        PrometheusScrape scrape = null;
        // It prints how long it took; the bound leaves room for a loaded machine.
        while (System.nanoTime() - attachedAt < Duration.ofSeconds(30).toNanos()) {
          try {
            scrape = PrometheusScrape.of(port);
            if (scrape.sum("jouleflow_inference_runs_total") > 0
                && !scrape.series("jouleflow_layer_duration_seconds_total").isEmpty()) {
              break;
            }
          } catch (IOException notYet) {
            // endpoint not up yet
          }
          Thread.sleep(100);
        }
        System.out.printf("AttachIT: metrics %.1f s after the attach command returned%n",
            (System.nanoTime() - attachedAt) / 1e9);
        assertThat(scrape).as("a scrape within 30 s of attaching").isNotNull();
        assertThat(scrape.sum("jouleflow_inference_runs_total")).isPositive();
        assertThat(scrape.series("jouleflow_layer_duration_seconds_total",
            s -> "conv2d".equals(s.label("layer")))).isNotEmpty();
        assertThat(svc.jvm.stderr()).contains("[jouleflow] agent").contains("attached");
      } finally {
        stop.set(true);
        load.join();
      }
      assertThat(svc.predict(3, 1)).contains("\"batch\":3");
    }
  }

  @Test
  void attachCommandRejectsBadInputWithOneLine() throws Exception {
    Process p = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", ChildJvm.agentJar().toString(), "attach", "not-a-pid")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    assertThat(p.waitFor()).isEqualTo(2);
    assertThat(out.lines()).singleElement().asString().contains("not a process id");
  }
}
