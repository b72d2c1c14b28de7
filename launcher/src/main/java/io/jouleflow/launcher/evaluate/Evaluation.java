package io.jouleflow.launcher.evaluate;

import io.jouleflow.launcher.evaluate.EvaluationReport.MethodResult;
import io.jouleflow.launcher.evaluate.PercentErrors.ErrorSummary;
import io.jouleflow.launcher.evaluate.Splits.Fold;
import io.jouleflow.launcher.evaluate.Splits.Split;
import io.jouleflow.launcher.train.LayerEnergyRegressor;
import io.jouleflow.predictor.layers.Fusion;
import io.jouleflow.predictor.layers.OverheadLayer;
import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.ModelSample;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The held-out-architecture evaluation: for each fold of a {@link Split} and each regressor, fit on
 * the layers of the training models, predict every layer of the held-out models, and score
 *
 * <ul>
 *   <li>per layer type: RMSPE of the predicted against the measured layer energy;
 *   <li>per whole model (one model at one configuration): the sum of its predicted layers against
 *       (a) the measured whole model ({@link ModelSample#joulesPerInference()}) and (b) the
 *       measured sum of its layers ({@link ModelSample#sumOfLayerJoules()}); (a) includes what the
 *       additivity factor says layers in isolation miss, (b) is the regressors' own error;
 *   <li>the share of whole models predicted within ±10 %, for (a) and (b).
 * </ul>
 *
 * <p>Errors are pooled over folds (every held-out prediction counts once), not averaged per fold.
 * Layers whose measured energy is not positive are predicted (they count in the whole-model sum)
 * but not scored, and not trained on. A model's overhead row (in place) is predicted, trained on
 * and scored like a layer type; an {@code Overhead} row without model features is neither. A whole
 * model is scored only if its layers were measured.
 */
public final class Evaluation {

  private Evaluation() {}

  /**
   * Runs the evaluation.
   *
   * @param split the folds
   * @param layers layer samples (one hardware profile, as a rule)
   * @param models whole-model samples of the same models
   * @param regressors the methods; each is fitted once per fold ({@link LayerEnergyRegressor#fit}
   *     discards earlier fits)
   * @param progress receives one line per fold and per fitted method
   * @throws IllegalStateException if a regressor predicts a negative or non-finite energy
   */
  public static EvaluationReport run(
      Split split,
      List<LayerSample> layers,
      List<ModelSample> models,
      List<? extends LayerEnergyRegressor> regressors,
      Consumer<String> progress) {
    Objects.requireNonNull(progress, "progress");
    Map<String, List<LayerSample>> layersOfModel = new LinkedHashMap<>();
    for (LayerSample s : layers) {
      if (OverheadLayer.learnable(s.layerType(), s.features())) {
        layersOfModel.computeIfAbsent(modelKey(s), k -> new ArrayList<>()).add(s);
      }
    }
    List<Scores> scores = new ArrayList<>();
    for (LayerEnergyRegressor regressor : regressors) {
      scores.add(new Scores(regressor.name()));
    }
    Map<String, Integer> heldOutLayers = new TreeMap<>();
    Set<String> heldOutArchitectures = new TreeSet<>();
    int foldsEvaluated = 0;
    for (int f = 0; f < split.folds().size(); f++) {
      Fold fold = split.folds().get(f);
      List<LayerSample> train = new ArrayList<>();
      List<LayerSample> test = new ArrayList<>();
      for (LayerSample s : layers) {
        (fold.holdsOut(s.hardwareProfile(), s.model()) ? test : train).add(s);
      }
      List<ModelSample> testModels =
          models.stream()
              .filter(m -> fold.holdsOut(m.hardwareProfile(), m.model())
                  && layersOfModel.containsKey(modelKey(m)))
              .toList();
      long trainable = train.stream().filter(TrainingLayers::usable).count();
      String head =
          String.format(
              Locale.ROOT,
              "fold %d/%d %s: holds out %s (%d configurations, %d layers); training on %d"
                  + " layers",
              f + 1,
              split.folds().size(),
              fold.name(),
              fold.describeHeldOut(),
              testModels.size(),
              test.size(),
              trainable);
      if (trainable == 0 || test.isEmpty()) {
        progress.accept(head + " -- skipped, nothing to " + (trainable == 0 ? "train on" : "test"));
        continue;
      }
      progress.accept(head);
      foldsEvaluated++;
      for (LayerSample s : test) {
        if (TrainingLayers.usable(s)) {
          heldOutLayers.merge(s.layerType(), 1, Integer::sum);
        }
      }
      testModels.forEach(m -> heldOutArchitectures.add(Splits.architecture(m.model())));
      for (int r = 0; r < regressors.size(); r++) {
        LayerEnergyRegressor regressor = regressors.get(r);
        Scores score = scores.get(r);
        long t0 = System.nanoTime();
        regressor.fit(List.copyOf(train));
        double fitSeconds = (System.nanoTime() - t0) / 1e9;
        Map<LayerSample, Double> predicted = new IdentityHashMap<>();
        for (LayerSample s : test) {
          // A fused layer runs inside its producer's kernel: every method predicts it as 0.
          double joules = Fusion.isFused(s.features()) ? 0
              : regressor.predictJoules(s.layerType(), s.features());
          if (!Double.isFinite(joules) || joules < 0) {
            throw new IllegalStateException(
                regressor.name()
                    + " predicted "
                    + joules
                    + " J for layer "
                    + s.layer()
                    + " ("
                    + s.layerType()
                    + ") of "
                    + s.model());
          }
          predicted.put(s, joules);
          if (TrainingLayers.usable(s)) {
            score
                .perType
                .computeIfAbsent(s.layerType(), t -> new PercentErrors())
                .add(joules, s.joulesPerInference());
          }
        }
        PercentErrors foldWhole = new PercentErrors();
        for (ModelSample m : testModels) {
          double sum = 0;
          for (LayerSample s : layersOfModel.get(modelKey(m))) {
            Double p = predicted.get(s);
            sum += p == null ? 0 : p;
          }
          score.whole.add(sum, m.joulesPerInference());
          foldWhole.add(sum, m.joulesPerInference());
          if (m.sumOfLayerJoules() != null) {
            score.sumOfLayers.add(sum, m.sumOfLayerJoules());
          }
        }
        progress.accept(
            String.format(
                Locale.ROOT,
                "  %s: fitted in %.1f s, whole-model RMSPE %s %% on this fold",
                regressor.name(),
                fitSeconds,
                EvaluationReport.percent(foldWhole.rmspe())));
      }
    }
    List<MethodResult> results = new ArrayList<>();
    for (Scores s : scores) {
      Map<String, ErrorSummary> perType = new TreeMap<>();
      s.perType.forEach((type, errors) -> perType.put(type, errors.summary()));
      results.add(new MethodResult(s.method, s.whole.summary(), s.sumOfLayers.summary(), perType));
    }
    return new EvaluationReport(
        split.name(),
        split.description(),
        hardwareProfile(layers),
        foldsEvaluated,
        heldOutArchitectures.size(),
        heldOutLayers,
        results);
  }

  private static String hardwareProfile(List<LayerSample> layers) {
    Set<String> profiles = new TreeSet<>();
    layers.forEach(s -> profiles.add(s.hardwareProfile()));
    return profiles.size() == 1
        ? profiles.iterator().next()
        : profiles.isEmpty() ? "none" : profiles.size() + " profiles";
  }

  /** One model at one configuration on one hardware profile, from one origin. */
  private static String modelKey(LayerSample s) {
    return s.hardwareProfile() + '|' + s.origin() + '|' + s.model() + '|' + s.config();
  }

  private static String modelKey(ModelSample m) {
    return m.hardwareProfile() + '|' + m.origin() + '|' + m.model() + '|' + m.config();
  }

  /** The pooled errors of one method. */
  private static final class Scores {
    final String method;
    final PercentErrors whole = new PercentErrors();
    final PercentErrors sumOfLayers = new PercentErrors();
    final Map<String, PercentErrors> perType = new TreeMap<>();

    Scores(String method) {
      this.method = method;
    }
  }
}
