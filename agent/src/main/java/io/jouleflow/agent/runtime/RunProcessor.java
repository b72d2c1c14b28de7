package io.jouleflow.agent.runtime;

import io.jouleflow.agent.bridge.Bridge;
import io.jouleflow.agent.feedback.FeedbackWriter;
import io.jouleflow.agent.feedback.LayerSampleRows;
import io.jouleflow.agent.log.AgentLog;
import io.jouleflow.agent.model.ModelIdentity;
import io.jouleflow.agent.recorder.RunEvent;
import io.jouleflow.agent.telemetry.AgentMetrics;
import io.jouleflow.meters.DeviceType;
import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.predictor.attribution.DetectedLayers;
import io.jouleflow.predictor.attribution.LayerRef;
import io.jouleflow.predictor.attribution.LayerResolver;
import io.jouleflow.predictor.attribution.LayerShares;
import io.jouleflow.predictor.attribution.RunEnergyAttributor;
import io.jouleflow.predictor.attribution.TrainingSteps;
import io.jouleflow.predictor.layers.ArgumentNode;
import io.jouleflow.predictor.layers.LayerGraph;
import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.trace.NodeRecord;
import io.jouleflow.predictor.trace.StepStatsParser;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import org.tensorflow.proto.StepStats;

/**
 * Worker-thread processing of run events: names the model, counts the run, turns traced runs
 * into layer time shares, and spreads each model's run time and energy over its layers by the
 * latest shares. Not thread-safe: one worker owns it.
 */
final class RunProcessor {

  /** Distinct model labels; runs of further models are labelled {@code _other}. */
  static final int MAX_MODELS = 100;

  /** Observed energy is compared with the predictions this often. */
  private static final long COMPARE_NANOS = 5_000_000_000L;

  /** Run time is spread over layers at least this often. */
  private static final long TIME_FLUSH_NANOS = 100_000_000L;

  private final ModelIdentity identity;
  private final AgentMetrics metrics;
  private final int layersMax;
  private final BiFunction<Object, String, LayerResolver> resolvers;
  private final Map<String, ModelState> models = new HashMap<>(); // by model and phase
  private final Map<String, ModelPhases> phases = new HashMap<>(); // by model
  private final RunEnergyAttributor<ModelState> energy; // null: no meters
  private final RunEnergyAttributor.Sink<ModelState> energySink;
  private final Map<EnergyMeter, String> tfDeviceOfMeter = new HashMap<>();
  private long lastTimeFlush;
  private long lastCompare;
  private final LivePredictions predictions;
  private final FeedbackWriter feedback; // null: samples=none
  private final LayerSampleRows sampleRows;

  /**
   * @param resolvers makes the layer resolver of a model from its session and name (on the
   *     model's first traced run)
   */
  RunProcessor(
      ModelIdentity identity,
      AgentMetrics metrics,
      int layersMax,
      BiFunction<Object, String, LayerResolver> resolvers,
      RunEnergyAttributor<ModelState> energy,
      List<EnergyMeter> meters,
      LivePredictions predictions,
      FeedbackWriter feedback,
      String hardwareProfile) {
    this.predictions = predictions;
    this.feedback = feedback;
    this.sampleRows = new LayerSampleRows(hardwareProfile, meters.stream()
        .filter(EnergyMeter::inMachineTotal)
        .map(m -> m.source().label()).distinct().sorted()
        .collect(Collectors.joining("+")));
    this.identity = identity;
    this.metrics = metrics;
    this.layersMax = layersMax;
    this.resolvers = resolvers;
    this.energy = energy;
    this.energySink = (model, meter, joules) ->
        model.energy().splitEnergy(meter, tfDeviceOfMeter.getOrDefault(meter, "cpu"), joules);
    // NVML enumerates GPUs in the order CUDA does (unless CUDA_VISIBLE_DEVICES reorders them):
    // the i-th GPU meter is TensorFlow's gpu:i. CPU and DRAM meters go with TensorFlow's CPUs.
    int gpu = 0;
    for (EnergyMeter m : meters) {
      tfDeviceOfMeter.put(m, m.device().type() == DeviceType.GPU ? "gpu:" + gpu++ : "cpu");
    }
  }

  /**
   * Closes energy that is ready and spreads run time over layers; called often by the worker,
   * after draining the queue.
   */
  void tick(long nowNanos, long oldestInFlightNanos) {
    if (energy != null) {
      energy.advance(nowNanos, oldestInFlightNanos, energySink);
    }
    if (nowNanos - lastTimeFlush >= TIME_FLUSH_NANOS) {
      lastTimeFlush = nowNanos;
      models.values().forEach(m -> m.energy().flushTime());
    }
    if (predictions != null && predictions.reloadIfNewer(nowNanos)) {
      models.values().forEach(m -> m.comparison().predictAgain());
    }
    if (nowNanos - lastCompare >= COMPARE_NANOS) {
      lastCompare = nowNanos;
      for (ModelState m : models.values()) {
        if (!m.inference()) {
          continue; // training steps are neither predicted nor samples of inference
        }
        List<LayerSample> samples =
            m.comparison().compare(m.energy(), m.attributes(), metrics, sampleRows);
        if (feedback != null) {
          feedback.offer(samples);
        }
      }
    }
  }

  /** Attributes all energy and time up to {@code nowNanos} (orderly shutdown). */
  void flush(long nowNanos) {
    if (energy != null) {
      energy.flush(nowNanos, energySink);
    }
    models.values().forEach(m -> m.energy().flushTime());
  }

