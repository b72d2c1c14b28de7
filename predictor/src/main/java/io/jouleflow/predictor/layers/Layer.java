package io.jouleflow.predictor.layers;

import java.util.List;
import java.util.Objects;

/**
 * One layer of a model graph: the static graph nodes that compute it and its features.
 *
 * @param id stable identity: the Keras-style scope ({@code conv2d_3}) or, for a layer found
 *     structurally, the name of its anchor node ({@code Conv2D_1}); the same from the static graph
 *     and from runtime step stats
 * @param type the layer type
 * @param anchorOp the op type that decided the type ({@code Conv2D}, {@code MatMul}, ...)
 * @param nodes names of the static graph nodes that belong to the layer, weights and shape
 *     constants included, in topological order
 * @param features the layer's features
 */
public record Layer(
    String id, LayerType type, String anchorOp, List<String> nodes, LayerFeatures features) {

  public Layer {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(anchorOp, "anchorOp");
    nodes = List.copyOf(nodes);
    Objects.requireNonNull(features, "features");
  }
}
