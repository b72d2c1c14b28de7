package io.jouleflow.predictor.layers;

import java.util.List;
import java.util.Map;

/**
 * The model's per-run overhead as a pseudo-layer: what a run costs beyond its layers' ops
 * (TensorFlow's per-run setup, the executor's scheduling, feeding and fetching, gaps between
 * ops). In-place measurement and the agent both observe it as the {@link LayerGraph#UNATTRIBUTED}
 * remainder; the predictor predicts it once per model, from the model's features:
 *
 * <ul>
 *   <li>{@code batch_size}: the batch, as the layers carry it;
 *   <li>{@code number_of_layers}: the layers' own count (InputLayers included, as they carry it);
 *   <li>{@code input_size}: elements per example fed (all InputLayers);
 *   <li>{@code output_size}: elements per example of the last layer;
 *   <li>{@code flops}, {@code parameters}, {@code bytes_moved}: the sums over the layers.
 * </ul>
 */
public final class OverheadLayer {

  private OverheadLayer() {}

  /** The overhead pseudo-layer of {@code graph}; its features as above (NaN where unknown). */
  public static Layer of(LayerGraph graph) {
    List<Layer> layers = graph.layers().stream()
        .filter(l -> l.type() != LayerType.OVERHEAD).toList();
    double batch = Double.NaN;
    double count = layers.size();
    double input = 0;
    double flops = 0;
    double parameters = 0;
    double bytes = 0;
    boolean anyInput = false;
    for (Layer l : layers) {
      LayerFeatures f = l.features();
      if (Double.isNaN(batch) && Double.isFinite(f.batchSize())) {
        batch = f.batchSize();
      }
      if (Double.isFinite(f.numberOfLayers())) {
        count = f.numberOfLayers();
      }
      if (l.type() == LayerType.INPUT_LAYER && Double.isFinite(f.outputSize())) {
        input += f.outputSize();
        anyInput = true;
      }
      flops += finite(f.flops());
      parameters += finite(f.parameters());
      bytes += finite(f.bytesMoved());
    }
    double output = layers.isEmpty() ? Double.NaN : layers.get(layers.size() - 1).features().outputSize();
    LayerFeatures features = LayerFeatures.builder()
        .batchSize(batch)
        .numberOfLayers(count)
        .inputSize(anyInput ? input : Double.NaN)
        .outputSize(output)
        .flops(flops > 0 ? flops : Double.NaN)
        .parameters(parameters)
        .bytesMoved(bytes > 0 ? bytes : Double.NaN)
        .build();
    return new Layer(LayerGraph.UNATTRIBUTED, LayerType.OVERHEAD, "", List.of(), features);
  }

  /**
   * Whether a sample of type Overhead is a model's overhead row that can be learned from: one with
   * the model features above (in place, from {@code collect} or the agent). Rows without them (the
   * agent's before version 2) say nothing a prediction could use.
   */
  public static boolean learnable(String layerType, Map<String, Double> features) {
    return !LayerType.OVERHEAD.label().equals(layerType)
        || features.containsKey(LayerFeatures.NUMBER_OF_LAYERS);
  }

  /**
   * Below this an overhead row is 0 (the traced ops filled the run) up to floating-point residue
   * of 1 − the layers' shares: a logarithm cannot learn from it.
   */
  public static final double ZERO_JOULES = 1e-7;

  /** Whether a learnable row's joules can be learned from: positive, and no residue of 0. */
  public static boolean learnableJoules(String layerType, double joules) {
    return joules > (LayerType.OVERHEAD.label().equals(layerType) ? ZERO_JOULES : 0)
        && Double.isFinite(joules);
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? v : 0;
  }
}
