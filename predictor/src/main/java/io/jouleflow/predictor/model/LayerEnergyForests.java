package io.jouleflow.predictor.model;

import io.jouleflow.predictor.layers.Fusion;
import io.jouleflow.predictor.layers.LayerType;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The per-layer-type random forests of a model set, as they predict: one {@link CompactForest}
 * per type that has one, on the log of a layer's joules over its type's FLOPs line; the fallback
 * rates for the other types and for types never seen. Immutable and thread-safe; what training
 * (the launcher's {@code RandomForestRegressor}) produces and {@link ModelSet} reads.
 *
 * <p>A layer of a forest type that has none of the forest's features falls back like a type
 * without a forest, and the prediction says {@link LayerPrediction#fallback()}.
 */
public final class LayerEnergyForests {

  /** {@link LayerType} order, then other labels alphabetically. */
  public static final Comparator<String> TYPE_ORDER =
      Comparator.<String>comparingInt(
              label -> LayerType.fromLabel(label).map(Enum::ordinal).orElse(Integer.MAX_VALUE))
          .thenComparing(Comparator.naturalOrder());

  private final ForestHyperParameters hyper;
  private final Map<String, CompactForest> forests;
  private final Map<String, LayerTypeFit> fits;
  private final FallbackRates global;

  /**
   * @param hyper the settings the forests were grown with
   * @param forests the forest of each type that has one
   * @param fits per type seen in training, forest or fallback
   * @param global the rates for types never seen in training
   */
  public LayerEnergyForests(
      ForestHyperParameters hyper,
      Map<String, CompactForest> forests,
      List<LayerTypeFit> fits,
      FallbackRates global) {
    this.hyper = hyper;
    this.forests = Map.copyOf(forests);
    Map<String, LayerTypeFit> byType = new TreeMap<>(TYPE_ORDER);
    fits.forEach(f -> byType.put(f.type(), f));
    this.fits = Collections.unmodifiableMap(byType);
    this.global = global == null ? FallbackRates.NONE : global;
  }

  public ForestHyperParameters hyperParameters() {
    return hyper;
  }

  /** Predicted joules per inference; never negative or NaN. */
  public double predictJoules(String layerType, Map<String, Double> features) {
    return predict(layerType, features).joules();
  }

  /** The predicted joules per inference of a layer and whether the fallback rule gave them. */
  public LayerPrediction predict(String layerType, Map<String, Double> features) {
    if (Fusion.isFused(features)) {
      return new LayerPrediction(0, LayerPrediction.FUSED); // its work is its producer's
    }
    CompactForest forest = forests.get(layerType);
    LayerTypeFit fit = fits.get(layerType);
    if (forest != null && forest.knowsAny(features) && fit != null && fit.rates().line() != null) {
      double log = forest.predict(forest.row(features));
      return new LayerPrediction(
          fit.rates().line().joules(features) * Math.exp(log), LayerPrediction.FOREST);
    }
    return FallbackRates.predict(fit == null ? FallbackRates.NONE : fit.rates(), global, features);
  }

  /** Whether layers of this type are predicted by the fallback rule (also: types never seen). */
  public boolean fallback(String layerType) {
    return !forests.containsKey(layerType);
  }

  /** Per type seen in training, forest or fallback, in {@link LayerType} order. */
  public List<LayerTypeFit> fits() {
    return List.copyOf(fits.values());
  }

  /** The rates for types never seen in training: over every training row. */
  public FallbackRates globalRates() {
    return global;
  }

  /** The forest of each type that has one. */
  public Map<String, CompactForest> forests() {
    return forests;
  }
}
