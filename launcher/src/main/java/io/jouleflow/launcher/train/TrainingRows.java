package io.jouleflow.launcher.train;

import io.jouleflow.predictor.layers.Fusion;
import io.jouleflow.predictor.layers.OverheadLayer;
import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.SampleOrigin;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Layer samples as the forests train on them: one row per distinct observed layer, so that every
 * row weighs the same.
 *
 * <p>A {@code collect} sample is one row already (the store keeps one per model, configuration and
 * layer). The agent writes a sample per observation window, so a service that runs for a week
 * would otherwise outweigh the whole zoo with its few layers: its samples of one (hardware
 * profile, model, configuration, layer) become one row whose joules are the median of the latest
 * {@link #RECENT_WINDOWS} (robust to a window disturbed by other work, and current: a service's
 * first minutes run hot while the JIT compiles and TensorFlow builds its kernels — on a loaded
 * 2-core machine its observed energy per inference fell by a third over three minutes — and an
 * upgraded service or machine costs what it costs now). That row then counts {@link #AGENT_WEIGHT} times: it was
 * observed on the hardware and in the service the set is for, where a collected row is a layer
 * measured alone. Samples without a positive, finite energy are left out, and so are rows of the
 * pseudo type {@code Overhead} without the model features that predict it ({@link
 * OverheadLayer#learnable}); with them, the overhead is one more type to learn. Layers fused into
 * their producer ({@link Fusion}) are left out: their work was measured in the producer's row.
 */
final class TrainingRows {

  /** One training row. */
  record Row(
      String type, String model, String origin, Map<String, Double> features, double joules) {}

  /** How many collected rows one agent row counts as. */
  static final int AGENT_WEIGHT = 10;

  /** How many of a layer's latest agent windows its row takes the median of. */
  static final int RECENT_WINDOWS = 5;

  private TrainingRows() {}

  static List<Row> of(List<LayerSample> samples) {
    Map<String, List<LayerSample>> groups = new LinkedHashMap<>();
    for (LayerSample s : samples) {
      double j = s.joulesPerInference();
      if (!OverheadLayer.learnableJoules(s.layerType(), j)
          || !OverheadLayer.learnable(s.layerType(), s.features())
          || Fusion.isFused(s.features())) {
        continue;
      }
      String key =
          String.join(
              "\u0000",
              s.hardwareProfile(),
              s.origin(),
              s.model(),
              s.config(),
              s.layer(),
              s.layerType());
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
    }
    List<Row> rows = new ArrayList<>(groups.size());
    for (List<LayerSample> group : groups.values()) {
      boolean agent = SampleOrigin.AGENT.equals(group.get(0).origin());
      if (agent && group.size() > RECENT_WINDOWS) {
        group.sort(Comparator.comparing(LayerSample::time));
        group = group.subList(group.size() - RECENT_WINDOWS, group.size());
      }
      LayerSample last = group.get(group.size() - 1);
      double[] joules = group.stream().mapToDouble(LayerSample::joulesPerInference).toArray();
      Row row = new Row(last.layerType(), last.model(), last.origin(), last.features(), median(joules));
      int copies = SampleOrigin.AGENT.equals(last.origin()) ? AGENT_WEIGHT : 1;
      for (int i = 0; i < copies; i++) {
        rows.add(row);
      }
    }
    return rows;
  }

  /** The median; NaN for none. Sorts {@code values}. */
  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    Arrays.sort(values);
    int mid = values.length / 2;
    return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
  }
}
