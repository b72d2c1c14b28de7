package io.jouleflow.predictor.keras;

import static io.jouleflow.predictor.keras.KerasJsonFixtures.classes;
import static io.jouleflow.predictor.keras.KerasJsonFixtures.links;
import static io.jouleflow.predictor.keras.KerasJsonFixtures.load;
import static io.jouleflow.predictor.keras.KerasJsonFixtures.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading Keras model JSON (Keras 2, Keras 3, TF.js) into flat, ordered {@link KerasModel}s. */
class KerasJsonTest {

  @Test
  void oldSequentialListGetsAnInputLayerNamedAsKeras2NamesIt() {
    KerasModel model = load("mnist_sequential_keras22.json");

    assertThat(model.name()).isEqualTo("mnist_sequential_keras22");
    assertThat(links(model))
        .containsExactly(
            entry("conv2d_1_input", List.of()),
            entry("conv2d_1", List.of("conv2d_1_input")),
            entry("max_pooling2d_1", List.of("conv2d_1")),
            entry("conv2d_2", List.of("max_pooling2d_1")),
            entry("max_pooling2d_2", List.of("conv2d_2")),
            entry("flatten_1", List.of("max_pooling2d_2")),
            entry("dropout_1", List.of("flatten_1")),
            entry("dense_1", List.of("dropout_1")));
    KerasLayer input = model.layers().get(0);
    assertThat(input.className()).isEqualTo("InputLayer");
    assertThat(input.config().get("batch_input_shape").toString()).isEqualTo("[null,28,28,1]");
    assertThat(input.config().get("dtype").asText()).isEqualTo("float32");
    assertThat(model.inputLayers()).containsExactly("conv2d_1_input");
    assertThat(model.outputLayers()).containsExactly("dense_1");
    assertThat(model.layers().get(1).config().get("filters").asInt()).isEqualTo(32);
  }

  @Test
  void keras2FunctionalKeepsResidualAddAndConcatenateLinksInOrder() {
    KerasModel model = load("residual_concat_keras2.json");

    assertThat(model.name()).isEqualTo("residual_concat");
    assertThat(links(model))
        .containsExactly(
            entry("input_1", List.of()),
            entry("conv2d", List.of("input_1")),
            entry("batch_normalization", List.of("conv2d")),
            entry("conv2d_1", List.of("batch_normalization")),
            entry("add", List.of("batch_normalization", "conv2d_1")),
            entry("activation", List.of("add")),
            entry("conv2d_2", List.of("activation")),
            entry("depthwise_conv2d", List.of("activation")),
            entry("concatenate", List.of("conv2d_2", "depthwise_conv2d")),
            entry("max_pooling2d", List.of("concatenate")),
            entry("global_average_pooling2d", List.of("max_pooling2d")),
            entry("dense", List.of("global_average_pooling2d")));
    assertThat(classes(model))
        .containsEntry("add", "Add")
        .containsEntry("concatenate", "Concatenate");
    assertThat(model.inputLayers()).containsExactly("input_1");
    assertThat(model.outputLayers()).containsExactly("dense");
  }

  @Test
  void keras3FunctionalReadsKerasTensorHistoriesIncludingTheListAnAddTakes() {
    KerasModel model = load("tiny_unet_keras3.json");

    assertThat(model.name()).isEqualTo("tiny_unet");
    assertThat(links(model))
        .containsExactly(
            entry("input_layer", List.of()),
            entry("rescaling", List.of("input_layer")),
            entry("zero_padding2d", List.of("rescaling")),
            entry("conv2d", List.of("zero_padding2d")),
            entry("separable_conv2d", List.of("conv2d")),
            entry("conv2d_transpose", List.of("separable_conv2d")),
            entry("conv2d_1", List.of("rescaling")),
            entry("add", List.of("conv2d_transpose", "conv2d_1")),
            entry("global_max_pooling2d", List.of("add")),
            entry("dense", List.of("global_max_pooling2d")));
    // output_layers written as a single [name, node, tensor] rather than a list of them.
    assertThat(model.outputLayers()).containsExactly("dense");
    assertThat(model.inputLayers()).containsExactly("input_layer");
  }

