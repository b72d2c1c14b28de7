package io.jouleflow.launcher.evaluate;

import io.jouleflow.predictor.store.LayerSample;
import java.util.List;
import java.util.Map;

/**
 * The median measured joules per layer type and over all types: what a baseline predicts where its
 * model cannot (a layer without the features it needs, a prediction that is not a finite positive
 * number), so that no regressor ever returns NaN or a negative energy.
 */
record MedianJoules(Map<String, Double> byType, double global) {

  MedianJoules {
    byType = Map.copyOf(byType);
  }

  static MedianJoules of(Map<String, List<LayerSample>> byType) {
    return new MedianJoules(
        TrainingLayers.medians(byType), TrainingLayers.medianJoules(TrainingLayers.all(byType)));
  }

  /** The type's median, or the global one for a type not trained on. */
  double of(String layerType) {
    return byType.getOrDefault(layerType, global);
  }

  /** {@code predicted} if it is finite and not negative, else the type's median. */
  double orMedian(double predicted, String layerType) {
    return Double.isFinite(predicted) && predicted >= 0 ? predicted : of(layerType);
  }
}
