package io.jouleflow.agent.runtime;

import io.jouleflow.agent.attribution.LayerRef;
import io.jouleflow.agent.attribution.LayerShares;
import io.jouleflow.agent.telemetry.AgentMetrics;
import io.jouleflow.meters.EnergyMeter;
import io.opentelemetry.api.common.Attributes;
import java.util.HashMap;
import java.util.Map;

/**
 * What the worker keeps per model: its labels, its layers (at most {@code layers.max}, the rest
 * folded into {@code _other}), the latest layer time shares, and the run time not yet spread over
 * layers. Worker thread only.
 */
final class ModelState {

  final String name;
  final Attributes attributes;
  private final int layersMax;
  private final Map<String, LayerRef> layers = new HashMap<>();
  private final Map<LayerRef, Attributes> layerAttributes = new HashMap<>();
  private final Map<String, Attributes> durationAttributes = new HashMap<>();
  private final Map<EnergyMeter, Attributes> energyAttributes = new HashMap<>();
  private final Map<String, Attributes> layerEnergyAttributes = new HashMap<>();
  private LayerShares shares;
  private long pendingRuns;
  private double pendingSeconds;
  private double recentRunMicros; // moving average of run wall time, for splitting energy
  boolean announced;
  boolean nodesLogged;
  // Live comparison: predictions for the latest traced batch; cumulative energy and runs, and
  // their values at the last comparison, for energy per inference over a recent window.
  int predictedBatch = Integer.MIN_VALUE;
  Map<String, Double> predicted;
  // The layers with the shapes of the latest traced batch (their features), and its config id.
  io.jouleflow.predictor.layers.LayerGraph runtimeGraph;
  String config;
  private final Map<LayerRef, Double> layerSeconds = new HashMap<>();
  private final Map<LayerRef, Double> secondsAtLastCompare = new HashMap<>();
  private java.time.Instant windowStart = java.time.Instant.now();
  private final Map<LayerRef, Double> layerJoules = new HashMap<>();
  private final Map<LayerRef, Double> joulesAtLastCompare = new HashMap<>();
  private long runs;
  private long runsAtLastCompare;
  Object layerSource; // the model's layer resolver, built on first need

  ModelState(String name, int layersMax) {
    this.name = name;
    this.layersMax = layersMax;
    this.attributes = Attributes.of(AgentMetrics.MODEL, name);
  }

  /** A layer of this model, or {@code _other} once {@code layers.max} layers are known. */
  LayerRef bounded(LayerRef layer) {
    if (layer.equals(LayerRef.UNATTRIBUTED)) {
      return layer;
    }
    LayerRef known = layers.get(layer.id());
    if (known != null) {
      return known;
    }
    if (layers.size() >= layersMax) {
      return LayerRef.OTHER;
    }
    layers.put(layer.id(), layer);
    return layer;
  }

  LayerShares shares() {
    return shares;
  }

  /** New shares from a traced run; time still pending is spread with the old ones first. */
  void updateShares(LayerShares fresh, AgentMetrics metrics) {
    flushTime(metrics);
    shares = fresh;
  }

  /** One more run whose time is spread over layers at the next flush. */
  void addRun(double seconds) {
    pendingRuns++;
    runs++;
    pendingSeconds += seconds;
    double micros = seconds * 1e6;
    recentRunMicros = recentRunMicros == 0 ? micros : 0.95 * recentRunMicros + 0.05 * micros;
  }

  /**
   * Spreads pending run time over layers by the latest traced active times: each layer gets its
   * active time per run (the pending runs' mean wall time bounding it), {@code _unattributed} the
   * rest; {@code layer.samples} counts the runs once per layer.
   */
  void flushTime(AgentMetrics metrics) {
    if (pendingRuns == 0 || shares == null) {
      return;
    }
    Map<LayerRef, Boolean> counted = new HashMap<>();
    double meanRunMicros = pendingSeconds * 1e6 / pendingRuns;
    for (String device : shares.devices()) {
      shares.shares(device, meanRunMicros).forEach((layer, share) -> {
        metrics.recordLayerTime(durationAttributes(layer, device), pendingSeconds * share);
        layerSeconds.merge(layer, pendingSeconds * share, Double::sum);
        if (counted.put(layer, Boolean.TRUE) == null) {
          metrics.recordLayerSamples(layerAttributes(layer), pendingRuns);
        }
      });
    }
    pendingRuns = 0;
    pendingSeconds = 0;
  }

