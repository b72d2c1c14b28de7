package io.jouleflow.launcher.train;

import io.jouleflow.predictor.layers.LayerType;
import io.jouleflow.predictor.model.CompactForest;
import io.jouleflow.predictor.model.FallbackRates;
import io.jouleflow.predictor.model.FlopsBaseline;
import io.jouleflow.predictor.model.ForestHyperParameters;
import io.jouleflow.predictor.model.LayerEnergyForests;
import io.jouleflow.predictor.model.LayerPrediction;
import io.jouleflow.predictor.model.LayerTypeFit;
import io.jouleflow.predictor.store.LayerSample;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The paper's layer-wise predictor: one random forest per layer type (Tribuo CART regression trees
 * on bootstrap samples, each split choosing among a random subset of the features, predictions
 * averaged), trained on log joules so that its errors are relative, as RMSPE measures them; the
 * prediction is exp of the forest's mean.
 *
 * <p>Features are the sample's named features ({@code LayerFeatures.asMap()} names) as Tribuo
 * features of the same names; a feature a layer lacks is absent (a tree reads it as 0). Tribuo
 * grows the forests ({@link ForestTrainer}); they are kept and predicted as {@link CompactForest}s,
 * so that prediction needs no Tribuo classes and a model set loads in milliseconds.
 *
 * <p>Feature importances ({@link LayerTypeFit#importances()}): the mean decrease of the squared
 * error of log joules, over the training rows ({@link ForestImportance}).
 *
 * <p>Training rows: one per distinct observed layer; agent samples of one (model, configuration,
 * layer) are first reduced to their median, so every row, collect or agent, weighs the same (see
 * {@link TrainingRows}).
 *
 * <p>Fallback: a type with fewer than {@link ForestHyperParameters#minSamples()} rows or from
 * fewer than {@link ForestHyperParameters#minModels()} distinct models gets no forest; it and any
 * type never seen in training are predicted by {@link FallbackRates} (per FLOP, else per byte
 * moved, else per layer), and the prediction says {@link LayerPrediction#fallback()}. A layer of a
 * forest type that has none of the forest's features falls back the same way.
 *
 * <p>Prediction is thread-safe once fitted; {@link #fit} is not to be called concurrently.
 */
public final class RandomForestRegressor implements LayerEnergyRegressor {

  /** {@link #name()}. */
  public static final String NAME = "random-forest";

  private final ForestHyperParameters hyper;
  private LayerEnergyForests forests;

  public RandomForestRegressor() {
    this(ForestHyperParameters.DEFAULT);
  }

  public RandomForestRegressor(ForestHyperParameters hyper) {
    this.hyper = hyper;
  }

  /** A fitted regressor: a model set's forests. */
  public RandomForestRegressor(LayerEnergyForests forests) {
    this.hyper = forests.hyperParameters();
    this.forests = forests;
  }

  @Override
  public String name() {
    return NAME;
  }

  public ForestHyperParameters hyperParameters() {
    return hyper;
  }

  @Override
  public void fit(List<LayerSample> samples) {
    fit(samples, line -> {});
  }

  /**
   * {@link #fit(List)}, telling {@code progress} one line per type as its forest is done.
   *
   * @throws IllegalArgumentException if no sample has a positive energy
   */
  public void fit(List<LayerSample> samples, Consumer<String> progress) {
    List<TrainingRows.Row> rows = TrainingRows.of(samples);
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("no layer samples with a positive energy to train on");
    }
    Map<String, List<TrainingRows.Row>> byType = new TreeMap<>(LayerEnergyForests.TYPE_ORDER);
    for (TrainingRows.Row row : rows) {
      byType.computeIfAbsent(row.type(), t -> new ArrayList<>()).add(row);
    }
    Map<String, CompactForest> trained = new LinkedHashMap<>();
    List<LayerTypeFit> typeFits = new ArrayList<>();
    List<String> forestTypes = new ArrayList<>();
    for (Map.Entry<String, List<TrainingRows.Row>> e : byType.entrySet()) {
      String reason = fallbackReason(e.getValue());
      if (reason != null) {
        typeFits.add(
            new LayerTypeFit(
                e.getKey(), e.getValue().size(), models(e.getValue()), true, reason, null, null,
                Map.of(), FallbackFits.rates(e.getValue()), 0));
        progress.accept(e.getKey() + ": fallback (" + reason + ")");
      } else {
        forestTypes.add(e.getKey());
      }
    }
    // Types train in parallel: each forest is one thread's work in Tribuo 4.3.
    int threads = Math.max(1, Math.min(forestTypes.size(), Runtime.getRuntime().availableProcessors()));
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "jouleflow-train");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Trained>> futures = new ArrayList<>();
      for (String type : forestTypes) {
        List<TrainingRows.Row> typeRows = byType.get(type);
        futures.add(pool.submit(() -> {
          Trained t = train(type, typeRows);
          synchronized (progress) {
            progress.accept(String.format(Locale.ROOT,
                "%s: forest of %d trees on %d rows from %d models (%.1f s)", type, hyper.trees(),
                t.fit.rows(), t.fit.models(), t.fit.trainingSeconds()));
          }
          return t;
        }));
      }
      for (Future<Trained> f : futures) {
        Trained t = f.get();
        trained.put(t.fit.type(), t.forest);
        typeFits.add(t.fit);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("training interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
    } finally {
      pool.shutdownNow();
    }
    this.forests = new LayerEnergyForests(hyper, trained, typeFits, FallbackFits.rates(rows));
  }

  private record Trained(CompactForest forest, LayerTypeFit fit) {}

  private Trained train(String type, List<TrainingRows.Row> rows) {
    long t0 = System.nanoTime();
    List<TrainingRows.Row> used = rows.stream().filter(r -> !r.features().isEmpty()).toList();
    // a type's own seed: adding a type to the samples leaves the other forests as they were
    long seed = hyper.seed() ^ ((long) type.hashCode() << 16);
    FallbackRates rates = FallbackFits.rates(rows);
    FlopsBaseline baseline = rates.line();
    ForestTrainer.Grown grown = ForestTrainer.grow(
        type, used, hyper, seed, r -> Math.log(r.joules() / baseline.joules(r.features())));
    CompactForest forest = grown.forest();
    List<double[]> vectors = new ArrayList<>(used.size());
    double[] targets = new double[used.size()];
    for (int i = 0; i < used.size(); i++) {
      vectors.add(forest.row(used.get(i).features()));
      targets[i] = Math.log(used.get(i).joules() / baseline.joules(used.get(i).features()));
    }
    Map<String, Double> importances = ForestImportance.of(forest, vectors, targets);
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new Trained(
        forest,
        new LayerTypeFit(
            type, rows.size(), models(rows), false, null, null, grown.trainer(), importances,
            rates, Math.round(seconds * 1000) / 1000.0));
  }

  private String fallbackReason(List<TrainingRows.Row> rows) {
    if (rows.size() < hyper.minSamples()) {
      return rows.size() + " rows < " + hyper.minSamples();
    }
    int models = models(rows);
    if (models < hyper.minModels()) {
      return models + (models == 1 ? " model" : " models") + " < " + hyper.minModels();
    }
    if (rows.stream().allMatch(r -> r.features().isEmpty())) {
      return "no features";
    }
    return null;
  }

  private static int models(List<TrainingRows.Row> rows) {
    Set<String> models = new HashSet<>();
    rows.forEach(r -> models.add(r.model()));
    return models.size();
  }

  @Override
  public double predictJoules(String layerType, Map<String, Double> features) {
    return predict(layerType, features).joules();
  }

  /**
   * The predicted joules per inference of a layer and whether the fallback rule gave them.
   *
   * @throws IllegalStateException if the regressor was never fitted
   */
  public LayerPrediction predict(String layerType, Map<String, Double> features) {
    return forests().predict(layerType, features);
  }

  /** Whether layers of this type are predicted by the fallback rule (also: types never seen). */
  public boolean fallback(String layerType) {
    return forests().fallback(layerType);
  }

  /** Per type seen in training, forest or fallback, in {@code LayerType} order. */
  public List<LayerTypeFit> fits() {
    return forests().fits();
  }

  /** The rates for types never seen in training: over every training row. */
  public FallbackRates globalRates() {
    return forests().globalRates();
  }

  /**
   * What the fit produced, as a model set holds it.
   *
   * @throws IllegalStateException if the regressor was never fitted
   */
  public LayerEnergyForests forests() {
    if (forests == null) {
      throw new IllegalStateException("the random forest regressor is not fitted");
    }
    return forests;
  }
}
