package io.jouleflow.launcher.measure;

import io.jouleflow.predictor.layers.Layer;

/** One layer measured alone: the layer (id, type, features) and its cost per inference. */
public record LayerCost(Layer layer, Cost cost, boolean reused) {}
