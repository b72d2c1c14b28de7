package io.jouleflow.predictor.keras;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One layer of a Keras model as its JSON describes it.
 *
 * @param name the layer's unique name ({@code conv2d_3}); becomes the layer id and name scope
 * @param className Keras class ({@code Conv2D}, {@code Dense}, or a custom class)
 * @param config the layer's {@code config} object, as in the file
 * @param inbound names of the layers feeding it, in order (empty for an InputLayer)
 */
public record KerasLayer(String name, String className, JsonNode config, List<String> inbound) {
  public KerasLayer {
    inbound = List.copyOf(inbound);
  }
}
