package io.jouleflow.launcher.train;

import io.jouleflow.meters.HardwareDescription;
import io.jouleflow.predictor.store.LayerSample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Layer samples with the features of the hardware they were measured on ({@code hw_…}, from the
 * store's hardware descriptions) added to their own: what lets one forest learn from several
 * hardware profiles and tell them apart.
 */
public final class HardwareJoin {

  private HardwareJoin() {}

  /**
   * The samples with their profile's hardware features, or, where a profile has no description,
   * the samples unchanged and the undescribed profiles named.
   *
   * @param samples samples of any profiles; hardware features they carry already are replaced
   * @param described each profile's {@code HardwareDescription.features()}, by profile id
   */
  public static Joined join(List<LayerSample> samples, Map<String, Map<String, Double>> described) {
    Set<String> undescribed = new TreeSet<>();
    samples.forEach(s -> {
      if (!described.containsKey(s.hardwareProfile())) {
        undescribed.add(s.hardwareProfile());
      }
    });
    if (!undescribed.isEmpty()) {
      return new Joined(samples, List.copyOf(undescribed));
    }
    List<LayerSample> joined = new ArrayList<>(samples.size());
    for (LayerSample s : samples) {
      Map<String, Double> features = new LinkedHashMap<>();
      s.features().forEach((name, value) -> {
        if (!HardwareDescription.isHardwareFeature(name)) {
          features.put(name, value);
        }
      });
      described.get(s.hardwareProfile()).forEach((name, value) -> {
        if (HardwareDescription.isHardwareFeature(name)) {
          features.put(name, value);
        }
      });
      joined.add(s.withFeatures(features));
    }
    return new Joined(joined, List.of());
  }

  /**
   * The outcome of {@link #join}.
   *
   * @param samples the samples, with hardware features where {@code undescribed} is empty
   * @param undescribed profiles of the samples that have no description, sorted
   */
  public record Joined(List<LayerSample> samples, List<String> undescribed) {
    public boolean complete() {
      return undescribed.isEmpty();
    }
  }
}
