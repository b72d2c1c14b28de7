package io.jouleflow.agent.attribution;

import io.jouleflow.agent.attribution.ActiveTimeSplitter.Interval;
import io.jouleflow.agent.trace.NodeRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How one traced run's wall time divided among layers, per TensorFlow device: for each device,
 * each layer's active time (by {@link ActiveTimeSplitter}: concurrent ops share an instant) as a
 * fraction of the run's wall time. What no layer covers — gaps between ops, executor nodes,
 * framework and JNI time — is the {@link LayerRef#UNATTRIBUTED} remainder, so a device's shares
 * always sum to exactly 1. Untraced runs of the model reuse the latest shares.
 */
public final class LayerShares {

  private final Map<String, Map<LayerRef, Double>> byDevice;

  private LayerShares(Map<String, Map<LayerRef, Double>> byDevice) {
    this.byDevice = byDevice;
  }

  /**
   * @param nodes the traced run's nodes
   * @param layers each node's layer (same order), or null for executor infrastructure, whose
   *     time counts as unattributed
   * @param runMicros the run's wall time as the application saw it
   */
  public static LayerShares of(List<NodeRecord> nodes, List<LayerRef> layers, double runMicros) {
    Map<String, List<Interval<LayerRef>>> intervals = new LinkedHashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      NodeRecord n = nodes.get(i);
      LayerRef layer = layers.get(i);
      if (layer == null) {
        continue;
      }
      intervals.computeIfAbsent(n.device(), d -> new ArrayList<>())
          .add(new Interval<>(layer, n.startMicros(), n.endMicros()));
    }
    Map<String, Map<LayerRef, Double>> byDevice = new LinkedHashMap<>();
    for (Map.Entry<String, List<Interval<LayerRef>>> e : intervals.entrySet()) {
      Map<LayerRef, Double> micros = ActiveTimeSplitter.split(e.getValue());
      double covered = micros.values().stream().mapToDouble(Double::doubleValue).sum();
      // TensorFlow's clock and ours differ slightly; never let layers exceed the run.
      double denominator = Math.max(runMicros, covered);
      Map<LayerRef, Double> shares = new LinkedHashMap<>();
      double sum = 0;
      for (Map.Entry<LayerRef, Double> m : micros.entrySet()) {
        double share = denominator > 0 ? m.getValue() / denominator : 0;
        shares.merge(m.getKey(), share, Double::sum);
        sum += share;
      }
      shares.merge(LayerRef.UNATTRIBUTED, Math.max(0, 1 - sum), Double::sum);
      byDevice.put(e.getKey(), Collections.unmodifiableMap(shares));
    }
    return new LayerShares(Collections.unmodifiableMap(byDevice));
  }

  /** TensorFlow devices the run used ({@code cpu:0}, {@code gpu:0}, ...). */
  public java.util.Set<String> devices() {
    return byDevice.keySet();
  }

  /** Shares of one TensorFlow device, summing to 1; empty if the run did not use it. */
  public Map<LayerRef, Double> of(String tfDevice) {
    return byDevice.getOrDefault(tfDevice, Map.of());
  }

  /**
   * Shares for a kind of device: {@code gpu:N} as is; {@code cpu} combines every CPU device (their
   * shares averaged, so they still sum to 1). Empty when the run used no such device.
   */
  public Map<LayerRef, Double> forDeviceKind(String tfDeviceOrCpu) {
    if (!tfDeviceOrCpu.equals("cpu")) {
      return of(tfDeviceOrCpu);
    }
    List<Map<LayerRef, Double>> cpus = new ArrayList<>();
    byDevice.forEach((d, s) -> {
      if (d.startsWith("cpu:")) {
        cpus.add(s);
      }
    });
    if (cpus.size() <= 1) {
      return cpus.isEmpty() ? Map.of() : cpus.get(0);
    }
    Map<LayerRef, Double> merged = new HashMap<>();
    for (Map<LayerRef, Double> s : cpus) {
      s.forEach((l, v) -> merged.merge(l, v / cpus.size(), Double::sum));
    }
    return merged;
  }
}
