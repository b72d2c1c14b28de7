package io.jouleflow.launcher.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.predictor.keras.KerasImport;
import io.jouleflow.predictor.keras.KerasLayers;
import io.jouleflow.predictor.keras.KerasModel;
import io.jouleflow.predictor.layers.Layer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Keras importer ({@link KerasLayers#toLayerGraph}) and this package's test counter infer
 * shapes and count weights independently; on models whose layers both know and count alike they
 * must agree layer by layer. (They count differently by definition where the importer follows the
 * TensorFlow graph: a BatchNormalization with {@code scale=False} feeds a constant gamma, which the
 * importer counts and Keras does not, and Normalization's scalar {@code count} is left out there;
 * those models are not compared here.)
 */
class ZooAgainstKerasLayersTest {

  @ParameterizedTest
  @ValueSource(strings = {"ResNet50", "MobileNetV2", "DenseNet121", "Xception", "NASNetMobile"})
  void importerAgreesWithTheCounterOnZooModels(String name) {
    KerasModel model = ModelZoo.build(name);

    assertAgree(model);
    assertThat(parameters(KerasLayers.toLayerGraph(model, 1, null)))
        .isEqualTo((double) KerasParameterCounter.totalParameters(model));
  }

  @ParameterizedTest
  @ValueSource(ints = {32, 224})
  void importerAgreesWithTheCounterOnRandomModels(int size) {
    for (long seed = 0; seed < 50; seed++) {
      assertAgree(RandomArchitectures.generate(seed, size));
    }
  }

  private static void assertAgree(KerasModel model) {
    KerasImport imported = KerasLayers.toLayerGraph(model, 1, null);
    KerasParameterCounter.Count count = KerasParameterCounter.count(model);

    assertThat(imported.unknownClasses()).isEmpty();
    for (Layer layer : imported.graph().layers()) {
      List<Long> expectedShape = new ArrayList<>(List.of(1L));
      for (int d : count.shapes().get(layer.id())) {
        expectedShape.add((long) d);
      }
      assertThat(imported.outputShapes().get(layer.id()))
          .as("%s %s", model.name(), layer.id())
          .isEqualTo(expectedShape);
      assertThat(layer.features().parameters())
          .as("%s %s", model.name(), layer.id())
          .isEqualTo((double) count.parameters().get(layer.id()));
    }
  }

  private static double parameters(KerasImport imported) {
    return imported.graph().layers().stream().mapToDouble(l -> l.features().parameters()).sum();
  }
}
