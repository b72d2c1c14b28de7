package io.jouleflow.agent.runtime;

import io.jouleflow.agent.telemetry.AgentMetrics;
import io.jouleflow.agent.telemetry.ModelAttributes;
import io.jouleflow.predictor.attribution.LayerResolver;
import java.util.function.Supplier;

/**
 * What the worker keeps per model: the attributes of its series, its energy accounting, its live
 * comparison and its layer resolver, each with one owner. Worker thread only.
 */
final class ModelState {

  private final String name;
  private final ModelAttributes attributes;
  private final ModelEnergy energy;
  private final LiveComparison comparison = new LiveComparison();
  private LayerResolver resolver; // built on the model's first run
  private boolean announced;
  private boolean nodesLogged;

  ModelState(String name, int layersMax, AgentMetrics metrics) {
    this.name = name;
    this.attributes = new ModelAttributes(name, layersMax);
    this.energy = new ModelEnergy(attributes, metrics);
  }

  String name() {
    return name;
  }

  ModelAttributes attributes() {
    return attributes;
  }

  ModelEnergy energy() {
    return energy;
  }

  LiveComparison comparison() {
    return comparison;
  }

  /** The model's layer resolver, made by {@code make} on first need. */
  LayerResolver resolver(Supplier<LayerResolver> make) {
    if (resolver == null) {
      resolver = make.get();
    }
    return resolver;
  }

  /** True once: on the model's first traced run. */
  boolean firstTrace() {
    boolean first = !announced;
    announced = true;
    return first;
  }

  /** True once: the first time the model's executed nodes are logged. */
  boolean firstNodeLog() {
    boolean first = !nodesLogged;
    nodesLogged = true;
    return first;
  }
}
