package io.jouleflow.predictor.keras;

import java.util.List;

/**
 * A Keras architecture, flattened: nested models used as layers are expanded into their layers,
 * Sequential models get explicit inbound links and an InputLayer. Layers are in topological
 * order. This is what the importer produces from {@code model.to_json()} / TF.js {@code
 * model.json}, and what the model zoo and the random-architecture generator produce.
 *
 * @param name the model's name ({@code config.name}, else the file name)
 * @param layers the layers, inputs first
 * @param inputLayers names of the InputLayers
 * @param outputLayers names of the layers whose outputs are the model's outputs
 */
public record KerasModel(
    String name, List<KerasLayer> layers, List<String> inputLayers, List<String> outputLayers) {
  public KerasModel {
    layers = List.copyOf(layers);
    inputLayers = List.copyOf(inputLayers);
    outputLayers = List.copyOf(outputLayers);
  }
}
