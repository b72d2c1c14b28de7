package io.jouleflow.launcher.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.MeasureProtocols;
import io.jouleflow.predictor.store.ModelSample;
import io.jouleflow.predictor.store.SampleOrigin;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProfilePriorTest {

  private static final Instant T = Instant.parse("2026-12-06T10:00:00Z");

  private static LayerSample layer(String profile, String model, String config, String id, double j) {
    return new LayerSample(T, profile, "estimate", SampleOrigin.COLLECT, model, config, id,
        "Convolutional", Map.of("flops", 1e6), 1, j, 0.001, 20, null, null, MeasureProtocols.IN_PLACE);
  }

  private static ModelSample model(String profile, String model, String config, double j) {
    return new ModelSample(T, profile, "estimate", SampleOrigin.COLLECT, model, config, 1, j, 0.01,
        20, null, 1, null, j, null, MeasureProtocols.IN_PLACE, null);
  }

  @Test
  void otherRowsAreScaledByTheMedianRatioOfSharedConfigurationsAndRelabelled() {
    List<ModelSample> mine = List.of(model("here", "a", "b1", 0.75), model("here", "b", "b1", 1.5),
        model("here", "c", "b1", 9.0));
    List<ModelSample> theirs = List.of(model("there", "a", "b1", 1.0), model("there", "b", "b1", 2.0),
        model("there", "c", "b1", 3.0), model("there", "d", "b1", 4.0));
    List<LayerSample> own = List.of(layer("here", "a", "b1", "conv", 0.7));
    List<LayerSample> other = List.of(layer("there", "a", "b1", "conv", 0.9),
        layer("there", "d", "b1", "conv", 2.0));
    ProfilePrior prior = ProfilePrior.of("here", own, mine, other, theirs);
    assertThat(prior.matched()).isEqualTo(3);
    assertThat(prior.ratio()).isCloseTo(0.75, within(1e-12)); // median of 0.75, 0.75, 3
    // a's conv was measured here: only d's comes from the other machine, scaled
    assertThat(prior.rows()).singleElement().satisfies(s -> {
      assertThat(s.model()).isEqualTo("d");
      assertThat(s.hardwareProfile()).isEqualTo("here");
      assertThat(s.joulesPerInference()).isCloseTo(1.5, within(1e-12));
    });
  }

  @Test
  void withoutASharedConfigurationThereIsNoPriorUnlessPredictionsGiveTheScale() {
    ProfilePrior none = ProfilePrior.of("here", List.of(), List.of(model("here", "x", "b1", 1)),
        List.of(layer("there", "a", "b1", "conv", 1)), List.of(model("there", "a", "b1", 1)));
    assertThat(none.matched()).isZero();
    assertThat(none.rows()).isEmpty();

    // the agent's rows here carry what the set (trained there) predicted: 0.75 J observed of 1 J
    LayerSample observed = new LayerSample(T, "here", "estimate", SampleOrigin.AGENT, "svc", "b4",
        "conv", "Convolutional", Map.of("flops", 1e6), 4, 0.6, 0.001, 100, 0.8, null, null);
    LayerSample other = new LayerSample(T, "here", "estimate", SampleOrigin.AGENT, "svc", "b4",
        "dense", "Dense", Map.of("flops", 1e3), 4, 0.15, 0.001, 100, 0.2, null, null);
    ProfilePrior scaled = ProfilePrior.of("here", List.of(observed, other), List.of(),
        List.of(layer("there", "a", "b1", "conv", 2.0)), List.of(model("there", "a", "b1", 3)));
    assertThat(scaled.byPredictions()).isTrue();
    assertThat(scaled.matched()).isEqualTo(2);
    assertThat(scaled.ratio()).isCloseTo(0.75, within(1e-12));
    assertThat(scaled.rows()).singleElement()
        .satisfies(s -> assertThat(s.joulesPerInference()).isCloseTo(1.5, within(1e-12)));
  }
}
