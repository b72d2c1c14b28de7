package io.jouleflow.predictor.attribution;

import io.jouleflow.predictor.attribution.ActiveTimeSplitter.Interval;
import io.jouleflow.predictor.trace.NodeRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one traced run says about a model: per TensorFlow device, each layer's active time in
 * microseconds (by {@link ActiveTimeSplitter}: concurrent ops share an instant). Applied to any
 * run of the model — traced or not — it gives each layer's share of that run: active time over
 * the run's wall time. What no layer covers (executor and JNI work, gaps, and the tracing
 * overhead of traced runs) is the {@link LayerRef#UNATTRIBUTED} remainder, so shares sum to 1.
 */
public final class LayerShares {

  private final Map<String, Map<LayerRef, Double>> activeMicros;

  private LayerShares(Map<String, Map<LayerRef, Double>> activeMicros) {
    this.activeMicros = activeMicros;
  }

  /**
   * @param nodes the traced run's nodes
   * @param layers each node's layer (same order), or null for executor infrastructure, whose
   *     time counts as unattributed
   */
  public static LayerShares of(List<NodeRecord> nodes, List<LayerRef> layers) {
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
    intervals.forEach((device, list) ->
        byDevice.put(device, Collections.unmodifiableMap(ActiveTimeSplitter.split(list))));
    return new LayerShares(Collections.unmodifiableMap(byDevice));
  }

  /** TensorFlow devices the run used ({@code cpu:0}, {@code gpu:0}, ...). */
  public Set<String> devices() {
    return activeMicros.keySet();
  }

  /** Active microseconds per layer on a device; empty if the run did not use it. */
  public Map<LayerRef, Double> activeMicros(String tfDevice) {
    return activeMicros.getOrDefault(tfDevice, Map.of());
  }

  /**
   * Each layer's share of a run of {@code runMicros} on a device — {@code gpu:N}, or {@code cpu}
   * for all CPU devices together (their active times averaged) — plus the unattributed rest;
   * the shares sum to 1. Layers never exceed the run: when their active time is longer (clocks
   * differ slightly), they are scaled to fill it. Empty when the run used no such device.
   */
  public Map<LayerRef, Double> shares(String tfDeviceOrCpu, double runMicros) {
    Map<LayerRef, Double> micros = tfDeviceOrCpu.equals("cpu") ? cpuMicros() : activeMicros(tfDeviceOrCpu);
    if (micros.isEmpty()) {
      return Map.of();
    }
    double covered = micros.values().stream().mapToDouble(Double::doubleValue).sum();
    double denominator = Math.max(runMicros, covered);
    Map<LayerRef, Double> shares = new LinkedHashMap<>();
    double sum = 0;
    for (Map.Entry<LayerRef, Double> e : micros.entrySet()) {
      double share = denominator > 0 ? e.getValue() / denominator : 0;
      shares.merge(e.getKey(), share, Double::sum);
      sum += share;
    }
    shares.merge(LayerRef.UNATTRIBUTED, Math.max(0, 1 - sum), Double::sum);
    return shares;
  }

  private Map<LayerRef, Double> cpuMicros() {
    List<Map<LayerRef, Double>> cpus = new ArrayList<>();
    activeMicros.forEach((d, m) -> {
      if (d.startsWith("cpu:")) {
        cpus.add(m);
      }
    });
    if (cpus.size() <= 1) {
      return cpus.isEmpty() ? Map.of() : cpus.get(0);
    }
    Map<LayerRef, Double> merged = new LinkedHashMap<>();
    for (Map<LayerRef, Double> m : cpus) {
      m.forEach((l, v) -> merged.merge(l, v / cpus.size(), Double::sum));
    }
    return merged;
  }
}
