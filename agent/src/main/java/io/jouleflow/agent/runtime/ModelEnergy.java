package io.jouleflow.agent.runtime;

import io.jouleflow.agent.telemetry.AgentMetrics;
import io.jouleflow.agent.telemetry.ModelAttributes;
import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.predictor.attribution.LayerRef;
import io.jouleflow.predictor.attribution.LayerShares;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * One model's run time and energy, spread over its layers by the latest traced time shares and
 * exported; the running totals per layer are kept for the live comparison. Worker thread only.
 */
final class ModelEnergy {

  private final ModelAttributes attributes;
  private final AgentMetrics metrics;
  private LayerShares shares;
  private long pendingRuns;
  private double pendingSeconds;
  private double recentRunMicros; // moving average of run wall time, for splitting energy
  private long runs;
  private final Map<LayerRef, Double> layerSeconds = new HashMap<>();
  private final Map<LayerRef, Double> layerJoules = new HashMap<>();

  ModelEnergy(ModelAttributes attributes, AgentMetrics metrics) {
    this.attributes = attributes;
    this.metrics = metrics;
  }

  /** New shares from a traced run; time still pending is spread with the old ones first. */
  void updateShares(LayerShares fresh) {
    flushTime();
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
  void flushTime() {
    if (pendingRuns == 0 || shares == null) {
      return;
    }
    Map<LayerRef, Boolean> counted = new HashMap<>();
    double meanRunMicros = pendingSeconds * 1e6 / pendingRuns;
    for (String device : shares.devices()) {
      shares.shares(device, meanRunMicros).forEach((layer, share) -> {
        metrics.recordLayerTime(attributes.ofLayerOnDevice(layer, device), pendingSeconds * share);
        layerSeconds.merge(layer, pendingSeconds * share, Double::sum);
        if (counted.put(layer, Boolean.TRUE) == null) {
          metrics.recordLayerSamples(attributes.ofLayer(layer), pendingRuns);
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
  void splitEnergy(EnergyMeter meter, String tfDevice, double joules) {
    metrics.recordInferenceEnergy(attributes.ofInferenceEnergy(meter), joules);
    Map<LayerRef, Double> s = shares == null ? Map.of() : shares.shares(tfDevice, recentRunMicros);
    if (s.isEmpty()) {
      metrics.recordLayerEnergy(attributes.ofLayerEnergy(LayerRef.UNATTRIBUTED, meter), joules);
      layerJoules.merge(LayerRef.UNATTRIBUTED, joules, Double::sum);
      return;
    }
    s.forEach((layer, share) -> {
      metrics.recordLayerEnergy(attributes.ofLayerEnergy(layer, meter), joules * share);
      layerJoules.merge(layer, joules * share, Double::sum);
    });
  }

  /** Runs counted so far. */
  long runs() {
    return runs;
  }

  /** Joules attributed so far, by layer ({@code _unattributed} included); a read-only view. */
  Map<LayerRef, Double> layerJoules() {
    return Collections.unmodifiableMap(layerJoules);
  }

  /** Seconds spread so far, by layer; a read-only view. */
  Map<LayerRef, Double> layerSeconds() {
    return Collections.unmodifiableMap(layerSeconds);
  }
}
