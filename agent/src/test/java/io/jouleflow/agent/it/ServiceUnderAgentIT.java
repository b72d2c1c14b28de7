package io.jouleflow.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.launcher.demo.PrometheusText.Sample;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unmodified example service under the agent, over real HTTP, scraped for real. */
class ServiceUnderAgentIT {

  private static final int REQUESTS = 200;
  private static final String MODEL = "tiny_resnet";

  @TempDir Path models;

  @Test
  void countsEveryRunTimesEveryLayerAndAnswersExactlyAsWithoutTheAgent() throws Exception {
    Path modelDir = models.resolve(MODEL);
    List<String> without = new ArrayList<>();
    try (ExampleService plain = ExampleService.start(modelDir, null, List.of())) {
      for (int i = 0; i < REQUESTS; i++) {
        without.add(plain.predict(1 + i % 4, i));
      }
    }

    int metricsPort = ExampleService.freePort();
    List<String> with = new ArrayList<>();
    try (ExampleService svc = ExampleService.start(
        modelDir, "prometheus.port=" + metricsPort + ",trace.every=10", List.of())) {
      for (int i = 0; i < REQUESTS; i++) {
        with.add(svc.predict(1 + i % 4, i));
      }
      assertThat(with).as("responses with the agent").isEqualTo(without);

      awaitRuns(metricsPort, REQUESTS);
      // Time and energy are spread over layers a little later (time every 100 ms, energy ~1 s).
      PrometheusScrape scrape = awaitEnergySettled(metricsPort);
      assertThat(scrape.sum("jouleflow_inference_runs_total", s -> MODEL.equals(s.label("model"))))
          .isEqualTo(REQUESTS);
      // trace.every=10 on sequential requests: about one run in ten is traced, never more.
      assertThat(scrape.sum("jouleflow_inference_traced_runs_total",
          s -> MODEL.equals(s.label("model")))).isBetween(REQUESTS / 10.0 - 2, REQUESTS / 10.0 + 1);
      assertThat(scrape.sum("jouleflow_inference_duration_seconds_count",
          s -> MODEL.equals(s.label("model")))).isEqualTo(REQUESTS);

      List<Sample> layerTime = scrape.series("jouleflow_layer_duration_seconds_total",
          s -> MODEL.equals(s.label("model")));
      Set<String> layers = layerTime.stream().map(s -> s.label("layer")).collect(Collectors.toSet());
      assertThat(layers).contains("conv2d", "conv2d_1", "conv2d_2", "dense");
      assertThat(layerTime).filteredOn(s -> s.label("layer").startsWith("conv2d"))
          .allSatisfy(s -> {
            assertThat(s.label("layer_type")).isEqualTo("Convolutional");
            assertThat(s.label("device")).isEqualTo("cpu:0");
            assertThat(s.value()).isPositive();
          });
      assertThat(layerTime).filteredOn(s -> s.label("layer").equals("dense"))
          .singleElement().satisfies(s -> assertThat(s.label("layer_type")).isEqualTo("Dense"));

      // Every run's time is spread over the layers (traced runs measure, the others reuse the
      // latest shares): each layer counts all 200 runs, and the layers' time including
      // _unattributed adds up to the runs' time.
      assertThat(scrape.series("jouleflow_layer_samples_total",
          s -> MODEL.equals(s.label("model")) && "conv2d".equals(s.label("layer"))))
          .singleElement().satisfies(s -> assertThat(s.value()).isEqualTo(REQUESTS));
      double layerSeconds = layerTime.stream().mapToDouble(Sample::value).sum();
      double inferenceSeconds = scrape.sum("jouleflow_inference_duration_seconds_sum",
          s -> MODEL.equals(s.label("model")));
      assertThat(layerTime).anySatisfy(s -> assertThat(s.label("layer")).isEqualTo("_unattributed"));
      assertThat(layerSeconds).isCloseTo(inferenceSeconds, within(0.01 * inferenceSeconds));

      // Energy (the estimate meter here): the layers' energy, _unattributed included, is the
      // model's energy within 1 %, and every conv and dense layer has some.
      PrometheusScrape settled = scrape;
      double modelJoules = settled.sum("jouleflow_inference_energy_joules_total",
          s -> MODEL.equals(s.label("model")));
      List<Sample> layerEnergy = settled.series("jouleflow_layer_energy_joules_total",
          s -> MODEL.equals(s.label("model")));
      double layerJoules = layerEnergy.stream().mapToDouble(Sample::value).sum();
      assertThat(modelJoules).isPositive();
      assertThat(layerJoules).isCloseTo(modelJoules, within(0.01 * modelJoules));
      assertThat(layerEnergy).allSatisfy(s -> assertThat(s.label("source")).isEqualTo("estimate"));
      for (String layer : List.of("conv2d", "conv2d_1", "conv2d_2", "dense")) {
        assertThat(layerEnergy).filteredOn(s -> layer.equals(s.label("layer")))
            .singleElement().satisfies(s -> assertThat(s.value()).isPositive());
      }
      assertThat(layerEnergy).filteredOn(s -> "_unattributed".equals(s.label("layer")))
          .singleElement().satisfies(s -> assertThat(s.label("layer_type")).isEqualTo("Overhead"));
      assertThat(warnings(svc.jvm.stderr())).isEmpty();
    }
  }

