package io.jouleflow.launcher.train;

import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.ModelSample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rows of another hardware profile as prior knowledge for training on this one: what the other
 * machine measured, scaled to this machine and relabelled with this profile. The scale is the
 * median ratio of whole-model energies of the configurations both measured (a calibration's suite,
 * or the same collect grid); where there are none, this machine's observed energy over what a
 * model set predicted for the same layers ({@code predicted_joules}, which the agent records; its
 * set was trained on the other machine's rows unless calibrated). A layer this machine measured
 * itself keeps its own row only.
 *
 * @param rows the prior rows, scaled and relabelled
 * @param ratio this machine's energy ÷ the other's
 * @param matched configurations both profiles measured, or, scaled by predictions, this
 *     machine's rows that carried one (0: no ratio known, the rows are not used)
 * @param byPredictions whether the ratio came from predictions rather than shared configurations
 */
public record ProfilePrior(List<LayerSample> rows, double ratio, int matched, boolean byPredictions) {

  /**
   * @param profile this machine's profile (the rows' new label)
   * @param own this profile's layer and model samples
   * @param other another profile's layer and model samples
   */
  public static ProfilePrior of(String profile, List<LayerSample> own, List<ModelSample> ownModels,
      List<LayerSample> other, List<ModelSample> otherModels) {
    Map<String, Double> ownWhole = new HashMap<>();
    ownModels.forEach(m -> ownWhole.put(key(m.model(), m.config(), m.protocol()), m.joulesPerInference()));
    List<Double> ratios = new ArrayList<>();
    for (ModelSample m : otherModels) {
      Double mine = ownWhole.get(key(m.model(), m.config(), m.protocol()));
      if (mine != null && mine > 0 && m.joulesPerInference() > 0) {
        ratios.add(mine / m.joulesPerInference());
      }
    }
    double ratio;
    int n;
    boolean byPredictions = ratios.isEmpty();
    if (byPredictions) {
      double observed = 0;
      double predicted = 0;
      n = 0;
      for (LayerSample s : own) {
        if (s.predictedJoules() != null && s.predictedJoules() > 0 && s.joulesPerInference() > 0) {
          observed += s.joulesPerInference();
          predicted += s.predictedJoules();
          n++;
        }
      }
      if (n == 0) {
        return new ProfilePrior(List.of(), Double.NaN, 0, true);
      }
      ratio = observed / predicted;
    } else {
      double[] sorted = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      n = sorted.length;
      ratio = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
    Set<String> measuredHere = new HashSet<>();
    own.forEach(s -> measuredHere.add(key(s.model(), s.config(), s.layer())));
    List<LayerSample> rows = new ArrayList<>();
    for (LayerSample s : other) {
      if (measuredHere.contains(key(s.model(), s.config(), s.layer()))) {
        continue;
      }
      rows.add(new LayerSample(s.time(), profile, s.meterSource(), s.origin(), s.model(), s.config(),
          s.layer(), s.layerType(), s.features(), s.batchSize(), s.joulesPerInference() * ratio,
          s.secondsPerInference(), s.runsAveraged(), null, null, s.protocol()));
    }
    return new ProfilePrior(List.copyOf(rows), ratio, n, byPredictions);
  }

  private static String key(String a, String b, String c) {
    return String.join("\u0000", Arrays.asList(a, b, c));
  }
}
