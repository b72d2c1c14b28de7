package io.jouleflow.launcher.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jouleflow.predictor.keras.KerasLayer;
import io.jouleflow.predictor.keras.KerasModel;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ModelZooTest {

  static Stream<String> names() {
    return ModelZoo.names().stream();
  }

  @Test
  void offersTheTwentyThreeApplicationsOfThePaperList() {
    assertThat(ModelZoo.names())
        .containsExactly(
            "VGG16",
            "VGG19",
            "ResNet50",
            "ResNet101",
            "ResNet152",
            "ResNet50V2",
            "ResNet101V2",
            "ResNet152V2",
            "InceptionV3",
            "InceptionResNetV2",
            "Xception",
            "MobileNet",
            "MobileNetV2",
            "MobileNetV3Small",
            "MobileNetV3Large",
            "DenseNet121",
            "DenseNet169",
            "DenseNet201",
            "NASNetMobile",
            "EfficientNetB0",
            "EfficientNetB1",
            "EfficientNetB2",
            "EfficientNetB3");
  }

  @ParameterizedTest
  @MethodSource("names")
  void everyModelIsWellFormedAndClassifiesIntoAThousandClasses(String name) {
    KerasModel model = ModelZoo.build(name);

    KerasModelChecks.assertWellFormed(model);
    assertThat(model.inputLayers()).hasSize(1);
    assertThat(model.outputLayers()).containsExactly(last(model).name());
    KerasParameterCounter.Count count = KerasParameterCounter.count(model);
    assertThat(count.shapes().get(last(model).name())).containsExactly(1000);
    int size = ModelZoo.defaultInputSize(name);
    assertThat(model.layers().get(0).config().get("batch_input_shape").toString())
        .isEqualTo("[null," + size + "," + size + ",3]");
  }

  @ParameterizedTest
  @MethodSource("names")
  void everyModelBuildsAtThePaperInputSizes(String name) {
    for (int size : new int[] {300, 400, 500}) {
      KerasModel model = ModelZoo.build(name, size);

      KerasModelChecks.assertWellFormed(model);
      assertThat(KerasParameterCounter.count(model).shapes().get(last(model).name()))
          .as("%s at %d", name, size)
          .containsExactly(1000);
    }
  }

  /**
   * {@code model.count_params()} of {@code keras.applications.<Name>()} (include_top=True, default
   * input size) as Keras prints it in {@code model.summary()}: the keras.io applications table and
   * TF 2.x summaries. EfficientNet counts its Normalization layer's mean, variance and count (7).
   */
  @ParameterizedTest
  @CsvSource({
    "VGG16, 138357544",
    "VGG19, 143667240",
    "ResNet50, 25636712",
    "ResNet101, 44707176",
    "ResNet152, 60419944",
    "ResNet50V2, 25613800",
    "ResNet101V2, 44675560",
    "ResNet152V2, 60380648",
    "InceptionV3, 23851784",
    "InceptionResNetV2, 55873736",
    "Xception, 22910480",
    "MobileNet, 4253864",
    "MobileNetV2, 3538984",
    "MobileNetV3Small, 2554968",
    "MobileNetV3Large, 5507432",
    "DenseNet121, 8062504",
    "DenseNet169, 14307880",
    "DenseNet201, 20242984",
    "NASNetMobile, 5326716",
    "EfficientNetB0, 5330571",
    "EfficientNetB1, 7856239",
    "EfficientNetB2, 9177569",
    "EfficientNetB3, 12320535"
  })
  void parameterCountsMatchKeras(String name, long published) {
    assertThat(KerasParameterCounter.totalParameters(ModelZoo.build(name))).isEqualTo(published);
  }

  /** {@code len(model.layers)} in Keras 2 with the top (the notop counts plus pooling + Dense). */
  @ParameterizedTest
  @CsvSource({
    "VGG16, 23",
    "VGG19, 26",
    "ResNet50, 177",
    "InceptionV3, 313",
    "Xception, 134",
    "MobileNetV2, 156",
    "DenseNet121, 429",
    "NASNetMobile, 771"
  })
  void layerCountsMatchKeras(String name, int layers) {
    assertThat(ModelZoo.build(name).layers()).hasSize(layers);
  }

  @Test
  void layersCarryTheApplicationsNames() {
    assertThat(names(ModelZoo.build("ResNet50")))
        .startsWith("input_1", "conv1_pad", "conv1_conv", "conv1_bn", "conv1_relu", "pool1_pad")
        .contains("conv2_block1_0_conv", "conv2_block1_1_conv", "conv5_block3_out")
        .endsWith("avg_pool", "predictions");
    // InceptionV3's 94 conv-BN-ReLU units are unnamed: Keras numbers them.
    assertThat(names(ModelZoo.build("InceptionV3")))
        .contains("conv2d", "conv2d_93", "batch_normalization_93", "activation_93", "mixed10")
        .doesNotContain("conv2d_94");
    assertThat(names(ModelZoo.build("DenseNet121")))
        .contains("zero_padding2d", "zero_padding2d_1", "conv1/conv", "conv5_block16_concat");
  }

  @Test
  void resNetV2StridedIdentityBlocksPoolTheirShortcut() {
    Map<String, KerasLayer> layers = byName(ModelZoo.build("ResNet50V2"));

    assertThat(layers.get("conv2_block3_out").inbound())
        .containsExactly("max_pooling2d", "conv2_block3_3_conv");
    assertThat(layers.get("max_pooling2d").config().get("pool_size").toString()).isEqualTo("[1,1]");
    assertThat(layers.get("conv5_block3_out").inbound())
        .containsExactly("conv5_block2_out", "conv5_block3_3_conv");
  }

  @Test
  void efficientNetKeepsPreprocessingSqueezeExcitationAndStochasticDepth() {
    KerasModel model = ModelZoo.build("EfficientNetB0");
    Map<String, KerasLayer> layers = byName(model);

    assertThat(model.layers().subList(1, 4))
        .extracting(KerasLayer::className)
        .containsExactly("Rescaling", "Normalization", "ZeroPadding2D");
    assertThat(layers.get("rescaling").config().get("scale").asDouble()).isEqualTo(1 / 255.0);
    assertThat(layers.get("normalization").config().get("axis").toString()).isEqualTo("[3]");
    assertThat(layers.get("block2a_se_reshape").config().get("target_shape").toString())
        .isEqualTo("[1,1,96]");
    assertThat(layers.get("block2a_se_excite").className()).isEqualTo("Multiply");
    assertThat(layers.get("block2a_se_excite").inbound())
        .containsExactly("block2a_activation", "block2a_se_expand");
    assertThat(layers.get("block2b_drop").config().get("noise_shape").toString())
        .isEqualTo("[null,1,1,1]");
    assertThat(layers.get("block2b_add").inbound())
        .containsExactly("block2b_drop", "block2a_project_bn");
    assertThat(layers.get("stem_conv").config().at("/kernel_initializer/class_name").asText())
        .isEqualTo("VarianceScaling");
  }

  @Test
  void mobileNetV3WritesHardSwishAsKeras2Does() {
    KerasModel model = ModelZoo.build("MobileNetV3Small");
    Map<String, KerasLayer> layers = byName(model);

    // Conv -> BN -> hard_swish: Multiply([x, tf.math.multiply(ReLU6(tf.__operators__.add(x)))])
    assertThat(model.layers().subList(1, 8))
        .extracting(KerasLayer::name)
        .containsExactly(
            "rescaling",
            "Conv",
            "Conv/BatchNorm",
            "tf.__operators__.add",
            "re_lu",
            "tf.math.multiply",
            "multiply");
    assertThat(layers.get("multiply").inbound())
        .containsExactly("Conv/BatchNorm", "tf.math.multiply");
    assertThat(layers.get("tf.__operators__.add").className()).isEqualTo("TFOpLambda");
    assertThat(layers.get("tf.__operators__.add").config().get("function").asText())
        .isEqualTo("__operators__.add");
    // Keras keeps the scalar operands in the call's kwargs: x + 3.0, then * (1/6).
    assertThat(layers.get("tf.__operators__.add").config().at("/call_kwargs/y").asDouble())
        .isEqualTo(3.0);
    assertThat(layers.get("tf.math.multiply").config().at("/call_kwargs/y").asDouble())
        .isEqualTo(1.0 / 6.0);
    assertThat(layers.get("re_lu").config().get("max_value").asDouble()).isEqualTo(6.0);
    assertThat(layers.get("rescaling").config().get("offset").asDouble()).isEqualTo(-1.0);
    assertThat(layers.get("expanded_conv/squeeze_excite/Mul").inbound())
        .containsExactly("re_lu_1", "tf.math.multiply_1");
    assertThat(layers)
        .containsKeys("expanded_conv/depthwise/pad", "Conv_2", "Logits", "Predictions");
  }

  @Test
  void vggGrowsItsFlattenedTopWithTheInputSizeAndOthersKeepTheirTop() {
    Function<KerasModel, Long> fc1 = m -> KerasParameterCounter.count(m).parameters().get("fc1");

    assertThat(fc1.apply(ModelZoo.build("VGG16", 224))).isEqualTo(7L * 7 * 512 * 4096 + 4096);
    assertThat(fc1.apply(ModelZoo.build("VGG16", 300))).isEqualTo(9L * 9 * 512 * 4096 + 4096);
    assertThat(KerasParameterCounter.totalParameters(ModelZoo.build("ResNet50", 500)))
        .isEqualTo(25_636_712L);
    assertThat(KerasParameterCounter.totalParameters(ModelZoo.build("MobileNet", 400)))
        .isEqualTo(4_253_864L);
    assertThat(ModelZoo.build("MobileNetV2", 300).name()).isEqualTo("mobilenetv2_1.00_300");
  }

  @Test
  void rejectsUnknownNamesAndInputsBelowTheApplicationsMinimum() {
    assertThat(ModelZoo.build("resnet50").name()).isEqualTo("resnet50");
    assertThat(ModelZoo.build("InceptionV3", 75).layers()).hasSize(313);
    assertThatThrownBy(() -> ModelZoo.build("InceptionV3", 74))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("75");
    assertThatThrownBy(() -> ModelZoo.build("ResNet18", 224))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ResNet18");
  }

  @Test
  void buildingTwiceGivesEqualModels() {
    assertThat(ModelZoo.build("NASNetMobile")).isEqualTo(ModelZoo.build("NASNetMobile"));
  }

  private static KerasLayer last(KerasModel model) {
    return model.layers().get(model.layers().size() - 1);
  }

  private static List<String> names(KerasModel model) {
    return model.layers().stream().map(KerasLayer::name).toList();
  }

  private static Map<String, KerasLayer> byName(KerasModel model) {
    return model.layers().stream().collect(Collectors.toMap(KerasLayer::name, Function.identity()));
  }
}