  @Test
  void tfjsModelJsonWithTheModelObjectAsTopologyIsUnwrapped() {
    KerasModel model = load("tfjs_mlp_model.json");

    assertThat(model.name()).isEqualTo("mlp");
    assertThat(links(model))
        .containsExactly(
            entry("dense_input", List.of()),
            entry("dense", List.of("dense_input")),
            entry("dense_1", List.of("dense")));
    assertThat(model.inputLayers()).containsExactly("dense_input");
  }

  @Test
  void tfjsModelJsonWithModelConfigInsideTopologyIsUnwrapped() {
    KerasModel model = load("tfjs_model_config.json");

    assertThat(model.name()).isEqualTo("model1");
    assertThat(classes(model))
        .containsExactly(
            entry("input1", "InputLayer"),
            entry("dense_Dense1", "Dense"),
            entry("dense_Dense2", "Dense"));
    assertThat(links(model)).containsEntry("dense_Dense2", List.of("dense_Dense1"));
    assertThat(model.outputLayers()).containsExactly("dense_Dense2");
  }

  @Test
  void nestedSequentialIsFlattenedWithClashingNamesPrefixedAndItsInputDropped() {
    KerasModel model = load("nested_sequential_keras2.json");

    assertThat(model.name()).isEqualTo("classifier");
    assertThat(links(model))
        .containsExactly(
            entry("image", List.of()),
            entry("conv2d", List.of("image")),
            entry("feature_extractor/conv2d", List.of("conv2d")),
            entry("max_pooling2d", List.of("feature_extractor/conv2d")),
            entry("flatten", List.of("max_pooling2d")),
            entry("dense", List.of("flatten")));
    assertThat(model.layers().get(2).config().get("filters").asInt()).isEqualTo(8);
    assertThat(model.inputLayers()).containsExactly("image");
  }

  @Test
  void nestedFunctionalCalledTwiceIsExpandedOncePerCall() {
    String json =
        """
{"class_name": "Functional", "config": {"name": "siamese", "layers": [
  {"class_name": "InputLayer", "name": "left", "config": {"batch_shape": [null, 8], "name": "left"}, "inbound_nodes": []},
  {"class_name": "InputLayer", "name": "right", "config": {"batch_shape": [null, 8], "name": "right"}, "inbound_nodes": []},
  {"class_name": "Functional", "name": "encoder",
   "config": {"name": "encoder", "layers": [
      {"class_name": "InputLayer", "name": "x", "config": {"batch_shape": [null, 8], "name": "x"}, "inbound_nodes": []},
      {"class_name": "Dense", "name": "dense", "config": {"name": "dense", "units": 4},
       "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["x", 0, 0]}}], "kwargs": {}}]}],
     "input_layers": [["x", 0, 0]], "output_layers": [["dense", 0, 0]]},
   "inbound_nodes": [
     {"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["left", 0, 0]}}], "kwargs": {}},
     {"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["right", 0, 0]}}], "kwargs": {}}]},
  {"class_name": "Subtract", "name": "subtract", "config": {"name": "subtract"},
   "inbound_nodes": [{"args": [[
     {"class_name": "__keras_tensor__", "config": {"keras_history": ["encoder", 0, 0]}},
     {"class_name": "__keras_tensor__", "config": {"keras_history": ["encoder", 1, 0]}}]], "kwargs": {}}]}],
  "input_layers": [["left", 0, 0], ["right", 0, 0]], "output_layers": [["subtract", 0, 0]]}}
""";
    KerasModel model = KerasJson.parse(json, "fallback");

    assertThat(links(model))
        .containsExactly(
            entry("left", List.of()),
            entry("right", List.of()),
            entry("dense", List.of("left")),
            entry("encoder@1/dense", List.of("right")),
            entry("subtract", List.of("dense", "encoder@1/dense")));
    assertThat(model.inputLayers()).containsExactly("left", "right");
  }

  @Test
  void sharedLayerCalledTwiceBecomesOneLayerPerCall() {
    String json =
        """
{"class_name": "Model", "config": {"name": "shared", "layers": [
  {"class_name": "InputLayer", "name": "a", "config": {"batch_input_shape": [null, 4], "name": "a"}, "inbound_nodes": []},
  {"class_name": "InputLayer", "name": "b", "config": {"batch_input_shape": [null, 4], "name": "b"}, "inbound_nodes": []},
  {"class_name": "Dense", "name": "dense", "config": {"name": "dense", "units": 2},
   "inbound_nodes": [[["a", 0, 0, {}]], [["b", 0, 0, {}]]]},
  {"class_name": "Concatenate", "name": "concatenate", "config": {"name": "concatenate", "axis": -1},
   "inbound_nodes": [[["dense", 0, 0, {}], ["dense", 1, 0, {}]]]}],
  "input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["concatenate", 0, 0]]},
 "keras_version": "2.2.4", "backend": "tensorflow"}
""";
    KerasModel model = KerasJson.parse(json, "fallback");

    assertThat(links(model))
        .containsExactly(
            entry("a", List.of()),
            entry("b", List.of()),
            entry("dense", List.of("a")),
            entry("dense@1", List.of("b")),
            entry("concatenate", List.of("dense", "dense@1")));
  }