  /**
   * Splits one meter's energy of this model's runs over layers: each layer's share is its latest
   * traced active time on the matching TensorFlow device ({@code gpu:N} or {@code cpu}) over the
   * model's recent mean run time; without a trace for that device, all of it is unattributed. The
   * parts sum to {@code joules}.
   */
  void splitEnergy(EnergyMeter meter, String tfDevice, double joules, AgentMetrics metrics) {
    metrics.recordInferenceEnergy(energyAttributes(meter), joules);
    Map<LayerRef, Double> s = shares == null ? Map.of() : shares.shares(tfDevice, recentRunMicros);
    if (s.isEmpty()) {
      metrics.recordLayerEnergy(layerEnergyAttributes(LayerRef.UNATTRIBUTED, meter), joules);
      layerJoules.merge(LayerRef.UNATTRIBUTED, joules, Double::sum);
      return;
    }
    s.forEach((layer, share) -> {
      metrics.recordLayerEnergy(layerEnergyAttributes(layer, meter), joules * share);
      layerJoules.merge(layer, joules * share, Double::sum);
    });
  }

  /**
   * Observed joules per inference of each layer since the last comparison (all meters summed),
   * next to the predictions: exports {@code layer.energy.observed}, and {@code prediction.error}
   * per layer type as (observed - predicted) / observed over the layers that have both. Nothing
   * happens before the window holds runs and energy.
   */
  java.util.List<io.jouleflow.predictor.store.LayerSample> compare(
      AgentMetrics metrics, String hardwareProfile, String meterSource) {
    java.util.List<io.jouleflow.predictor.store.LayerSample> samples = new java.util.ArrayList<>();
    long windowRuns = runs - runsAtLastCompare;
    if (windowRuns <= 0 || layerJoules.isEmpty()) {
      return samples;
    }
    Map<String, double[]> byType = new HashMap<>(); // type -> {observed, predicted}
    for (Map.Entry<LayerRef, Double> e : layerJoules.entrySet()) {
      LayerRef layer = e.getKey();
      double perInference =
          (e.getValue() - joulesAtLastCompare.getOrDefault(layer, 0.0)) / windowRuns;
      if (layer.equals(LayerRef.UNATTRIBUTED) || !(perInference > 0)) {
        continue;
      }
      metrics.setObserved(layerAttributes(layer), perInference);
      Double p = predicted == null ? null : predicted.get(layer.id());
      var detected = runtimeGraph == null ? null : runtimeGraph.layer(layer.id()).orElse(null);
      if (detected != null && hardwareProfile != null && predictedBatch > 0) {
        double seconds = (layerSeconds.getOrDefault(layer, 0.0)
            - secondsAtLastCompare.getOrDefault(layer, 0.0)) / windowRuns;
        samples.add(new io.jouleflow.predictor.store.LayerSample(windowStart, hardwareProfile,
            meterSource, io.jouleflow.predictor.store.SampleOrigin.AGENT, name, config, layer.id(),
            detected.type().label(), detected.features(), predictedBatch, perInference, seconds,
            windowRuns, p));
      }
      if (p != null) {
        metrics.setPredicted(layerAttributes(layer), p);
        double[] sums = byType.computeIfAbsent(layer.type(), t -> new double[2]);
        sums[0] += perInference;
        sums[1] += p;
      }
    }
    byType.forEach((type, sums) -> metrics.setPredictionError(
        Attributes.of(AgentMetrics.MODEL, name, AgentMetrics.LAYER_TYPE, type),
        (sums[0] - sums[1]) / sums[0]));
    joulesAtLastCompare.putAll(layerJoules);
    secondsAtLastCompare.putAll(layerSeconds);
    runsAtLastCompare = runs;
    windowStart = java.time.Instant.now();
    return samples;
  }

  private Attributes layerAttributes(LayerRef layer) {
    return layerAttributes.computeIfAbsent(layer, l -> Attributes.of(
        AgentMetrics.MODEL, name, AgentMetrics.LAYER, l.id(), AgentMetrics.LAYER_TYPE, l.type()));
  }

  private Attributes durationAttributes(LayerRef layer, String device) {
    return durationAttributes.computeIfAbsent(layer.id() + "\u0000" + layer.type() + "\u0000" + device,
        k -> layerAttributes(layer).toBuilder().put(AgentMetrics.DEVICE, device).build());
  }

  private Attributes energyAttributes(EnergyMeter meter) {
    return energyAttributes.computeIfAbsent(meter, m -> attributes.toBuilder()
        .put(AgentMetrics.DEVICE, m.device().id())
        .put(AgentMetrics.SOURCE, m.source().label())
        .build());
  }

  private Attributes layerEnergyAttributes(LayerRef layer, EnergyMeter meter) {
    return layerEnergyAttributes.computeIfAbsent(
        layer.id() + "\u0000" + layer.type() + "\u0000" + meter.device().id(),
        k -> layerAttributes(layer).toBuilder()
            .put(AgentMetrics.DEVICE, meter.device().id())
            .put(AgentMetrics.SOURCE, meter.source().label())
            .build());
  }
}
