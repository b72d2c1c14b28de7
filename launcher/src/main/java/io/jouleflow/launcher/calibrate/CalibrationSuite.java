package io.jouleflow.launcher.calibrate;

import io.jouleflow.launcher.zoo.ModelZoo;
import io.jouleflow.launcher.zoo.RandomArchitectures;
import io.jouleflow.predictor.keras.KerasModel;
import java.util.List;
import java.util.function.Supplier;

/**
 * The fixed suite {@code calibrate} measures: small configurations that together hold every layer
 * type the zoo has (standard, depthwise and separable convolutions with and without bias, batch
 * norms fused and not, dense, pooling, padding, add, multiply, concatenate, reshape, rescaling,
 * normalization, upsampling) at a few sizes, within about a minute and a half of measuring on 2
 * cores.
 */
public final class CalibrationSuite {

  /** One configuration of the suite. */
  public record Entry(String name, Supplier<KerasModel> model, int batch) {}

  private CalibrationSuite() {}

  public static List<Entry> entries() {
    return List.of(
        zoo("MobileNet", 64, 1),
        zoo("MobileNetV2", 64, 4),
        zoo("ResNet50", 64, 1),
        zoo("VGG16", 64, 1),
        zoo("DenseNet121", 32, 1),
        zoo("EfficientNetB0", 64, 1),
        zoo("Xception", 71, 1),
        random(1, 64, 4),
        random(2, 64, 1),
        random(3, 48, 1));
  }

  private static Entry zoo(String name, int input, int batch) {
    return new Entry(name + " " + input + "x" + input, () -> ModelZoo.build(name, input), batch);
  }

  private static Entry random(int seed, int input, int batch) {
    return new Entry("random_" + seed + " " + input + "x" + input,
        () -> RandomArchitectures.generate(seed, input), batch);
  }
}
