package io.jouleflow.launcher.train;

import io.jouleflow.predictor.store.LayerSample;
import java.util.List;
import java.util.Map;

/**
 * Predicts one layer's joules per inference from its type and named features (the names of
 * {@code LayerFeatures.asMap()}). Implementations: the per-layer-type random forests (ours) and
 * the baselines of {@code evaluate} (XGBoost, per-type polynomial, FLOPs-linear).
 */
public interface LayerEnergyRegressor {

  /** A short name for tables ({@code random-forest}, {@code xgboost}, ...). */
  String name();

  /** Trains on layer samples of every type (a fresh fit; earlier fits are discarded). */
  void fit(List<LayerSample> samples);

  /** Predicted joules per inference; never negative or NaN for a fitted regressor. */
  double predictJoules(String layerType, Map<String, Double> features);
}
