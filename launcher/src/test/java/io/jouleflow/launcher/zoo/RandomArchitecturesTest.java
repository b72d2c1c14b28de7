package io.jouleflow.launcher.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.predictor.keras.KerasLayer;
import io.jouleflow.predictor.keras.KerasModel;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RandomArchitecturesTest {

  private static final int[] SIZES = {32, 64, 224, 300};

  @Test
  void hundredSeedsGiveValidModelsOfFiveToSixtyLayers() {
    for (long seed = 0; seed < 100; seed++) {
      int size = SIZES[(int) (seed % SIZES.length)];
      KerasModel model = RandomArchitectures.generate(seed, size);

      KerasModelChecks.assertWellFormed(model);
      assertThat(model.name()).isEqualTo("random_" + seed);
      assertThat(model.layers()).hasSizeBetween(5, 60);
      List<KerasLayer> layers = model.layers();
      assertThat(layers.get(0).className()).isEqualTo("InputLayer");
      assertThat(layers.get(layers.size() - 1).className()).isEqualTo("Dense");
      assertThat(layers.get(layers.size() - 2).className())
          .isIn("GlobalAveragePooling2D", "Flatten");
      // An independent shape inference over the configs accepts every layer (no empty spatial
      // sizes, merges of equal shapes) and ends in a class vector.
      KerasParameterCounter.Count count = KerasParameterCounter.count(model);
      assertThat(count.shapes().get(layers.get(layers.size() - 1).name())).hasSize(1);
      for (KerasLayer layer : layers) {
        if (layer.className().equals("Add")
            || layer.className().equals("Concatenate")
            || layer.className().equals("Multiply")) {
          List<int[]> in = layer.inbound().stream().map(count.shapes()::get).toList();
          assertThat(in.get(0)[0]).isEqualTo(in.get(1)[0]);
          assertThat(in.get(0)[1]).isEqualTo(in.get(1)[1]);
        }
      }
    }
  }

  @Test
  void theSameSeedGivesTheSameModel() {
    for (long seed : new long[] {0, 1, 42, -7, Long.MAX_VALUE}) {
      assertThat(RandomArchitectures.generate(seed, 224))
          .isEqualTo(RandomArchitectures.generate(seed, 224));
    }
  }

  @Test
  void seedsSpreadOverLayerCountsAndLayerTypes() {
    Set<Integer> counts = new HashSet<>();
    Set<String> classes = new HashSet<>();
    LongStream.range(0, 100)
        .mapToObj(seed -> RandomArchitectures.generate(seed, 224))
        .forEach(
            m -> {
              counts.add(m.layers().size());
              m.layers().forEach(l -> classes.add(l.className()));
            });

    assertThat(counts).hasSizeGreaterThan(30);
    assertThat(classes)
        .contains(
            "Conv2D",
            "DepthwiseConv2D",
            "SeparableConv2D",
            "MaxPooling2D",
            "AveragePooling2D",
            "BatchNormalization",
            "Activation",
            "ReLU",
            "Dropout",
            "ZeroPadding2D",
            "UpSampling2D",
            "Reshape",
            "Add",
            "Multiply",
            "Concatenate",
            "Rescaling",
            "GlobalAveragePooling2D",
            "Flatten",
            "Dense");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 5})
  void tinyInputsNeverShrinkBelowOnePixel(int size) {
    for (long seed = 0; seed < 50; seed++) {
      KerasModel model = RandomArchitectures.generate(seed, size);

      KerasModelChecks.assertWellFormed(model);
      KerasParameterCounter.count(model); // fails on any empty output
    }
  }
}
