package io.jouleflow.predictor.keras;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The hand-written Keras JSON files under {@code src/test/resources/keras/}. */
final class KerasJsonFixtures {

  private KerasJsonFixtures() {}

  static Path path(String name) {
    URL url = KerasJsonFixtures.class.getResource("/keras/" + name);
    if (url == null) {
      throw new IllegalArgumentException("no fixture " + name);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static KerasModel load(String name) {
    try {
      return KerasJson.parse(path(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Layer name → inbound names, in the model's order. */
  static Map<String, List<String>> links(KerasModel model) {
    Map<String, List<String>> links = new LinkedHashMap<>();
    for (KerasLayer layer : model.layers()) {
      links.put(layer.name(), layer.inbound());
    }
    return links;
  }

  /** Layer name → class, in the model's order. */
  static Map<String, String> classes(KerasModel model) {
    Map<String, String> classes = new LinkedHashMap<>();
    for (KerasLayer layer : model.layers()) {
      classes.put(layer.name(), layer.className());
    }
    return classes;
  }
}
