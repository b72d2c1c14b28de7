package io.jouleflow.launcher.evaluate;

import io.jouleflow.launcher.train.LayerEnergyRegressor;
import io.jouleflow.predictor.store.LayerSample;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.common.xgboost.XGBoostTrainer.BoosterType;
import org.tribuo.common.xgboost.XGBoostTrainer.LoggingVerbosity;
import org.tribuo.common.xgboost.XGBoostTrainer.TreeMethod;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.xgboost.XGBoostRegressionTrainer.RegressionType;
import org.tribuo.regression.xgboost.XGBoostRegressionTrainer;

/**
 * The paper's XGBoost baseline: gradient-boosted trees (Tribuo's {@link XGBoostRegressionTrainer},
 * squared error) per layer type, on {@code ln(joules)}, so that the loss weighs relative errors as
 * RMSPE does; predictions are {@code exp} of the model's output.
 *
 * <p>Features enter raw (trees do not care about monotone transforms). A feature a layer lacks is
 * left out of its example, which XGBoost treats as missing and routes by the learned default
 * direction. A type with fewer than {@link Settings#minSamplesPerType()} samples, and a type not
 * trained on, uses one model trained on all types together with a {@code type_<Type>} indicator
 * feature. A layer with no feature the model knows gets its type's median energy.
 */
public final class XGBoostRegressor implements LayerEnergyRegressor {

  private static final String TARGET = "log_joules";
  private static final String TYPE_PREFIX = "type_";

  /**
   * Hyper-parameters.
   *
   * @param trees boosting rounds
   * @param eta shrinkage per round
   * @param maxDepth maximum tree depth
   * @param subsample rows sampled per tree, (0, 1]
   * @param minSamplesPerType below this many samples a type uses the model of all types
   * @param threads XGBoost threads
   * @param seed random seed (row sampling)
   */
  public record Settings(
      int trees,
      double eta,
      int maxDepth,
      double subsample,
      int minSamplesPerType,
      int threads,
      long seed) {

    public Settings {
      if (trees < 1
          || !(eta > 0 && eta <= 1)
          || maxDepth < 1
          || !(subsample > 0 && subsample <= 1)
          || minSamplesPerType < 1
          || threads < 1) {
        throw new IllegalArgumentException("invalid XGBoost settings: " + this);
      }
    }

    /**
     * 300 rounds of depth-6 trees (histogram method), eta 0.05, 80 % row sampling, types from 10
     * samples, one thread: a type's data set is small enough for one thread to fit in about a
     * second, and XGBoost's OpenMP threads slow down by an order of magnitude on a busy machine.
     */
    public static Settings defaults() {
      return new Settings(300, 0.05, 6, 0.8, 10, 1, 1L);
    }
  }

  private final Settings settings;
  private Map<String, Model<Regressor>> byType = Map.of();
  private Model<Regressor> global;
  private MedianJoules medians;

  public XGBoostRegressor() {
    this(Settings.defaults());
  }

  public XGBoostRegressor(Settings settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return "xgboost";
  }

  @Override
  public void fit(List<LayerSample> samples) {
    Map<String, List<LayerSample>> groups = TrainingLayers.byType(samples);
    XGBoostRegressionTrainer trainer =
        new XGBoostRegressionTrainer(
            BoosterType.GBTREE,
            TreeMethod.HIST,
            RegressionType.LINEAR,
            settings.trees(),
            settings.eta(),
            0,
            settings.maxDepth(),
            1,
            settings.subsample(),
            1,
            1,
            0,
            settings.threads(),
            LoggingVerbosity.SILENT,
            settings.seed());
    Map<String, Model<Regressor>> fitted = new TreeMap<>();
    for (Map.Entry<String, List<LayerSample>> group : groups.entrySet()) {
      if (group.getValue().size() >= settings.minSamplesPerType()) {
        fitted.put(group.getKey(), train(trainer, group.getValue(), false));
      }
    }
    global = train(trainer, TrainingLayers.all(groups), true);
    medians = MedianJoules.of(groups);
    byType = fitted;
  }

  @Override
  public double predictJoules(String layerType, Map<String, Double> features) {
    if (medians == null) {
      throw new IllegalStateException(name() + " is not fitted");
    }
    Model<Regressor> model = byType.get(layerType);
    boolean withType = model == null;
    Example<Regressor> example =
        example(RegressionFactory.UNKNOWN_REGRESSOR, layerType, features, withType);
    if (example.size() == 0) {
      return medians.of(layerType);
    }
    double log;
    try {
      log = (withType ? global : model).predict(example).getOutput().getValues()[0];
    } catch (IllegalArgumentException e) {
      // Tribuo refuses an example none of whose features the model has seen.
      return medians.of(layerType);
    }
    return medians.orMedian(Math.exp(log), layerType);
  }

  private static Model<Regressor> train(
      XGBoostRegressionTrainer trainer, List<LayerSample> samples, boolean withType) {
    RegressionFactory factory = new RegressionFactory();
    MutableDataset<Regressor> data =
        new MutableDataset<>(
            new SimpleDataSourceProvenance(
                "jouleflow layer samples", OffsetDateTime.now(), factory),
            factory);
    for (LayerSample s : samples) {
      Example<Regressor> example =
          example(
              new Regressor(TARGET, Math.log(s.joulesPerInference())),
              s.layerType(),
              s.features(),
              withType);
      if (example.size() > 0) {
        data.add(example);
      }
    }
    if (data.size() == 0) {
      throw new IllegalArgumentException("no layer sample has features to train XGBoost on");
    }
    return trainer.train(data);
  }

  private static Example<Regressor> example(
      Regressor output, String layerType, Map<String, Double> features, boolean withType) {
    List<String> names = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    features.forEach(
        (name, value) -> {
          if (value != null && Double.isFinite(value)) {
            names.add(name);
            values.add(value);
          }
        });
    if (withType) {
      names.add(TYPE_PREFIX + layerType);
      values.add(1.0);
    }
    return new ArrayExample<>(
        output,
        names.toArray(String[]::new),
        values.stream().mapToDouble(Double::doubleValue).toArray());
  }
}
