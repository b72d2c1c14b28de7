package io.jouleflow.launcher.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.predictor.keras.KerasLayer;
import io.jouleflow.predictor.keras.KerasModel;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Structural checks every generated Keras model must pass. */
final class KerasModelChecks {

  private KerasModelChecks() {}

  /**
   * Names unique; every inbound name is a layer listed earlier (topological order); the inputs are
   * exactly the InputLayers, which have no inbound; the outputs exist; every layer is needed by an
   * output (nothing dangles, as in a Keras functional model); each config carries the layer's name.
   */
  static void assertWellFormed(KerasModel model) {
    Set<String> seen = new HashSet<>();
    Map<String, KerasLayer> byName = new HashMap<>();
    for (KerasLayer layer : model.layers()) {
      assertThat(seen.add(layer.name())).as("unique name %s", layer.name()).isTrue();
      assertThat(layer.inbound())
          .as("inbound of %s listed before it", layer.name())
          .allMatch(seen::contains);
      assertThat(layer.config().path("name").asText()).isEqualTo(layer.name());
      if (layer.className().equals("InputLayer")) {
        assertThat(layer.inbound()).isEmpty();
      } else {
        assertThat(layer.inbound()).as("inbound of %s", layer.name()).isNotEmpty();
      }
      byName.put(layer.name(), layer);
    }
    List<String> inputLayers =
        model.layers().stream()
            .filter(l -> l.className().equals("InputLayer"))
            .map(KerasLayer::name)
            .toList();
    assertThat(model.inputLayers()).containsExactlyElementsOf(inputLayers);
    assertThat(model.outputLayers()).isNotEmpty().allMatch(seen::contains);

    Set<String> needed = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(model.outputLayers());
    while (!todo.isEmpty()) {
      String name = todo.pop();
      if (needed.add(name)) {
        todo.addAll(byName.get(name).inbound());
      }
    }
    assertThat(seen).as("layers no output depends on").isEqualTo(needed);
  }
}
