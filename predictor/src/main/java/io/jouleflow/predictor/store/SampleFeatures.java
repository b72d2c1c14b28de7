package io.jouleflow.predictor.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jouleflow.predictor.layers.LayerFeatures;
import io.jouleflow.predictor.layers.LayerFeatures.Variant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Named layer features as samples keep them: a map in {@link LayerFeatures#NAMES} order (names not
 * in that list follow, in the order given), without unknown (NaN) values; stored as a JSON object.
 */
final class SampleFeatures {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<LinkedHashMap<String, Double>> MAP_TYPE =
      new TypeReference<>() {};

  private SampleFeatures() {}

  /**
   * An unmodifiable copy in canonical order; NaN values are left out, null and infinite ones
   * refused.
   */
  static Map<String, Double> normalize(Map<String, Double> features) {
    Objects.requireNonNull(features, "features");
    Map<String, Double> ordered = new LinkedHashMap<>();
    for (String name : LayerFeatures.NAMES) {
      put(ordered, name, features.get(name), features.containsKey(name));
    }
    features.forEach((name, value) -> put(ordered, name, value, !ordered.containsKey(name)));
    return Collections.unmodifiableMap(ordered);
  }

  private static void put(Map<String, Double> map, String name, Double value, boolean present) {
    if (!present) {
      return;
    }
    Objects.requireNonNull(name, "feature name");
    Objects.requireNonNull(value, () -> "feature " + name + " is null (leave it out instead)");
    if (value.isInfinite()) {
      throw new IllegalArgumentException("feature " + name + " is infinite");
    }
    if (!value.isNaN()) {
      map.put(name, value);
    }
  }

  /** The inverse of {@link LayerFeatures#asMap()}: names it does not know are ignored. */
  static LayerFeatures toLayerFeatures(Map<String, Double> features) {
    LayerFeatures.Builder f = LayerFeatures.builder();
    features.forEach(
        (name, value) -> {
          switch (name) {
            case LayerFeatures.BATCH_SIZE -> f.batchSize(value);
            case LayerFeatures.NUMBER_OF_LAYERS -> f.numberOfLayers(value);
            case LayerFeatures.INPUT_SIZE -> f.inputSize(value);
            case LayerFeatures.OUTPUT_SIZE -> f.outputSize(value);
            case LayerFeatures.HIDDEN_SIZE -> f.hiddenSize(value);
            case LayerFeatures.FILTERS -> f.filters(value);
            case LayerFeatures.KERNEL_SIZE -> f.kernelSize(value);
            case LayerFeatures.STRIDE -> f.stride(value);
            case LayerFeatures.POOL_SIZE -> f.poolSize(value);
            case LayerFeatures.PADDING -> f.padding(value);
            case LayerFeatures.TARGET_SHAPE -> f.targetShape(value);
            case LayerFeatures.RATE -> f.rate(value);
            case LayerFeatures.FLOPS -> f.flops(value);
            case LayerFeatures.PARAMETERS -> f.parameters(value);
            case LayerFeatures.BYTES_MOVED -> f.bytesMoved(value);
            case LayerFeatures.FUSED -> f.fused(value);
            case LayerFeatures.BIAS -> f.bias(value);
            case LayerFeatures.PRODUCER_VARIANT -> f.producerVariant(value);
            default -> {
              for (Variant variant : Variant.values()) {
                if (variant.featureName().equals(name) && value == 1.0) {
                  f.variant(variant);
                }
              }
            }
          }
        });
    return f.build();
  }

  static String toJson(Map<String, Double> features) {
    try {
      return JSON.writeValueAsString(features);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of numbers is always JSON", e);
    }
  }

  static Map<String, Double> fromJson(String json) {
    try {
      return normalize(JSON.readValue(json, MAP_TYPE));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("features are not a JSON object of numbers: " + json, e);
    }
  }
}
