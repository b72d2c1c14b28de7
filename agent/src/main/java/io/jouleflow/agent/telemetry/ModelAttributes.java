package io.jouleflow.agent.telemetry;

import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.predictor.attribution.LayerRef;
import io.opentelemetry.api.common.Attributes;
import java.util.HashMap;
import java.util.Map;

/**
 * The attributes of one model's series in one phase ({@code training} or {@code inference}), each built once, and the bound on its layer series: at
 * most {@code layers.max} layers get series of their own, the rest fold into {@code _other}.
 * Worker thread only.
 */
public final class ModelAttributes {

  /** Runs that trained the model (a backward pass or optimizer updates ran). */
  public static final String TRAINING = "training";
  /** Every other run that fetched outputs. */
  public static final String INFERENCE = "inference";

  private final String model;
  private final String phase;
  private final Attributes modelAttributes;
  private final int layersMax;
  private final Map<String, LayerRef> layers = new HashMap<>();
  private final Map<LayerRef, Attributes> layerAttributes = new HashMap<>();
  private final Map<String, Attributes> durationAttributes = new HashMap<>();
  private final Map<EnergyMeter, Attributes> energyAttributes = new HashMap<>();
  private final Map<String, Attributes> layerEnergyAttributes = new HashMap<>();

  /** An inference model's attributes. */
  public ModelAttributes(String model, int layersMax) {
    this(model, INFERENCE, layersMax);
  }

  public ModelAttributes(String model, String phase, int layersMax) {
    this.model = model;
    this.phase = phase;
    this.layersMax = layersMax;
    this.modelAttributes = Attributes.of(AgentMetrics.MODEL, model, AgentMetrics.PHASE, phase);
  }

  /** The phase label: {@link #TRAINING} or {@link #INFERENCE}. */
  public String phase() {
    return phase;
  }

  /** The model label. */
  public String model() {
    return model;
  }

  /** A layer of this model, or {@code _other} once {@code layers.max} layers are known. */
  public LayerRef bounded(LayerRef layer) {
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

  /** {@code model, phase}. */
  public Attributes ofModel() {
    return modelAttributes;
  }

  /** {@code model, phase, layer, layer.type}. */
  public Attributes ofLayer(LayerRef layer) {
    return layerAttributes.computeIfAbsent(layer, l -> Attributes.of(
        AgentMetrics.MODEL, model, AgentMetrics.PHASE, phase, AgentMetrics.LAYER, l.id(),
        AgentMetrics.LAYER_TYPE, l.type()));
  }

  /** {@code model, phase, layer.type}. */
  public Attributes ofLayerType(String layerType) {
    return Attributes.of(AgentMetrics.MODEL, model, AgentMetrics.PHASE, phase,
        AgentMetrics.LAYER_TYPE, layerType);
  }

  /** {@code model, layer, layer.type, device}: a layer's time on a TensorFlow device. */
  public Attributes ofLayerOnDevice(LayerRef layer, String device) {
    return durationAttributes.computeIfAbsent(
        layer.id() + "\u0000" + layer.type() + "\u0000" + device,
        k -> ofLayer(layer).toBuilder().put(AgentMetrics.DEVICE, device).build());
  }

  /** {@code model, device, source}: the model's energy on a meter. */
  public Attributes ofInferenceEnergy(EnergyMeter meter) {
    return energyAttributes.computeIfAbsent(meter, m -> modelAttributes.toBuilder()
        .put(AgentMetrics.DEVICE, m.device().id())
        .put(AgentMetrics.SOURCE, m.source().label())
        .build());
  }

  /** {@code model, layer, layer.type, device, source}: a layer's energy on a meter. */
  public Attributes ofLayerEnergy(LayerRef layer, EnergyMeter meter) {
    return layerEnergyAttributes.computeIfAbsent(
        layer.id() + "\u0000" + layer.type() + "\u0000" + meter.device().id(),
        k -> ofLayer(layer).toBuilder()
            .put(AgentMetrics.DEVICE, meter.device().id())
            .put(AgentMetrics.SOURCE, meter.source().label())
            .build());
  }
}
