package io.jouleflow.predictor.attribution;

/** A layer as the agent labels it: its id within the model and its type's label. */
public record LayerRef(String id, String type) {

  /** The pseudo-layer for what no layer's op time covers: gaps, framework work, idle. */
  public static final LayerRef UNATTRIBUTED = new LayerRef("_unattributed", "Overhead");

  /** Where layers beyond {@code layers.max} of a model are folded. */
  public static final LayerRef OTHER = new LayerRef("_other", "Other");
}
