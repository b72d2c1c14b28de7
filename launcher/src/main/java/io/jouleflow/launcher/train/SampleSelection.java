package io.jouleflow.launcher.train;

import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.MeasureProtocols;
import io.jouleflow.predictor.store.ModelSample;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which samples of one hardware profile {@code train} and {@code evaluate} use: one measurement
 * protocol (rows of the two are on different footings: layers in place sum to the whole model,
 * layers alone do not), and, unless asked, no configuration measured while the machine was busy.
 *
 * @param protocol the protocol chosen
 * @param layers the layer samples kept
 * @param models the whole-model samples kept
 * @param busyLeftOut configurations left out because they were measured busy
 */
public record SampleSelection(
    String protocol, List<LayerSample> layers, List<ModelSample> models, int busyLeftOut) {

  /** {@code --protocol}'s default: in place where the samples have such rows, else isolated. */
  public static final String AUTO = "auto";

  /**
   * @param protocol {@link #AUTO}, {@code inplace} or {@code isolated}
   * @param includeBusy whether configurations measured busy stay in
   */
  public static SampleSelection of(
      List<LayerSample> layers, List<ModelSample> models, String protocol, boolean includeBusy) {
    String chosen = protocol;
    if (AUTO.equals(protocol)) {
      chosen = layers.stream().anyMatch(s -> MeasureProtocols.IN_PLACE.equals(s.protocol()))
          ? MeasureProtocols.IN_PLACE : MeasureProtocols.ISOLATED;
    }
    String p = MeasureProtocols.check(chosen);
    Set<String> busy = new HashSet<>();
    List<ModelSample> keptModels = models.stream()
        .filter(m -> m.protocol().equals(p))
        .filter(m -> {
          if (!includeBusy && m.measuredBusy()) {
            busy.add(key(m.origin(), m.model(), m.config()));
            return false;
          }
          return true;
        })
        .toList();
    List<LayerSample> keptLayers = layers.stream()
        .filter(s -> s.protocol().equals(p))
        .filter(s -> !busy.contains(key(s.origin(), s.model(), s.config())))
        .toList();
    return new SampleSelection(p, keptLayers, keptModels, busy.size());
  }

  /** One line for the verbs' output. */
  public String describe() {
    return String.format(Locale.ROOT, "protocol %s%s", protocol,
        busyLeftOut == 0 ? "" : ", " + busyLeftOut + " configurations measured on a busy machine"
            + " left out (--include-busy keeps them)");
  }

  private static String key(String origin, String model, String config) {
    return origin + '\u0000' + model + '\u0000' + config;
  }
}