  @Test
  void layersListedOutOfOrderComeOutTopologically() {
    String json =
        """
{"class_name": "Functional", "config": {"name": "m", "layers": [
  {"class_name": "Dense", "name": "late", "config": {"units": 2}, "inbound_nodes": [[["early", 0, 0, {}]]]},
  {"class_name": "Dense", "name": "early", "config": {"units": 2}, "inbound_nodes": [[["in", 0, 0, {}]]]},
  {"class_name": "InputLayer", "name": "in", "config": {"batch_input_shape": [null, 3]}, "inbound_nodes": []}],
  "input_layers": [["in", 0, 0]], "output_layers": [["late", 0, 0]]}}
""";
    assertThat(KerasJson.parse(json, "m").layers())
        .extracting(KerasLayer::name)
        .containsExactly("in", "early", "late");
  }

  @Test
  void keras3SequentialWithExplicitInputLayerKeepsIt() {
    String json =
        """
{"module": "keras", "class_name": "Sequential", "config": {"name": "seq", "trainable": true, "layers": [
  {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 10], "dtype": "float32", "sparse": false, "name": "input_layer"}, "registered_name": null},
  {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "units": 3}, "registered_name": null, "build_config": {"input_shape": [null, 10]}}]},
 "registered_name": null}
""";
    KerasModel model = KerasJson.parse(json, "fallback");

    assertThat(model.name()).isEqualTo("seq");
    assertThat(links(model))
        .containsExactly(entry("input_layer", List.of()), entry("dense", List.of("input_layer")));
  }

  @Test
  void sequentialWithoutAnyShapeGetsAnInputLayerWithoutShape() {
    String json =
        """
        {"class_name": "Sequential", "config": {"name": "s", "layers": [
          {"class_name": "Conv2D", "config": {"name": "conv2d", "filters": 4, "kernel_size": 3}}]}}
        """;
    KerasLayer input = KerasJson.parse(json, "s").layers().get(0);

    assertThat(input.name()).isEqualTo("conv2d_input");
    assertThat(input.config().has("batch_input_shape")).isFalse();
  }

  @Test
  void largeResNetParsesWithEveryResidualAddReadingShortcutAndBranch() {
    KerasModel model = load("resnet50_keras2.json");

    assertThat(model.name()).isEqualTo("resnet50");
    assertThat(model.layers()).hasSize(177);
    assertThat(model.layers().get(0).name()).isEqualTo("input_1");
    assertThat(model.layers().get(176).name()).isEqualTo("predictions");
    assertThat(links(model))
        .containsEntry("conv2_block1_add", List.of("conv2_block1_0_bn", "conv2_block1_3_bn"))
        .containsEntry("conv2_block2_add", List.of("conv2_block1_out", "conv2_block2_3_bn"))
        .containsEntry("conv3_block1_0_conv", List.of("conv2_block3_out"))
        .containsEntry("avg_pool", List.of("conv5_block3_out"));
    assertThat(classes(model).values().stream().filter("Add"::equals)).hasSize(16);
    assertThat(model.outputLayers()).containsExactly("predictions");
  }

  // ---- errors ---------------------------------------------------------------------------------

