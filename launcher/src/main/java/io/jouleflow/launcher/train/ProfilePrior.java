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
 * machine measured, scaled to this machine by the median ratio of whole-model energies of the
 * configurations both measured (a calibration's suite, or the same collect grid), and relabelled
 * with this profile. A layer this machine measured itself keeps its own row only.
 *
 * @param rows the prior rows, scaled and relabelled
 * @param ratio this machine's energy ÷ the other's, the median over {@code matched}
 * @param matched configurations both profiles measured (0: no ratio known, the rows are not used)
 */
public record ProfilePrior(List<LayerSample> rows, double ratio, int matched) {

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
    if (ratios.isEmpty()) {
      return new ProfilePrior(List.of(), Double.NaN, 0);
    }
    double[] sorted = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = sorted.length;
    double ratio = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
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
    return new ProfilePrior(List.copyOf(rows), ratio, n);
  }

  private static String key(String a, String b, String c) {
    return String.join("\u0000", Arrays.asList(a, b, c));
  }
}
