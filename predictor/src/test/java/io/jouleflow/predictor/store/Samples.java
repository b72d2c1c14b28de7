package io.jouleflow.predictor.store;

import io.jouleflow.predictor.layers.LayerFeatures;
import io.jouleflow.predictor.layers.LayerFeatures.Variant;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Samples for the store tests, as a collect run of a small CNN would write them. */
final class Samples {

  static final String PROFILE = "intel-xeon-2xa100-1f0c2a9e";
  static final Instant T0 = Instant.parse("2025-03-01T12:00:00.123456789Z");

  private Samples() {}

  static LayerSample conv(String model, String config, String layer) {
    LayerFeatures features =
        LayerFeatures.builder()
            .batchSize(8)
            .numberOfLayers(5)
            .inputSize(64 * 64 * 3)
            .outputSize(62 * 62 * 16)
            .filters(16)
            .kernelSize(9)
            .stride(1)
            .padding(0)
            .flops(2.0 * 8 * 62 * 62 * 16 * 27)
            .parameters(448)
            .bytesMoved(1.5e6)
            .variant(Variant.STANDARD)
            .build();
    return new LayerSample(
        T0,
        PROFILE,
        "nvml",
        SampleOrigin.COLLECT,
        model,
        config,
        layer,
        "Convolutional",
        features,
        8,
        0.0123,
        0.000456,
        200,
        0.011);
  }

  static LayerSample dense(String model, String config, String layer) {
    LayerFeatures features =
        LayerFeatures.builder().batchSize(8).inputSize(1024).outputSize(10).hiddenSize(10).build();
    return new LayerSample(
        T0.plusSeconds(1),
        PROFILE,
        "nvml",
        SampleOrigin.COLLECT,
        model,
        config,
        layer,
        "Dense",
        features,
        8,
        1.0 / 3,
        Double.NaN,
        200,
        null);
  }

  static ModelSample model(String model, String config) {
    return new ModelSample(
        T0,
        PROFILE,
        "nvml",
        SampleOrigin.COLLECT,
        model,
        config,
        8,
        0.25,
        0.002,
        200,
        null,
        5,
        1.08,
        0.2315);
  }

  /** {@code count} distinct collect samples of one model, configs c0..c(count-1). */
  static List<LayerSample> layers(String model, int count) {
    List<LayerSample> samples = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      samples.add(dense(model, "c" + i, "dense_1"));
    }
    return samples;
  }
}
