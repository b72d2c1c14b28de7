package io.jouleflow.agent.runtime;

import io.jouleflow.agent.telemetry.AgentMetrics;
import io.jouleflow.agent.telemetry.ModelAttributes;

/**
 * What the worker keeps per model and phase (training steps apart from inference): the
 * attributes of its series, its energy accounting and its live comparison (inference only), each
 * with one owner. Worker thread only.
 */
final class ModelState {

  private final String name;
  private final ModelAttributes attributes;
  private final ModelEnergy energy;
  private final LiveComparison comparison = new LiveComparison();
  private boolean announced;
  private boolean nodesLogged;

  ModelState(String name, String phase, int layersMax, AgentMetrics metrics) {
    this.name = name;
    this.attributes = new ModelAttributes(name, phase, layersMax);
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

  /** Whether these are inference runs: only they are predicted, compared and fed back. */
  boolean inference() {
    return attributes.phase().equals(ModelAttributes.INFERENCE);
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
