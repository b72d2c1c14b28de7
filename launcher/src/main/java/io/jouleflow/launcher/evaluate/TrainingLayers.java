package io.jouleflow.launcher.evaluate;

import io.jouleflow.predictor.layers.Fusion;
import io.jouleflow.predictor.layers.OverheadLayer;
import io.jouleflow.predictor.store.LayerSample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The layer samples a regressor can learn from: a finite, positive energy, and a real layer or a
 * model's overhead row with its model features ({@link OverheadLayer#learnable}). Shared by
 * the baselines, with the median fallback they use where a model has nothing to say.
 */
final class TrainingLayers {

  private TrainingLayers() {}

  static boolean usable(LayerSample sample) {
    double joules = sample.joulesPerInference();
    return OverheadLayer.learnableJoules(sample.layerType(), joules)
        && OverheadLayer.learnable(sample.layerType(), sample.features())
        && !Fusion.isFused(sample.features());
  }

  /** The usable samples, grouped by layer type (types sorted by name, samples in input order). */
  static Map<String, List<LayerSample>> byType(List<LayerSample> samples) {
    Map<String, List<LayerSample>> byType = new TreeMap<>();
    for (LayerSample sample : samples) {
      if (usable(sample)) {
        byType.computeIfAbsent(sample.layerType(), t -> new ArrayList<>()).add(sample);
      }
    }
    if (byType.isEmpty()) {
      throw new IllegalArgumentException(
          "no layer samples with a positive measured energy to train on (of "
              + samples.size()
              + ")");
    }
    return byType;
  }

  /** All usable samples of {@link #byType}, in one list. */
  static List<LayerSample> all(Map<String, List<LayerSample>> byType) {
    List<LayerSample> all = new ArrayList<>();
    byType.values().forEach(all::addAll);
    return all;
  }

  /** The median joules of (usable) samples. */
  static double medianJoules(List<LayerSample> samples) {
    double[] joules = samples.stream().mapToDouble(LayerSample::joulesPerInference).toArray();
    Arrays.sort(joules);
    int n = joules.length;
    return n % 2 == 1 ? joules[n / 2] : (joules[n / 2 - 1] + joules[n / 2]) / 2;
  }

  /** Median joules per type. */
  static Map<String, Double> medians(Map<String, List<LayerSample>> byType) {
    Map<String, Double> medians = new TreeMap<>();
    byType.forEach((type, samples) -> medians.put(type, medianJoules(samples)));
    return medians;
  }

  /** A feature's value if it is there and finite, else NaN. */
  static double feature(Map<String, Double> features, String name) {
    Double value = features.get(name);
    return value == null || !Double.isFinite(value) ? Double.NaN : value;
  }
}
