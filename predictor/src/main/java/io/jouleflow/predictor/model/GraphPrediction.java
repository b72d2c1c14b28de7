package io.jouleflow.predictor.model;

import io.jouleflow.predictor.layers.Layer;
import io.jouleflow.predictor.layers.LayerGraph;
import io.jouleflow.predictor.layers.LayerType;
import io.jouleflow.predictor.layers.OverheadLayer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A model's layers predicted with a model set: the one use case behind {@code jouleflow predict},
 * {@code measure}'s page and the agent's live comparison, so that all three print the same
 * joules for the same layers.
 *
 * @param set the model set that predicted
 * @param rows one per layer of the graph, in the graph's order, then the model's overhead row
 *     ({@link OverheadLayer}) when the set learned the overhead (sets trained on in-place rows)
 * @param totalJoules the sum of the rows' joules per inference
 * @param otherHardware the warning when the set was trained on another hardware profile than the
 *     machine's; empty when it was not
 */
public record GraphPrediction(
    ModelSet set, List<Row> rows, double totalJoules, Optional<String> otherHardware) {

  /** One layer's prediction. */
  public record Row(Layer layer, LayerPrediction prediction) {}

  public GraphPrediction {
    rows = List.copyOf(rows);
  }

  /**
   * Predicts every layer of {@code graph} with {@code set}.
   *
   * @param machineProfile this machine's hardware profile id (for the warning), or null when
   *     unknown (no warning)
   */
  public static GraphPrediction of(ModelSet set, LayerGraph graph, String machineProfile) {
    List<Row> rows = new ArrayList<>();
    double total = 0;
    boolean withOverhead = predictsOverhead(set);
    for (Layer layer : graph.layers()) {
      if (layer.type() == LayerType.OVERHEAD) {
        continue;
      }
      // Feeding the input is part of a run's overhead, which such a set predicts on its own row.
      LayerPrediction p = withOverhead && layer.type() == LayerType.INPUT_LAYER
          ? new LayerPrediction(0, LayerPrediction.IN_OVERHEAD) : predict(set, layer);
      rows.add(new Row(layer, p));
      total += p.joules();
    }
    if (withOverhead && !rows.isEmpty()) {
      Layer overhead = OverheadLayer.of(graph);
      LayerPrediction p = predict(set, overhead);
      rows.add(new Row(overhead, p));
      total += p.joules();
    }
    return new GraphPrediction(set, rows, total,
        machineProfile == null ? Optional.empty() : otherHardware(set, machineProfile));
  }

  /**
   * Whether the set learned a model's per-run overhead (trained on in-place rows): only then is
   * an overhead row predicted; a set of layers measured alone knows nothing of it.
   */
  public static boolean predictsOverhead(ModelSet set) {
    return set.forests().fits().stream()
        .anyMatch(f -> f.type().equals(LayerType.OVERHEAD.label()));
  }

  /** One layer's prediction. */
  public static LayerPrediction predict(ModelSet set, Layer layer) {
    return set.predict(layer.type().label(), layer.features().asMap());
  }

  /** Predicted joules per inference by layer id, in the graph's order (finite values only). */
  public Map<String, Double> joulesByLayer() {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Row r : rows) {
      if (Double.isFinite(r.prediction().joules())) {
        out.put(r.layer().id(), r.prediction().joules());
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** The layer types whose layers the fallback rule predicted, alphabetically. */
  public SortedSet<String> fallbackTypes() {
    TreeSet<String> types = new TreeSet<>();
    rows.stream().filter(r -> r.prediction().fallback())
        .forEach(r -> types.add(r.layer().type().label()));
    return Collections.unmodifiableSortedSet(types);
  }

  /** The warning for a set trained on other hardware than {@code machineProfile}; empty if not. */
  public static Optional<String> otherHardware(ModelSet set, String machineProfile) {
    return set.hardwareProfile().equals(machineProfile) ? Optional.empty()
        : Optional.of("the model set was trained on hardware profile " + set.hardwareProfile()
            + ", this machine is " + machineProfile + ": the predictions are for that hardware");
  }
}
