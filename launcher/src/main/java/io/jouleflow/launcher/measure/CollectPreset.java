package io.jouleflow.launcher.measure;

import io.jouleflow.launcher.zoo.ModelZoo;
import java.util.List;

/**
 * A collection grid: models x batch sizes x input sizes, and how long each thing is measured.
 *
 * @param zooModels model zoo names
 * @param randomModels how many random architectures (seeds 1..n)
 * @param batches batch sizes
 * @param inputSizes square input sizes (a zoo model below its minimum input uses its minimum)
 * @param modelProtocol protocol for whole models
 * @param layerProtocol protocol for layers alone
 */
public record CollectPreset(
    String name,
    List<String> zooModels,
    int randomModels,
    List<Integer> batches,
    List<Integer> inputSizes,
    MeasureProtocol modelProtocol,
    MeasureProtocol layerProtocol) {

  /**
   * Small inputs and batches for a 2-core CPU within 30 minutes: one zoo model of each of ten
   * families, eight random architectures, batch 1, 4 and 8, input 32, 64 and 96 (Xception's
   * minimum is 71, InceptionResNetV2's 75). Whole models by the paper's protocol (1 s, 20 runs),
   * which in place gives every layer at once; layers alone (--protocol isolated) shorter (0.1 s,
   * 10 runs).
   */
  public static final CollectPreset QUICK = new CollectPreset(
      "quick",
      List.of("MobileNet", "MobileNetV2", "MobileNetV3Small", "ResNet50", "DenseNet121", "VGG16",
          "Xception", "EfficientNetB0", "NASNetMobile", "InceptionResNetV2"),
      8,
      List.of(1, 4, 8),
      List.of(32, 64, 96),
      MeasureProtocol.DEFAULT,
      new MeasureProtocol(2, 0.1, 10));

  /** The paper's grid, for GPU servers: the whole zoo, batch 16/32/64, inputs 300/400/500. */
  public static final CollectPreset FULL = new CollectPreset(
      "full",
      ModelZoo.names(),
      20,
      List.of(16, 32, 64),
      List.of(300, 400, 500),
      MeasureProtocol.DEFAULT,
      MeasureProtocol.DEFAULT);

  public static CollectPreset named(String name) {
    return switch (name) {
      case "quick" -> QUICK;
      case "full" -> FULL;
      default -> throw new IllegalArgumentException("--preset must be quick or full, not '" + name + "'");
    };
  }
}
