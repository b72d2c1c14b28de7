package io.jouleflow.launcher.evaluate;

import io.jouleflow.launcher.train.LayerEnergyRegressor;
import io.jouleflow.launcher.train.RandomForestRegressor;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/** The methods {@code evaluate --methods} knows, by their short key, in the report's row order. */
public enum EvaluationMethod {
  /** Ours, as in the paper: per-type random forests ({@link RandomForestRegressor}). */
  RF("rf", RandomForestRegressor::new),
  /** Per-type gradient-boosted trees ({@link XGBoostRegressor}). */
  XGBOOST("xgboost", XGBoostRegressor::new),
  /** NeuralPower-style per-type polynomial ({@link PolynomialRegressor}). */
  POLY("poly", PolynomialRegressor::new),
  /** Per-type {@code a + b·flops} ({@link FlopsLinearRegressor}). */
  FLOPS("flops", FlopsLinearRegressor::new);

  private final String key;
  private final Supplier<LayerEnergyRegressor> factory;

  EvaluationMethod(String key, Supplier<LayerEnergyRegressor> factory) {
    this.key = key;
    this.factory = factory;
  }

  /** The key on the command line: {@code rf}, {@code xgboost}, {@code poly}, {@code flops}. */
  public String key() {
    return key;
  }

  /** A new, unfitted regressor of this method with its default settings. */
  public LayerEnergyRegressor create() {
    return factory.get();
  }

  /** The method of a key (case-insensitive). */
  public static Optional<EvaluationMethod> ofKey(String key) {
    String k = key.strip().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(m -> m.key.equals(k)).findFirst();
  }

  /** Every key, in row order. */
  public static List<String> keys() {
    return Arrays.stream(values()).map(EvaluationMethod::key).toList();
  }
}