  void process(RunEvent event) {
    if (event.failed() || event.outputCount() == 0) {
      return; // failed runs and target-only runs (initializers, save/restore) are not inferences
    }
    String name = identity.nameOf(event.session());
    if (phases.size() >= MAX_MODELS && !phases.containsKey(name)) {
      name = "_other"; // bounded cardinality, e.g. an application building a graph per request
    }
    String model = name;
    ModelPhases modelPhases = phases.computeIfAbsent(model, m -> new ModelPhases());
    StepStats stats = null;
    List<NodeRecord> nodes = null;
    String phase;
    if (event.traced()) {
      stats = StepStatsParser.stepStats(event.trace()); // parsed once per traced run
      nodes = StepStatsParser.nodes(stats);
      phase = modelPhases.traced(event.fetchNames(), TrainingSteps.isTrainingStep(nodes));
    } else {
      phase = modelPhases.untraced(event.fetchNames());
    }
    ModelState state = models.computeIfAbsent(model + '\u0000' + phase,
        k -> new ModelState(model, phase, layersMax, metrics));
    double seconds = event.durationNanos() / 1e9;
    metrics.recordRun(state.attributes().ofModel(), seconds, event.traced());
    // The graph is read at the model's first run, traced or not: the application may close it
    // soon after (a batch job), and a closed graph is kept only until the worker has read it.
    LayerResolver resolver = modelPhases.resolver(() -> resolvers.apply(event.session(), model));
    identity.snapshots().done(event.session());
    if (event.traced()) {
      announce(state, event, nodes);
      profilerWhereGpus(state, nodes);
      List<LayerRef> layers = new ArrayList<>(resolver.resolve(nodes));
      layers.replaceAll(l -> l == null ? null : state.attributes().bounded(l));
      state.energy().updateShares(LayerShares.of(nodes, layers));
      if (state.inference()) {
        predictFor(state, resolver, nodes, stats);
      }
    }
    state.energy().addRun(seconds);
    if (energy != null) {
      energy.add(state, event.startNanos(), event.endNanos());
    }
  }

  /** A GPU's kernel times need TensorFlow's profiler: later traces use it (one log line). */
  private static void profilerWhereGpus(ModelState state, List<NodeRecord> nodes) {
    if (!Bridge.profilerTraces() && nodes.stream().anyMatch(n -> n.device().startsWith("gpu"))) {
      Bridge.useProfilerTraces();
      AgentLog.info("model \"" + state.name() + "\" runs on a GPU: traces use TensorFlow's"
          + " profiler (FULL_TRACE) from now on, for kernel times");
    }
  }

  /** Predicts the model's layers once per batch size seen in traced runs. */
  private void predictFor(
      ModelState state, LayerResolver resolver, List<NodeRecord> nodes, StepStats stats) {
    if (predictions == null || !(resolver instanceof DetectedLayers detected)) {
      return;
    }
    int batch = batchOf(nodes);
    LiveComparison comparison = state.comparison();
    if (comparison.predictedFor(batch)) {
      return;
    }
    comparison.newBatch(batch);
    try {
      LayerGraph runtimeGraph = detected.withRuntimeShapes(stats);
      comparison.runtimeLayers(runtimeGraph, configOf(nodes, batch));
      comparison.predictions(predictions.predict(runtimeGraph));
    } catch (Exception e) {
      AgentLog.debug("no prediction for model " + state.name() + ": " + e);
    }
  }

  /** {@code b<batch>_<H>x<W>x<C>} from the first input's runtime shape. */
  private static String configOf(List<NodeRecord> nodes, int batch) {
    for (NodeRecord n : nodes) {
      if (ArgumentNode.isArgument(n.node()) && !n.outputShapes().isEmpty()) {
        long[] shape = n.outputShapes().get(0);
        StringBuilder s = new StringBuilder("b").append(batch).append('_');
        for (int i = 1; i < shape.length; i++) {
          s.append(i == 1 ? "" : "x").append(shape[i]);
        }
        return s.toString();
      }
    }
    return "b" + batch;
  }

  /** The batch of a traced run: dimension 0 of what its inputs ({@code _arg_*}) produced. */
  private static int batchOf(List<NodeRecord> nodes) {
    for (NodeRecord n : nodes) {
      if (ArgumentNode.isArgument(n.node()) && !n.outputShapes().isEmpty()
          && n.outputShapes().get(0).length > 0) {
        return (int) n.outputShapes().get(0)[0];
      }
    }
    return -1;
  }

  private static void announce(ModelState state, RunEvent event, List<NodeRecord> nodes) {
    if (state.firstTrace()) {
      AgentLog.info("model \"" + state.name() + "\": first traced "
          + (state.inference() ? "run, " : "training step (phase=\"training\": backward time"
              + " goes to the layers it trains, optimizer work to _optimizer; not predicted, no"
              + " samples), ")
          + nodes.size() + " nodes executed, fetches "
          + (event.fetchNames() instanceof Object[] f ? Arrays.toString(f) : "unknown"));
    } else if (AgentLog.debugEnabled() && state.firstNodeLog()) {
      nodes.forEach(n -> AgentLog.debug("  node " + n.node() + " op=" + n.opType()
          + " device=" + n.device() + " us=" + n.durationMicros()));
    }
  }
}
