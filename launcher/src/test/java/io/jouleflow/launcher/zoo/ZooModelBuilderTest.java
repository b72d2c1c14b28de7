package io.jouleflow.launcher.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jouleflow.predictor.keras.KerasLayer;
import io.jouleflow.predictor.keras.KerasModel;
import org.junit.jupiter.api.Test;

class ZooModelBuilderTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void writesConv2DConfigAsKerasToJsonDoes() throws Exception {
    ModelBuilder b = new ModelBuilder("m");
    String x = b.input(32, 32, 3);
    b.conv2d(null, 16, 3, 2, "same", false, "relu", x);
    KerasLayer conv = b.build().layers().get(1);

    JsonNode expected =
        JSON.readTree(
            """
            {"name": "conv2d", "trainable": true, "dtype": "float32", "filters": 16,
             "kernel_size": [3, 3], "strides": [2, 2], "padding": "same",
             "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1,
             "activation": "relu", "use_bias": false,
             "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
             "bias_initializer": {"class_name": "Zeros", "config": {}},
             "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null,
             "kernel_constraint": null, "bias_constraint": null}
            """);
    assertThat(conv.className()).isEqualTo("Conv2D");
    assertThat(conv.config()).isEqualTo(expected);
    assertThat(conv.inbound()).containsExactly("input_1");
    assertThat(b.shape(conv.name())).containsExactly(16, 16, 16);
  }

  @Test
  void writesInputBatchNormPaddingPoolingAndDenseFieldsInKerasForm() {
    ModelBuilder b = new ModelBuilder("m");
    String x = b.input(10, 12, 3);
    x = b.zeroPadding(null, 0, 1, 2, 3, x);
    x = b.batchNorm(null, 0.999, 1e-3, true, false, x);
    x = b.maxPool(null, 3, 2, "valid", x);
    x = b.globalAvgPool(null, true, x);
    x = b.flatten(null, x);
    b.dense("predictions", 5, null, true, x);
    KerasModel m = b.build();

    assertThat(m.layers().get(0).config().toString())
        .isEqualTo(
            "{\"batch_input_shape\":[null,10,12,3],\"dtype\":\"float32\",\"sparse\":false,"
                + "\"ragged\":false,\"name\":\"input_1\"}");
    assertThat(m.layers().get(1).config().get("padding").toString()).isEqualTo("[[0,1],[2,3]]");
    JsonNode bn = m.layers().get(2).config();
    assertThat(bn.get("axis").toString()).isEqualTo("[3]");
    assertThat(bn.get("momentum").asDouble()).isEqualTo(0.999);
    assertThat(bn.get("scale").asBoolean()).isFalse();
    JsonNode pool = m.layers().get(3).config();
    assertThat(pool.get("pool_size").toString()).isEqualTo("[3,3]");
    assertThat(pool.get("strides").toString()).isEqualTo("[2,2]");
    assertThat(pool.get("padding").asText()).isEqualTo("valid");
    assertThat(m.layers().get(4).config().get("keepdims").asBoolean()).isTrue();
    assertThat(m.layers().get(6).config().get("activation").asText()).isEqualTo("linear");
    assertThat(m.layers().get(6).config().get("units").asInt()).isEqualTo(5);
    assertThat(b.shape("zero_padding2d")).containsExactly(11, 17, 3);
    assertThat(b.shape("max_pooling2d")).containsExactly(5, 8, 3);
    assertThat(b.shape("global_average_pooling2d")).containsExactly(1, 1, 3);
    assertThat(m.outputLayers()).containsExactly("predictions");
  }

  @Test
  void numbersUnnamedLayersPerClassAsKerasDoes() {
    ModelBuilder b = new ModelBuilder("m");
    String x = b.input(8, 8, 3);
    String a = b.conv2d(null, 4, 1, 1, "same", true, null, x);
    String c = b.conv2d("named", 4, 1, 1, "same", true, null, a);
    String d = b.conv2d(null, 4, 1, 1, "same", true, null, c);
    String r = b.relu(null, 6.0, d);
    String t = b.tfOpLambda("math.multiply", 0.5, r);
    String t2 = b.tfOpLambda("math.multiply", 0.5, t);
    String dw = b.depthwise(null, 3, 1, "same", 1, false, null, t2);

    assertThat(new String[] {a, c, d, r, t, t2, dw})
        .containsExactly(
            "conv2d",
            "named",
            "conv2d_1",
            "re_lu",
            "tf.math.multiply",
            "tf.math.multiply_1",
            "depthwise_conv2d");
    assertThat(ModelBuilder.snakeCase("GlobalAveragePooling2D"))
        .isEqualTo("global_average_pooling2d");
    assertThat(ModelBuilder.snakeCase("ZeroPadding2D")).isEqualTo("zero_padding2d");
  }

  @Test
  void mergeLayersCheckShapesAndBroadcastAGate() {
    ModelBuilder b = new ModelBuilder("m");
    String x = b.input(8, 8, 4);
    String gate = b.globalAvgPool(null, true, x);
    String y = b.multiply(null, x, gate);
    String z = b.conv2d(null, 6, 3, 2, "same", true, null, x);

    assertThat(b.shape(y)).containsExactly(8, 8, 4);
    assertThat(b.shape(b.concatenate(null, -1, x, y))).containsExactly(8, 8, 8);
    assertThatThrownBy(() -> b.add(null, x, z)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.concatenate(null, 3, x, z))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsImpossibleLayersAndDuplicateNames() {
    ModelBuilder b = new ModelBuilder("m");
    String x = b.input(4, 4, 3);

    assertThatThrownBy(() -> b.conv2d(null, 8, 5, 1, "valid", true, null, x))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("larger than its input");
    assertThatThrownBy(() -> b.maxPool(null, 2, 2, "SAME", x))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.cropping(null, 2, 2, 0, 0, x))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.reshape(null, new int[] {5, -1}, x))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.activation("input_1", "relu", x))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate");
    assertThatThrownBy(() -> b.activation(null, "relu", "nope"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
