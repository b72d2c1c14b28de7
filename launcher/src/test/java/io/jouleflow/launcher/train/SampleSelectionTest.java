package io.jouleflow.launcher.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.MachineLoad;
import io.jouleflow.predictor.store.MeasureProtocols;
import io.jouleflow.predictor.store.ModelSample;
import io.jouleflow.predictor.store.SampleOrigin;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SampleSelectionTest {

  private static final Instant T = Instant.parse("2026-12-06T10:00:00Z");

  private static LayerSample layer(String model, String protocol) {
    return new LayerSample(T, "p", "estimate", SampleOrigin.COLLECT, model, "b1", "conv2d",
        "Convolutional", Map.of("flops", 1e6), 1, 0.01, 0.001, 20, null, null, protocol);
  }

  private static ModelSample model(String model, String protocol, MachineLoad load) {
    return new ModelSample(T, "p", "estimate", SampleOrigin.COLLECT, model, "b1", 1, 0.02, 0.002,
        20, null, 1, null, null, null, protocol, load);
  }

  private static final List<LayerSample> LAYERS = List.of(
      layer("quiet", MeasureProtocols.IN_PLACE), layer("busy", MeasureProtocols.IN_PLACE),
      layer("quiet", MeasureProtocols.ISOLATED));
  private static final List<ModelSample> MODELS = List.of(
      model("quiet", MeasureProtocols.IN_PLACE, new MachineLoad(0.02, 0)),
      model("busy", MeasureProtocols.IN_PLACE, new MachineLoad(0.45, 0.01)),
      model("quiet", MeasureProtocols.ISOLATED, null));

  @Test
  void autoTakesInPlaceRowsAndLeavesBusyConfigurationsOut() {
    SampleSelection s = SampleSelection.of(LAYERS, MODELS, SampleSelection.AUTO, false);
    assertThat(s.protocol()).isEqualTo(MeasureProtocols.IN_PLACE);
    assertThat(s.layers()).extracting(LayerSample::model).containsExactly("quiet");
    assertThat(s.models()).extracting(ModelSample::model).containsExactly("quiet");
    assertThat(s.busyLeftOut()).isEqualTo(1);
    assertThat(s.describe()).contains("1 configurations measured on a busy machine left out");
  }

  @Test
  void busyRowsStayWhenAskedAndIsolatedIsChosenByName() {
    assertThat(SampleSelection.of(LAYERS, MODELS, SampleSelection.AUTO, true).layers()).hasSize(2);
    SampleSelection isolated = SampleSelection.of(LAYERS, MODELS, MeasureProtocols.ISOLATED, false);
    assertThat(isolated.layers()).singleElement()
        .extracting(LayerSample::protocol).isEqualTo(MeasureProtocols.ISOLATED);
  }

  @Test
  void autoFallsBackToIsolatedWhereThereIsNoInPlaceRow() {
    SampleSelection s = SampleSelection.of(LAYERS.subList(2, 3), MODELS, SampleSelection.AUTO, false);
    assertThat(s.protocol()).isEqualTo(MeasureProtocols.ISOLATED);
    assertThat(s.layers()).hasSize(1);
  }
}
