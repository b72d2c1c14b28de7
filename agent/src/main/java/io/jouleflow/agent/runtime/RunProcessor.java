package io.jouleflow.agent.runtime;

import io.jouleflow.agent.attribution.ActiveTimeSplitter;
import io.jouleflow.agent.attribution.ActiveTimeSplitter.Interval;
import io.jouleflow.agent.attribution.RunEnergyAttributor;
import io.jouleflow.agent.attribution.ScopeLayers;
import io.jouleflow.agent.log.AgentLog;
import io.jouleflow.agent.model.ModelIdentity;
import io.jouleflow.agent.recorder.RunEvent;
import io.jouleflow.agent.telemetry.AgentMetrics;
import io.jouleflow.agent.trace.NodeRecord;
import io.jouleflow.agent.trace.StepStatsParser;
import io.jouleflow.meters.EnergyMeter;
import io.opentelemetry.api.common.Attributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Worker-thread processing of run events: names the model, counts the run, and for traced runs
 * turns step stats into per-layer active time. Not thread-safe: one worker owns it.
 */
final class RunProcessor {

  /** Layer that takes every layer beyond {@code layers.max} of a model. */
  static final String OTHER_LAYER = "_other";

  private final ModelIdentity identity;
  private final AgentMetrics metrics;
  private final int layersMax;
  private final Map<String, ModelState> models = new HashMap<>();
  private final RunEnergyAttributor<ModelState> energy; // null: no meters
  private final RunEnergyAttributor.Sink<ModelState> energySink;

  RunProcessor(
      ModelIdentity identity,
      AgentMetrics metrics,
      int layersMax,
      RunEnergyAttributor<ModelState> energy) {
    this.identity = identity;
    this.metrics = metrics;
    this.layersMax = layersMax;
    this.energy = energy;
    this.energySink = (model, meter, joules) ->
        metrics.recordInferenceEnergy(model.energyAttributes(meter), joules);
  }

  /** Closes energy that is ready to be split among runs; called often by the worker. */
  void tick(long nowNanos) {
    if (energy != null) {
      energy.advance(nowNanos, energySink);
    }
  }

  /** Attributes all energy up to {@code nowNanos} (orderly shutdown). */
  void flush(long nowNanos) {
    if (energy != null) {
      energy.flush(nowNanos, energySink);
    }
  }

  void process(RunEvent event) {
    if (event.failed() || event.outputCount() == 0) {
      return; // failed runs and target-only runs (initializers, save/restore) are not inferences
    }
    String model = identity.nameOf(event.session());
    ModelState state = models.computeIfAbsent(model, ModelState::new);
    if (event.traced() && !state.announced && event.fetchNames() instanceof Object[] fetches) {
      state.announced = true;
      AgentLog.info("model \"" + model + "\": first traced run, fetches "
          + java.util.Arrays.toString(fetches));
    }
    metrics.recordRun(state.attributes, event.durationNanos() / 1e9);
    if (energy != null) {
      energy.add(state, event.startNanos(), event.endNanos(), energySink);
    }
    if (event.traced()) {
      List<NodeRecord> nodes = StepStatsParser.parse(event.trace());
      if (AgentLog.debugEnabled() && state.announced && !state.nodesLogged) {
        state.nodesLogged = true;
        nodes.forEach(n -> AgentLog.debug("  node " + n.node() + " op=" + n.opType()
            + " device=" + n.device() + " us=" + n.durationMicros()));
      }
      processTrace(state, nodes);
    }
  }

  private void processTrace(ModelState state, List<NodeRecord> nodes) {
    List<Interval<LayerOnDevice>> intervals = new ArrayList<>(nodes.size());
    for (NodeRecord n : nodes) {
      String layer = ScopeLayers.layerOf(n);
      if (layer == null) {
        continue;
      }
      LayerInfo info = state.layer(layer, layersMax);
      info.observeOp(n.opType());
      intervals.add(new Interval<>(new LayerOnDevice(info, n.device()), n.startMicros(), n.endMicros()));
    }
    Map<LayerOnDevice, Double> micros = ActiveTimeSplitter.split(intervals);
    Set<LayerInfo> seen = new HashSet<>();
    for (Map.Entry<LayerOnDevice, Double> e : micros.entrySet()) {
      LayerOnDevice key = e.getKey();
      LayerInfo info = key.layer();
      Attributes withDevice =
          info.attributes().toBuilder().put(AgentMetrics.DEVICE, key.device()).build();
      metrics.recordLayerTime(withDevice, e.getValue() / 1e6);
      seen.add(info);
    }
    for (LayerInfo info : seen) {
      metrics.recordLayerSample(info.attributes());
    }
  }

  private record LayerOnDevice(LayerInfo layer, String device) {}

  /** What the worker keeps per model. */
  static final class ModelState {
    final String name;
    final Attributes attributes;
    final Map<String, LayerInfo> layers = new HashMap<>();
    final Map<EnergyMeter, Attributes> energyAttributes = new HashMap<>();
    boolean announced;
    boolean nodesLogged;

    ModelState(String name) {
      this.name = name;
      this.attributes = Attributes.of(AgentMetrics.MODEL, name);
    }

    Attributes energyAttributes(EnergyMeter meter) {
      return energyAttributes.computeIfAbsent(meter, m -> attributes.toBuilder()
          .put(AgentMetrics.DEVICE, m.device().id())
          .put(AgentMetrics.SOURCE, m.source().label())
          .build());
    }

    LayerInfo layer(String layerName, int max) {
      LayerInfo info = layers.get(layerName);
      if (info != null) {
        return info;
      }
      if (layers.size() >= max) {
        return layers.computeIfAbsent(OTHER_LAYER, k -> new LayerInfo(name, OTHER_LAYER, true));
      }
      info = new LayerInfo(name, layerName, false);
      layers.put(layerName, info);
      return info;
    }
  }

  /** A layer's identity and type; the type is fixed by the strongest anchor op seen. */
  private static final class LayerInfo {
    private final String model;
    private final String name;
    private final boolean folded;
    private int anchorRank = Integer.MAX_VALUE;
    private String type = "Other";
    private Attributes attributes;

    LayerInfo(String model, String name, boolean folded) {
      this.model = model;
      this.name = name;
      this.folded = folded;
      rebuild();
    }

    void observeOp(String opType) {
      if (folded) {
        return;
      }
      int rank = ScopeLayers.anchorRank(opType);
      if (rank < anchorRank) {
        anchorRank = rank;
        type = ScopeLayers.typeOf(opType);
        rebuild();
      }
    }

    Attributes attributes() {
      return attributes;
    }

    private void rebuild() {
      attributes =
          Attributes.of(
              AgentMetrics.MODEL, model, AgentMetrics.LAYER, name, AgentMetrics.LAYER_TYPE, type);
    }
  }
}
