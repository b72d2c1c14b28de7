package io.jouleflow.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import example.training.TrainCnn;
import io.jouleflow.launcher.demo.PrometheusText.Sample;
import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.SampleStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training job under the agent: {@link TrainCnn} trains a small CNN with TF Java's framework
 * Adam (as tensorflow/java-models does) and runs an inference step after every 10 training
 * steps, on the same session. Its training steps must show as {@code phase="training"}, with the
 * backward pass on the layers it trains and the optimizer as one pseudo-layer, and stay out of
 * predictions and the sample store.
 */
class TrainingUnderAgentIT {

  private static final String MODEL = "traincnn";

  @TempDir Path tmp;

  @Test
  void trainingStepsGoToTheirLayersUnderPhaseTrainingAndNeverIntoInferenceSamples()
      throws Exception {
    String url = "jdbc:sqlite:" + tmp.resolve("samples.db");
    int port = ExampleService.freePort();
    PrometheusScrape scrape;
    try (ChildJvm jvm = ChildJvm.start(
        List.of(ChildJvm.javaagent("prometheus.port=" + port + ",trace.every=5,model.name="
            + MODEL + ",samples=" + url)),
        ChildJvm.applicationClassPath(), TrainCnn.class.getName(),
        List.of("--steps", "100000000", "--eval-every", "10"))) {
      scrape = awaitSamples(jvm, port);
    }
    Predicate<Sample> training = s -> MODEL.equals(s.label("model"))
        && "training".equals(s.label("phase"));
    Predicate<Sample> inference = s -> MODEL.equals(s.label("model"))
        && "inference".equals(s.label("phase"));

    List<Sample> layerTime = scrape.series("jouleflow_layer_duration_seconds_total",
        s -> MODEL.equals(s.label("model")));
    assertThat(layerTime).extracting(s -> s.label("layer")).as(scrape.text())
        .noneMatch(l -> l.startsWith("gradients") || l.startsWith("Adam"));
    assertThat(layerTime).extracting(s -> s.label("phase")).containsOnly("training", "inference");
    assertThat(layerTime).filteredOn(training)
        .filteredOn(s -> s.label("layer").equals("_optimizer")).singleElement()
        .satisfies(s -> assertThat(s.label("layer_type")).isEqualTo("Optimizer"));
    assertThat(layerTime).filteredOn(training).filteredOn(s -> s.label("layer").startsWith("conv"))
        .extracting(s -> s.label("layer_type")).containsOnly("Convolutional").hasSize(2);

    // The backward pass runs on the convolutions: each costs a training step at least about
    // twice what it costs an inference step (input and filter gradients next to the forward op).
    for (String conv : List.of("conv2d", "conv2d_1")) {
      double trainingPerStep = perStep(scrape, training, conv);
      double inferencePerStep = perStep(scrape, inference, conv);
      assertThat(trainingPerStep).as(conv + " seconds per training vs inference step")
          .isGreaterThan(1.5 * inferencePerStep);
    }

    // Only inference is predicted and compared.
    for (String gauge : List.of("jouleflow_prediction_error",
        "jouleflow_layer_energy_predicted_joules", "jouleflow_layer_energy_observed_joules")) {
      assertThat(scrape.series(gauge, s -> MODEL.equals(s.label("model"))))
          .as(gauge).isNotEmpty().allSatisfy(s -> assertThat(s.label("phase"))
              .isEqualTo("inference"));
    }

    // Only inference steps become samples: their layers, and no more runs than inference ran.
    double inferenceRuns = scrape.sum("jouleflow_inference_runs_total", inference);
    double trainingRuns = scrape.sum("jouleflow_inference_runs_total", training);
    assertThat(trainingRuns).isGreaterThan(5 * inferenceRuns);
    try (SampleStore store = SampleStore.open(url)) {
      List<LayerSample> samples = store.layerSamples();
      assertThat(samples).isNotEmpty().allSatisfy(s -> {
        assertThat(s.model()).isEqualTo(MODEL);
        // no training pseudo-layer; the inference steps' own overhead row is an inference sample
        assertThat(s.layer()).isNotIn("_optimizer", "_loss", "_backward")
            .doesNotStartWith("gradients");
        assertThat(s.layerType()).isNotIn("Optimizer", "Loss", "Backward");
      });
      assertThat(samples).filteredOn(s -> s.layer().equals("conv2d"))
          .extracting(LayerSample::runsAveraged)
          .allSatisfy(runs -> assertThat(runs).isLessThanOrEqualTo((long) inferenceRuns + 1));
    }
  }

  private static double perStep(PrometheusScrape scrape, Predicate<Sample> phase, String layer) {
    Predicate<Sample> of = phase.and(s -> layer.equals(s.label("layer")));
    double steps = scrape.sum("jouleflow_layer_samples_total", of);
    assertThat(steps).as(layer + " runs").isPositive();
    return scrape.sum("jouleflow_layer_duration_seconds_total", of) / steps;
  }

  /**
   * Scrapes until the agent has written inference samples and shows training layers: the
   * endpoint opens at the latest 30 s after start (the job trains on its main thread), samples
   * come every 5 s.
   */
  private static PrometheusScrape awaitSamples(ChildJvm jvm, int port) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline && jvm.alive()) {
      try {
        PrometheusScrape s = PrometheusScrape.of(port);
        if (s.sum("jouleflow_samples_written_total") >= 5
            && !s.series("jouleflow_prediction_error").isEmpty()) {
          Thread.sleep(6000); // one more comparison window
          return PrometheusScrape.of(port);
        }
      } catch (java.net.ConnectException notYet) {
        // the endpoint opens later
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("no samples within 120 s:\n" + jvm.stderr());
  }
}
