package io.jouleflow.launcher.measure;

import io.jouleflow.predictor.attribution.DetectedLayers;
import io.jouleflow.predictor.attribution.LayerRef;
import io.jouleflow.predictor.attribution.LayerShares;
import io.jouleflow.predictor.trace.NodeRecord;
import io.jouleflow.predictor.trace.StepStatsParser;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.RunMetadata;

/**
 * Splits a whole model's measured run over its layers with the agent's attribution: traced runs
 * give each layer's active time ({@link LayerShares}: concurrent ops share an instant, fused
 * kernels go to the layer they were fused into), and a layer's share of an untraced run is its
 * active time over that run's wall time — exactly as the agent splits a served model's runs, so
 * collected rows and agent rows are on one footing. What no layer covers (JNI, feeding and
 * fetching, the executor's gaps) is the overhead; where the traced ops' own slowdown fills the
 * run, layers are scaled to it and the overhead is 0, as in the agent. The shares of several
 * traced runs are averaged.
 */
public final class InPlaceSplit {

  private final Map<String, Double> shares;
  private final int tracedRuns;

  private InPlaceSplit(Map<String, Double> shares, int tracedRuns) {
    this.shares = shares;
    this.tracedRuns = tracedRuns;
  }

  /**
   * @param graphDef the graph that ran
   * @param tracedRun runs the model once traced and returns its RunMetadata
   * @param runs how many traced runs to average
   * @param runSeconds the untraced run's wall time per inference
   */
  public static InPlaceSplit trace(
      GraphDef graphDef, Supplier<RunMetadata> tracedRun, int runs, double runSeconds) {
    DetectedLayers layers = DetectedLayers.of(graphDef); // as the agent detects a session's layers
    Map<String, Double> sum = new LinkedHashMap<>();
    for (int i = 0; i < runs; i++) {
      List<NodeRecord> nodes = StepStatsParser.nodes(tracedRun.get().getStepStats());
      LayerShares of = LayerShares.of(nodes, layers.resolve(nodes));
      String device = of.devices().stream().filter(d -> d.startsWith("gpu:")).findFirst().orElse("cpu");
      // On a GPU the GPU's timeline splits the run (the GPU's energy dominates it).
      for (Map.Entry<LayerRef, Double> e : of.shares(device, runSeconds * 1e6).entrySet()) {
        sum.merge(e.getKey().id(), e.getValue() / runs, Double::sum);
      }
    }
    return new InPlaceSplit(sum, runs);
  }

  /** Each detected layer's share of a run (layer id as detected: the Keras scope), unattributed included. */
  public Map<String, Double> shares() {
    return shares;
  }

  public int tracedRuns() {
    return tracedRuns;
  }
}