  @Test
  void defaultSamplingTracesEveryBatchSizeAtOnceThenAboutOncePerSecond() throws Exception {
    int port = ExampleService.freePort();
    try (ExampleService svc =
        ExampleService.start(models.resolve(MODEL), "prometheus.port=" + port, List.of())) {
      long start = System.nanoTime();
      for (int i = 0; i < 2 * REQUESTS; i++) {
        svc.predict(1 + i % 4, i);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      PrometheusScrape s = awaitRuns(port, 2 * REQUESTS);
      double traced = s.sum("jouleflow_inference_traced_runs_total",
          x -> MODEL.equals(x.label("model")));
      // Four batch sizes: the first three runs of each, then one per batch size per second.
      assertThat(traced).as("traced runs in %.1f s", seconds)
          .isBetween(4.0 * 3, 4 * (3 + seconds + 1));
      assertThat(svc.jvm.stderr()).contains("tracing each session and batch size at its first"
          + " runs, then every 1 s, within 0.5 % of run time");
    }
  }

  @Test
  void busyPortAndBadOptionsCostOneLogLineEachAndTheServiceStillServes() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = busy.getLocalPort();
      try (ExampleService svc = ExampleService.start(models.resolve(MODEL),
          "prometheus.port=" + port + ",bogus=1,trace.every=abc", List.of())) {
        assertThat(svc.predict(2, 7)).contains("\"batch\":2");
        PortConflictIT.awaitStderr(svc.jvm, "cannot serve metrics"); // tried at the first run
        List<String> agentLines = svc.jvm.stderr().lines()
            .filter(l -> l.startsWith("[jouleflow]")).toList();
        assertThat(agentLines.stream().filter(l -> l.contains("cannot serve metrics"))).hasSize(1);
        assertThat(agentLines.stream().filter(l -> l.contains("bogus"))).singleElement()
            .asString().contains("valid keys");
        assertThat(agentLines.stream().filter(l -> l.contains("trace.every=abc"))).singleElement()
            .asString().contains("using auto");
        assertThat(svc.jvm.stderr()).as("no stack trace").doesNotContain("\tat ");
      }
    }
  }

  /**
   * Waits until the energy of all runs so far has been split: energy is closed in windows of
   * up to 10 counter updates, a second or more behind, so it must be positive and unchanged
   * over a full second.
   */
  static PrometheusScrape awaitEnergySettled(int port) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    PrometheusScrape previous = PrometheusScrape.of(port);
    while (System.nanoTime() < deadline) {
      Thread.sleep(1200);
      PrometheusScrape next = PrometheusScrape.of(port);
      double energy = next.sum("jouleflow_inference_energy_joules_total");
      if (energy > 0 && energy == previous.sum("jouleflow_inference_energy_joules_total")) {
        return next;
      }
      previous = next;
    }
    return previous;
  }

  /**
   * The first scrape within {@code timeout} that satisfies {@code done}; fails with the last. The
   * endpoint may not be open yet: it opens once the application has started, and at the latest
   * 30 s after the agent did (an application that runs TensorFlow only on a main thread that never
   * ends, as the probes here do).
   */
  static PrometheusScrape await(int port, Duration timeout, Predicate<PrometheusScrape> done)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    PrometheusScrape last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = PrometheusScrape.of(port);
        if (done.test(last)) {
          return last;
        }
      } catch (IOException notOpenYet) {
        // the endpoint opens later
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the scrape never got there in " + timeout + "; last scrape:\n"
        + (last == null ? "none" : last.text()));
  }

  /** The first scrape with at least {@code expected} runs (the endpoint may open late). */
  static PrometheusScrape awaitRuns(int port, double expected) throws Exception {
    return await(port, Duration.ofSeconds(45),
        s -> s.sum("jouleflow_inference_runs_total") >= expected);
  }

  /**
   * The agent's WARN lines, less the one a machine other than the bundled model set's says
   * rightly (its hardware profile differs): no assertion may depend on which machine trained it.
   */
  static List<String> warnings(String stderr) {
    return stderr.lines().filter(l -> l.startsWith("[jouleflow] WARN"))
        .filter(l -> !l.contains("the model set was trained on hardware profile"))
        .toList();
  }
}
