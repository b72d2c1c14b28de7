package io.jouleflow.predictor.keras;

import io.jouleflow.predictor.layers.LayerGraph;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Keras model turned into layers by {@link KerasLayers#toLayerGraph}.
 *
 * @param graph the layers with their features, in topological order; layer ids are the Keras layer
 *     names
 * @param outputShapes each layer's output shape, batch dimension included, by layer id
 * @param unknownClasses Keras classes this importer has no rules for, in order of first use; their
 *     layers are {@code Other} layers whose output shape is their first input's shape
 * @param unknownLayers the ids of those layers by class
 */
public record KerasImport(
    LayerGraph graph,
    Map<String, List<Long>> outputShapes,
    List<String> unknownClasses,
    Map<String, List<String>> unknownLayers) {

  public KerasImport {
    outputShapes = copy(outputShapes);
    unknownClasses = List.copyOf(unknownClasses);
    unknownLayers = copy(unknownLayers);
  }

  /**
   * One line for the user when some classes were unknown, e.g. {@code 2 layers of unknown classes
   * imported as Other, shaped like their input (FLOPs and parameters unknown): MyBlock (block_a,
   * block_b)}.
   */
  public Optional<String> warning() {
    if (unknownClasses.isEmpty()) {
      return Optional.empty();
    }
    int count = 0;
    List<String> parts = new ArrayList<>();
    for (String cls : unknownClasses) {
      List<String> ids = unknownLayers.getOrDefault(cls, List.of());
      count += ids.size();
      parts.add(cls + " (" + String.join(", ", ids) + ")");
    }
    return Optional.of(
        count
            + (count == 1 ? " layer" : " layers")
            + " of unknown classes imported as Other, shaped like their input"
            + " (FLOPs and parameters unknown): "
            + String.join(", ", parts));
  }

  private static <V> Map<String, List<V>> copy(Map<String, List<V>> map) {
    Map<String, List<V>> copy = new LinkedHashMap<>();
    map.forEach((key, value) -> copy.put(key, List.copyOf(value)));
    return Collections.unmodifiableMap(copy);
  }
}
