package io.jouleflow.launcher.graph;

import io.jouleflow.launcher.measure.Cost;
import io.jouleflow.launcher.measure.InferenceEnergy;
import io.jouleflow.launcher.measure.MachineLoadProbe;
import io.jouleflow.launcher.measure.MeasureProtocol;
import io.jouleflow.launcher.measure.MeasureReport;
import io.jouleflow.predictor.layers.LayerType;
import io.jouleflow.predictor.store.MachineLoad;
import io.jouleflow.predictor.store.MeasureProtocols;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Measures a {@link GraphModel} as a whole with {@link InferenceEnergy}.
 *
 * <p>Layers are not measured alone: isolating a layer needs its architecture (a Keras layer and its
 * configuration, rebuilt by itself), which a graph does not give. The report's {@code layers} are
 * therefore empty and it has no additivity factor; {@code layerCount} still counts the layers
 * {@link io.jouleflow.predictor.layers.LayerDetector} finds in the graph, InputLayers excluded.
 */
public final class GraphMeasurer {

  private final InferenceEnergy energy;
  private final MeasureProtocol protocol;
  private final Consumer<String> progress;

  public GraphMeasurer(InferenceEnergy energy, MeasureProtocol protocol, Consumer<String> progress) {
    this.energy = energy;
    this.protocol = protocol;
    this.progress = progress;
  }

  /** The whole model's cost per inference; the config id names the first input's shape. */
  public MeasureReport measure(GraphModel model) {
    int layerCount = (int) model.layers().layers().stream()
        .filter(l -> l.type() != LayerType.INPUT_LAYER).count();
    long[] first = model.inputShapes().get(0);
    String config = MeasureReport.configId(model.batch(), Arrays.copyOfRange(first, 1, first.length));
    MachineLoadProbe probe = new MachineLoadProbe();
    Optional<MachineLoadProbe.Snapshot> before = probe.snapshot();
    Cost whole = energy.measure(model.inference(), protocol);
    MachineLoad load = MachineLoadProbe.between(before, probe.snapshot()).orElse(null);
    progress.accept(String.format("%s %s: whole model %.4f J/inference over %d runs",
        model.name(), config, whole.joules(), whole.runs()));
    return new MeasureReport(model.name(), config, model.batch(), energy.source(), whole,
        List.of(), layerCount, null, MeasureProtocols.IN_PLACE, null, load);
  }
}
