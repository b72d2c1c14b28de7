package io.jouleflow.predictor.layers;

import java.util.Optional;

/**
 * What kind of layer a group of graph nodes is: the paper's 13 layer types, {@link #UPSAMPLING} and
 * {@link #OTHER} for what real graphs need, and the pseudo type {@link #OVERHEAD} for work that
 * belongs to no layer (executor bookkeeping, saving, initialisation). Depthwise, separable and
 * transposed convolutions are {@link #CONVOLUTIONAL}; {@link LayerFeatures#variant()} tells them
 * apart.
 */
public enum LayerType {
  DENSE("Dense"),
  CONVOLUTIONAL("Convolutional"),
  POOLING("Pooling"),
  INPUT_LAYER("InputLayer"),
  PADDING("Padding"),
  NORMALIZATION("Normalization"),
  ACTIVATION("Activation"),
  RESCALING("Rescaling"),
  RESHAPE("Reshape"),
  DROPOUT("Dropout"),
  ADD("Add"),
  MULTIPLY("Multiply"),
  CONCATENATE("Concatenate"),
  UPSAMPLING("Upsampling"),
  OTHER("Other"),
  OVERHEAD("Overhead");

  private final String label;

  LayerType(String label) {
    this.label = label;
  }

  /**
   * The name used in metrics ({@code layer.type}), samples and model sets, e.g. {@code InputLayer}.
   */
  public String label() {
    return label;
  }

  /** The type whose {@link #label()} is {@code label}, if any. */
  public static Optional<LayerType> fromLabel(String label) {
    for (LayerType type : values()) {
      if (type.label.equals(label)) {
        return Optional.of(type);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return label;
  }
}
