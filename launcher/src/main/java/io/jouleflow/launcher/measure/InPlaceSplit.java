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
 * kernels go to the layer they were fused into), and a layer's share is its active time over the
 * traced run's span in the executor (first op start to last op end). What no layer covers — the
 * executor's gaps between ops — is the overhead. The shares of several traced runs are averaged.
 * (Against the untraced run's shorter wall time, the traced ops' own slowdown would fill the run
 * and leave the overhead at 0 for models of many small ops.)
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
   */
  public static InPlaceSplit trace(GraphDef graphDef, Supplier<RunMetadata> tracedRun, int runs) {
    DetectedLayers layers = DetectedLayers.of(graphDef); // as the agent detects a session's layers
    Map<String, Double> sum = new LinkedHashMap<>();
    for (int i = 0; i < runs; i++) {
      List<NodeRecord> nodes = StepStatsParser.nodes(tracedRun.get().getStepStats());
      LayerShares of = LayerShares.of(nodes, layers.resolve(nodes));
      String device = of.devices().stream().filter(d -> d.startsWith("gpu:")).findFirst().orElse("cpu");
      // On a GPU the GPU's timeline splits the run (the GPU's energy dominates it).
      for (Map.Entry<LayerRef, Double> e : of.shares(device, span(nodes)).entrySet()) {
        sum.merge(e.getKey().id(), e.getValue() / runs, Double::sum);
      }
    }
    return new InPlaceSplit(sum, runs);
  }

  /** Microseconds from the first node's start to the last node's end. */
  static double span(List<NodeRecord> nodes) {
    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    for (NodeRecord n : nodes) {
      start = Math.min(start, n.startMicros());
      end = Math.max(end, n.endMicros());
    }
    return nodes.isEmpty() ? 0 : end - start;
  }

  /** Each detected layer's share of a run (layer id as detected: the Keras scope), unattributed included. */
  public Map<String, Double> shares() {
    return shares;
  }

  public int tracedRuns() {
    return tracedRuns;
  }
}