  @Test
  void corruptFileIsOneLineNamingTheFileAndWhereTheJsonBreaks() {
    assertThatThrownBy(() -> KerasJson.parse(path("corrupt_truncated.json")))
        .isInstanceOf(KerasFormatException.class)
        .hasMessageStartingWith("corrupt_truncated.json: not valid JSON: ")
        .hasMessageContaining("(line ")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void objectWithoutClassNameIsNotAKerasModel() {
    assertThatThrownBy(() -> KerasJson.parse("{\"config\": {}}", "m"))
        .isInstanceOf(KerasFormatException.class)
        .hasMessage("not a Keras model JSON: missing \"class_name\" at top level");
  }

  @Test
  void otherTopLevelShapesAreRejectedWithWhatWasFound() {
    assertThatThrownBy(() -> KerasJson.parse("[1, 2]", "m"))
        .hasMessage("not a Keras model JSON: expected an object at top level, found a list");
    assertThatThrownBy(() -> KerasJson.parse("", "m"))
        .hasMessage("not a Keras model JSON: the text is empty");
    assertThatThrownBy(() -> KerasJson.parse("{\"class_name\": \"Dense\", \"config\": {}}", "m"))
        .hasMessage(
            "not a Keras model JSON: top-level \"class_name\" is \"Dense\", not Sequential,"
                + " Functional or Model");
    assertThatThrownBy(
            () ->
                KerasJson.parse(
                    "{\"format\": \"graph-model\", \"modelTopology\": {\"node\": []}}", "m"))
        .hasMessageStartingWith("TF.js graph model");
    assertThatThrownBy(() -> KerasJson.parse("{\"class_name\": \"Functional\"}", "m"))
        .hasMessage("not a Keras model JSON: missing \"config\" of the Functional model");
  }

  @Test
  void inboundNameThatIsNoLayerIsReportedWithBothNames() {
    String json =
        """
{"class_name": "Functional", "config": {"name": "m", "layers": [
  {"class_name": "InputLayer", "name": "in", "config": {}, "inbound_nodes": []},
  {"class_name": "Dense", "name": "dense", "config": {"units": 2}, "inbound_nodes": [[["conv9", 0, 0, {}]]]}],
  "input_layers": [["in", 0, 0]], "output_layers": [["dense", 0, 0]]}}
""";
    assertThatThrownBy(() -> KerasJson.parse(json, "m"))
        .isInstanceOf(KerasFormatException.class)
        .hasMessage(
            "model \"m\": layer \"dense\" takes input from \"conv9\", which is not one of its"
                + " layers");
  }

  @Test
  void cycleIsReportedAsThePathAroundIt() {
    String json =
        """
{"class_name": "Functional", "config": {"name": "loop", "layers": [
  {"class_name": "InputLayer", "name": "in", "config": {}, "inbound_nodes": []},
  {"class_name": "Add", "name": "a", "config": {}, "inbound_nodes": [[["in", 0, 0, {}], ["b", 0, 0, {}]]]},
  {"class_name": "Dense", "name": "b", "config": {"units": 2}, "inbound_nodes": [[["a", 0, 0, {}]]]}],
  "input_layers": [["in", 0, 0]], "output_layers": [["b", 0, 0]]}}
""";
    assertThatThrownBy(() -> KerasJson.parse(json, "loop"))
        .isInstanceOf(KerasFormatException.class)
        .hasMessage("model \"loop\": layers form a cycle: a → b → a");
  }

  @Test
  void missingFieldsOfAFunctionalModelAreNamed() {
    assertThatThrownBy(
            () ->
                KerasJson.parse(
                    "{\"class_name\": \"Functional\", \"config\": {\"name\": \"f\"}}", "m"))
        .hasMessage("model \"f\": missing \"layers\" (a list of layers)");
    String noInbound =
        """
        {"class_name": "Functional", "config": {"name": "f", "layers": [
          {"class_name": "InputLayer", "name": "in", "config": {}}],
          "input_layers": [["in", 0, 0]], "output_layers": [["in", 0, 0]]}}
        """;
    assertThatThrownBy(() -> KerasJson.parse(noInbound, "m"))
        .hasMessage("model \"f\": layer \"in\" has no \"inbound_nodes\" list");
    String noOutputs =
        """
        {"class_name": "Functional", "config": {"name": "f", "layers": [
          {"class_name": "InputLayer", "name": "in", "config": {}, "inbound_nodes": []}],
          "input_layers": [["in", 0, 0]]}}
        """;
    assertThatThrownBy(() -> KerasJson.parse(noOutputs, "m"))
        .hasMessage("model \"f\": missing \"output_layers\"");
    assertThatThrownBy(
            () ->
                KerasJson.parse(
                    "{\"class_name\": \"Sequential\", \"config\": [{\"config\": {\"name\":"
                        + " \"d\"}}]}",
                    "m"))
        .hasMessage("layer \"d\" has no \"class_name\"");
  }
}
