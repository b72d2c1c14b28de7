package io.jouleflow.predictor.keras;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.predictor.layers.Layer;
import io.jouleflow.predictor.layers.LayerType;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The classes keras.applications adds to the core layers, read from a Keras 2 {@code to_json()}:
 * EfficientNet's Normalization, NASNet's Cropping2D, InceptionResNetV2's CustomScaleLayer and
 * MobileNetV3's TFOpLambda layers, whose operands Keras keeps in the call kwargs.
 */
class KerasApplicationsLayersTest {

  /** input 8x8x4 → Normalization → Cropping2D → conv 1x1 → CustomScale → x+3 → *1/6 → x*conv. */
  private static final String JSON =
      """
      {"class_name": "Functional", "config": {"name": "apps", "layers": [
        {"class_name": "InputLayer", "name": "input_1", "inbound_nodes": [],
         "config": {"name": "input_1", "batch_input_shape": [null, 8, 8, 4], "dtype": "float32"}},
        {"class_name": "Normalization", "name": "normalization",
         "config": {"name": "normalization", "axis": [3], "invert": false, "mean": null,
                    "variance": null},
         "inbound_nodes": [[["input_1", 0, 0, {}]]]},
        {"class_name": "Cropping2D", "name": "cropping2d",
         "config": {"name": "cropping2d", "cropping": [[1, 0], [1, 0]],
                    "data_format": "channels_last"},
         "inbound_nodes": [[["normalization", 0, 0, {}]]]},
        {"class_name": "Conv2D", "name": "conv2d",
         "config": {"name": "conv2d", "filters": 4, "kernel_size": [1, 1], "strides": [1, 1],
                    "padding": "same", "activation": "linear", "use_bias": true},
         "inbound_nodes": [[["cropping2d", 0, 0, {}]]]},
        {"class_name": "CustomScaleLayer", "name": "custom_scale_layer",
         "config": {"name": "custom_scale_layer", "trainable": true, "dtype": "float32",
                    "scale": 0.17},
         "inbound_nodes": [[["cropping2d", 0, 0, {}], ["conv2d", 0, 0, {}]]]},
        {"class_name": "TFOpLambda", "name": "tf.__operators__.add",
         "config": {"name": "tf.__operators__.add", "trainable": true, "dtype": "float32",
                    "function": "__operators__.add"},
         "inbound_nodes": [["custom_scale_layer", 0, 0, {"y": 3.0, "name": null}]]},
        {"class_name": "TFOpLambda", "name": "tf.math.multiply",
         "config": {"name": "tf.math.multiply", "trainable": true, "dtype": "float32",
                    "function": "math.multiply"},
         "inbound_nodes": [["tf.__operators__.add", 0, 0,
                            {"y": 0.16666666666666666, "name": null}]]},
        {"class_name": "TFOpLambda", "name": "tf.math.multiply_1",
         "config": {"name": "tf.math.multiply_1", "trainable": true, "dtype": "float32",
                    "function": "math.multiply"},
         "inbound_nodes": [["tf.math.multiply", 0, 0, {"y": ["conv2d", 0, 0], "name": null}]]}
      ], "input_layers": [["input_1", 0, 0]], "output_layers": [["tf.math.multiply_1", 0, 0]]}}
      """;

  @Test
  void tfOpLambdaCarriesItsScalarOperandAndTakesATensorOperandAsSecondInbound() {
    KerasModel model = KerasJson.parse(JSON, "apps");
    Map<String, KerasLayer> layers =
        model.layers().stream().collect(Collectors.toMap(KerasLayer::name, Function.identity()));

    assertThat(layers.get("tf.__operators__.add").config().at("/call_kwargs/y").asDouble())
        .isEqualTo(3.0);
    assertThat(layers.get("tf.__operators__.add").inbound()).containsExactly("custom_scale_layer");
    assertThat(layers.get("tf.math.multiply_1").inbound())
        .containsExactly("tf.math.multiply", "conv2d");
    assertThat(layers.get("tf.math.multiply_1").config().get("call_kwargs").has("y")).isFalse();
    // Other classes keep their config as in the file.
    assertThat(layers.get("custom_scale_layer").config().has("call_kwargs")).isFalse();
  }

  @Test
  void typesShapesParametersAndFlopsFollowWhatEachLayerComputes() {
    KerasImport imported = KerasLayers.toLayerGraph(KerasJson.parse(JSON, "apps"), 2, null);
    assertThat(imported.unknownClasses()).isEmpty();
    double activations = 2 * 7 * 7 * 4; // batch 2, after cropping one row and one column

    assertLayer(imported, "normalization", LayerType.NORMALIZATION, "Sub", 8, 2 * 2 * 8 * 8 * 4);
    assertThat(imported.outputShapes().get("normalization")).containsExactly(2L, 8L, 8L, 4L);
    assertLayer(imported, "cropping2d", LayerType.OTHER, "StridedSlice", 0, activations);
    assertThat(imported.outputShapes().get("cropping2d")).containsExactly(2L, 7L, 7L, 4L);
    // x0 + x1 * scale: a product and a sum per element.
    assertLayer(imported, "custom_scale_layer", LayerType.ADD, "AddV2", 0, 2 * activations);
    // With a scalar, an op with a constant operand: a rescaling, as the graph's detection sees it.
    assertLayer(imported, "tf.__operators__.add", LayerType.RESCALING, "AddV2", 0, activations);
    assertLayer(imported, "tf.math.multiply", LayerType.RESCALING, "Mul", 0, activations);
    assertLayer(imported, "tf.math.multiply_1", LayerType.MULTIPLY, "Mul", 0, activations);
    for (String id : List.of("custom_scale_layer", "tf.math.multiply_1")) {
      assertThat(imported.outputShapes().get(id)).containsExactly(2L, 7L, 7L, 4L);
    }
  }

  @Test
  void oneTensorFunctionsAreActivationsAndUnknownFunctionsUnknown() {
    String json =
        JSON.replace("\"function\": \"math.multiply\"}", "\"function\": \"nn.relu6\"}")
            .replace("\"function\": \"__operators__.add\"", "\"function\": \"linalg.det\"");
    KerasImport imported = KerasLayers.toLayerGraph(KerasJson.parse(json, "apps"), 1, null);

    Layer relu6 = imported.graph().layer("tf.math.multiply").orElseThrow();
    assertThat(relu6.type()).isEqualTo(LayerType.ACTIVATION);
    assertThat(relu6.anchorOp()).isEqualTo("Relu6");
    assertThat(imported.unknownClasses()).containsExactly("TFOpLambda");
  }

  private static void assertLayer(
      KerasImport imported,
      String id,
      LayerType type,
      String anchor,
      double parameters,
      double flops) {
    Layer layer = imported.graph().layer(id).orElseThrow();
    assertThat(layer.type()).as(id).isEqualTo(type);
    assertThat(layer.anchorOp()).as(id).isEqualTo(anchor);
    assertThat(layer.features().parameters()).as(id).isEqualTo(parameters);
    assertThat(layer.features().flops()).as(id).isEqualTo(flops);
  }
}
