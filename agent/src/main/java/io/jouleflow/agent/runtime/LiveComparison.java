package io.jouleflow.agent.runtime;

import io.jouleflow.agent.feedback.LayerSampleRows;
import io.jouleflow.agent.telemetry.AgentMetrics;
import io.jouleflow.agent.telemetry.ModelAttributes;
import io.jouleflow.predictor.attribution.LayerRef;
import io.jouleflow.predictor.layers.Layer;
import io.jouleflow.predictor.layers.OverheadLayer;
import io.jouleflow.predictor.layers.LayerGraph;
import io.jouleflow.predictor.store.LayerSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One model's observed energy per inference next to its prediction. Keeps the prediction for the
 * latest traced batch size and the model's totals at the last comparison, so that each comparison
 * covers the window since the one before. Worker thread only.
 */
final class LiveComparison {

  private int predictedBatch = Integer.MIN_VALUE;
  private Map<String, Double> predicted;
  // The layers with the shapes of the latest traced batch (their features), and its config id.
  private LayerGraph runtimeGraph;
  private String config;
  private final Map<LayerRef, Double> secondsAtLastCompare = new HashMap<>();
  private final Map<LayerRef, Double> joulesAtLastCompare = new HashMap<>();
  private long runsAtLastCompare;
  private Instant windowStart = Instant.now();

  /** Whether the layers were last predicted for this batch size. */
  boolean predictedFor(int batch) {
    return batch == predictedBatch;
  }

  /**
   * A traced run of a new batch size: what follows predicts for it. The previous batch's layers
   * and predictions go now, so a batch whose prediction fails is compared with nothing rather than
   * with another batch's numbers.
   */
  void newBatch(int batch) {
    predictedBatch = batch;
    runtimeGraph = null;
    config = null;
    predicted = null;
  }

  /** The model's layers with the shapes of the new batch, and the batch's config id. */
  void runtimeLayers(LayerGraph graph, String configId) {
    runtimeGraph = graph;
    config = configId;
  }

  /** Predicted joules per inference by layer id, or null when predictions are off. */
  void predictions(Map<String, Double> joulesByLayer) {
    predicted = joulesByLayer;
  }

  /** The predictions are stale (a newer model set): the next traced run predicts again. */
  void predictAgain() {
    predictedBatch = Integer.MIN_VALUE;
  }

  /**
   * Observed joules per inference of each layer since the last comparison (all meters summed),
   * next to the predictions: exports {@code layer.energy.observed}, and {@code prediction.error}
   * per layer type as (observed - predicted) / observed over the layers that have both. Nothing
   * happens before the window holds runs and energy.
   *
   * @return the window's layer observations as sample-store rows
   */
  List<LayerSample> compare(ModelEnergy energy, ModelAttributes attributes, AgentMetrics metrics,
      LayerSampleRows rows) {
    List<LayerSample> samples = new ArrayList<>();
    long windowRuns = energy.runs() - runsAtLastCompare;
    Map<LayerRef, Double> layerJoules = energy.layerJoules();
    Map<LayerRef, Double> layerSeconds = energy.layerSeconds();
    if (windowRuns <= 0 || layerJoules.isEmpty()) {
      return samples;
    }
    Map<String, double[]> byType = new HashMap<>(); // type -> {observed, predicted}
    for (Map.Entry<LayerRef, Double> e : layerJoules.entrySet()) {
      LayerRef layer = e.getKey();
      double perInference =
          (e.getValue() - joulesAtLastCompare.getOrDefault(layer, 0.0)) / windowRuns;
      Double p = predicted == null ? null : predicted.get(layer.id());
      // The overhead is compared (and fed back with the model's features) only where the model
      // set predicts it: sets trained on in-place rows do, older sets know nothing of it.
      boolean overhead = layer.equals(LayerRef.UNATTRIBUTED);
      if ((overhead && p == null) || !(perInference > 0)) {
        continue;
      }
      metrics.setObserved(attributes.ofLayer(layer), perInference);
      Layer detected = runtimeGraph == null ? null
          : overhead ? OverheadLayer.of(runtimeGraph) : runtimeGraph.layer(layer.id()).orElse(null);
      double seconds = (layerSeconds.getOrDefault(layer, 0.0)
          - secondsAtLastCompare.getOrDefault(layer, 0.0)) / windowRuns;
      LayerSample row = rows.row(windowStart, attributes.model(), config, detected, predictedBatch,
          perInference, seconds, windowRuns, p);
      if (row != null) {
        samples.add(row);
      }
      if (p != null) {
        metrics.setPredicted(attributes.ofLayer(layer), p);
        double[] sums = byType.computeIfAbsent(layer.type(), t -> new double[2]);
        sums[0] += perInference;
        sums[1] += p;
      }
    }
    byType.forEach((type, sums) -> metrics.setPredictionError(
        attributes.ofLayerType(type), (sums[0] - sums[1]) / sums[0]));
    joulesAtLastCompare.putAll(layerJoules);
    secondsAtLastCompare.putAll(layerSeconds);
    runsAtLastCompare = energy.runs();
    windowStart = Instant.now();
    return samples;
  }
}
