package io.jouleflow.launcher.measure;

import io.jouleflow.predictor.store.MachineLoad;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code measure} found for one model in one configuration.
 *
 * @param model the model's name
 * @param config the configuration id, e.g. {@code b8_64x64x3}
 * @param batch batch size
 * @param source the meters summed ({@code estimate}, {@code rapl}, {@code nvml+rapl}, ...)
 * @param whole the whole model per inference
 * @param layers each layer alone (empty with {@code --no-layers})
 * @param layerCount layers of the model (InputLayers excluded)
 * @param additivityFactor whole / sum of layers, the paper's additivity factor; null without layers
 *     and in place (where layers and overhead sum to the whole)
 * @param protocol {@code inplace} or {@code isolated} ({@code MeasureProtocols})
 * @param overhead in place: the model's overhead row (what no layer's ops cover); else null
 * @param machineLoad other work on the machine during the whole-model measurement; null if unknown
 */
public record MeasureReport(
    String model,
    String config,
    int batch,
    String source,
    Cost whole,
    List<LayerCost> layers,
    int layerCount,
    Double additivityFactor,
    String protocol,
    LayerCost overhead,
    MachineLoad machineLoad) {

  /** Layers and, in place, the overhead row last. */
  public List<LayerCost> rows() {
    if (overhead == null) {
      return layers;
    }
    List<LayerCost> rows = new ArrayList<>(layers);
    rows.add(overhead);
    return rows;
  }

  /** Sum of the layers' joules per inference (the overhead row not included). */
  public double sumOfLayerJoules() {
    return layers.stream().mapToDouble(l -> l.cost().joules()).sum();
  }

  /** {@code b<batch>_<H>x<W>x<C>} for the model's input shape. */
  public static String configId(int batch, long[] inputShapeWithoutBatch) {
    StringBuilder s = new StringBuilder("b").append(batch).append('_');
    for (int i = 0; i < inputShapeWithoutBatch.length; i++) {
      s.append(i == 0 ? "" : "x").append(inputShapeWithoutBatch[i]);
    }
    return s.toString();
  }
}
