package io.jouleflow.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.launcher.demo.PrometheusText.Sample;
import io.jouleflow.predictor.store.SampleStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop end to end: a model set trained on collected data that lacks the example architecture
 * predicts it under the agent; the agent's observations go to the store; a set retrained with them
 * is picked up without a restart, and the prediction error on that architecture falls — on this
 * machine, and on a machine of another hardware profile than the committed data's (simulated by
 * {@code JOULEFLOW_CPU_MODEL}: another profile, and that CPU's estimate, 7.5 W a core, not 10).
 */
class ClosedLoopIT {

  private static final String MODEL = "tiny_resnet";
  static final String DATASET = "predictor/data/quick-inplace-2026-12-06";
  private static final Map<String, String> OTHER_CPU =
      Map.of("JOULEFLOW_CPU_MODEL", "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz");

  @TempDir Path tmp;

  @Test
  void retrainingWithTheAgentsObservationsKeepsThePredictionClose() throws Exception {
    // On the committed data's own profile the set predicts the service well before retraining
    // already (|error| 0.05-0.15): retraining must keep it so, not beat noise of that size.
    double[] errors = loop(Map.of());
    assertThat(errors[1]).as("|error| after retraining").isLessThanOrEqualTo(0.25);
  }

  @Test
  void onAnotherHardwareProfileTheLoopLearnsThisMachine() throws Exception {
    double[] errors = loop(OTHER_CPU);
    // Quiet, the error falls to a quarter (0.545 to 0.143 in one run); with both cores busy the
    // service's observations drift by a third over minutes (warm-up under load), before is
    // smaller (0.25) and after no better than that drift: the assertion holds in both.
    assertThat(errors[1]).as("|error| after retraining").isLessThanOrEqualTo(0.25);
    assertThat(errors[1]).as("lower than before").isLessThan(errors[0]);
  }

  /** |error| before and after retraining with the agent's samples. */
  private double[] loop(Map<String, String> env) throws Exception {
    Path root = Path.of(System.getProperty("user.dir")).getParent();
    Path launcher = root.resolve("launcher/target/jouleflow.jar");
    String url = "jdbc:sqlite:" + tmp.resolve("loop.db");
    try (SampleStore store = SampleStore.open(url)) {
      store.importCsv(root.resolve(DATASET));
    }
    Path set = tmp.resolve("set");
    train(launcher, url, set, env); // collected samples only: no tiny_resnet among them

    int port = ExampleService.freePort();
    try (ExampleService svc = ExampleService.startWithEnvironment(tmp.resolve(MODEL),
        "prometheus.port=" + port + ",trace.every=10,samples=" + url + ",models=" + set, List.of(),
        env)) {
      // Ten windows of 15 layers: training takes each layer's latest five, past the warm-up.
      double before = errorAfterSamples(svc, port, 150);
      String v1 = PrometheusScrape.of(port).series("jouleflow_model_set").get(0).label("version");

      train(launcher, url, set, env); // now with the agent's samples of tiny_resnet
      double after = Double.NaN;
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      int i = 0;
      boolean reloaded = false;
      long reloadedAt = 0;
      long lastReading = 0;
      List<Double> readings = new ArrayList<>();
      while (System.nanoTime() < deadline) {
        for (int k = 0; k < 50; k++) {
          svc.predict(4, i++);
        }
        PrometheusScrape s = PrometheusScrape.of(port);
        if (!reloaded && !s.series("jouleflow_model_set").get(0).label("version").equals(v1)) {
          reloaded = true;
          reloadedAt = System.nanoTime();
        }
        // from two comparison windows (5 s each) after the reload on, predictions of the new set;
        // the median of three windows' errors, as one window's observations are noisy
        if (reloaded && System.nanoTime() - reloadedAt > Duration.ofSeconds(11).toNanos()
            && System.nanoTime() - lastReading > Duration.ofSeconds(5).toNanos()) {
          readings.add(overallError(s));
          lastReading = System.nanoTime();
          if (readings.size() == 3) {
            readings.sort(null);
            after = readings.get(1);
            break;
          }
        }
      }
      System.out.printf("ClosedLoopIT%s: |error| before retraining %.3f, after %.3f%n",
          env.isEmpty() ? "" : " " + env, before, after);
      assertThat(reloaded).as("the retrained set was picked up").isTrue();
      return new double[] {before, after};
    }
  }

  private static void train(Path launcher, String url, Path out, Map<String, String> env)
      throws Exception {
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        launcher.toString(), "train", "--store", url, "--out", out.toString(), "--trees", "30")
        .redirectErrorStream(true);
    builder.environment().putAll(env);
    Process p = builder.start();
    String log = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(log).isZero();
  }

  /** Load until the agent wrote {@code min} samples and compared once more; the error then. */
  private static double errorAfterSamples(ExampleService svc, int port, long min) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    int i = 0;
    while (System.nanoTime() < deadline) {
      for (int k = 0; k < 50; k++) {
        svc.predict(4, i++);
      }
      PrometheusScrape s = PrometheusScrape.of(port);
      if (s.sum("jouleflow_samples_written_total") >= min
          && !s.series("jouleflow_layer_energy_predicted_joules").isEmpty()) {
        return overallError(s);
      }
    }
    throw new AssertionError("the agent wrote fewer than " + min + " samples in 120 s");
  }

  /** |sum of observed - sum of predicted| / sum of observed over the layers that have both. */
  private static double overallError(PrometheusScrape s) {
    List<Sample> predicted = new ArrayList<>(s.series("jouleflow_layer_energy_predicted_joules",
        x -> MODEL.equals(x.label("model"))));
    double obs = 0;
    double pred = 0;
    for (Sample p : predicted) {
      double o = s.sum("jouleflow_layer_energy_observed_joules",
          x -> MODEL.equals(x.label("model")) && p.label("layer").equals(x.label("layer")));
      if (o > 0) {
        obs += o;
        pred += p.value();
      }
    }
    return Math.abs(obs - pred) / obs;
  }
}
