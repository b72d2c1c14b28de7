package io.jouleflow.launcher.measure;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jouleflow.launcher.keras.KerasGraphBuilder.BuiltModel;
import io.jouleflow.launcher.keras.KerasGraphBuilder;
import io.jouleflow.predictor.keras.KerasImport;
import io.jouleflow.predictor.keras.KerasLayer;
import io.jouleflow.predictor.keras.KerasLayers;
import io.jouleflow.predictor.keras.KerasModel;
import io.jouleflow.predictor.layers.Layer;
import io.jouleflow.predictor.layers.LayerType;
import io.jouleflow.predictor.layers.OverheadLayer;
import io.jouleflow.predictor.store.MachineLoad;
import io.jouleflow.predictor.store.MeasureProtocols;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/**
 * Measures a Keras architecture built as a TensorFlow graph, whole and per layer, by one of two
 * protocols ({@link MeasureProtocols}):
 *
 * <ul>
 *   <li>in place (the default): the whole model is measured by {@link InferenceEnergy} (untraced
 *       runs), then traced runs split its energy over the layers with the agent's attribution
 *       ({@link InPlaceSplit}); the rest is the model's overhead row. Layers and overhead sum to the
 *       whole, as the agent observes a served model.
 *   <li>isolated (the paper's): the whole model, then each layer alone — a graph holding just that
 *       layer, fed random input of its real input shape; the additivity factor is whole / sum of
 *       layers. Layers identical in class, configuration and input shape (repeated blocks) are
 *       measured once and the cost reused.
 * </ul>
 *
 * The machine's load during the whole-model measurement is recorded ({@link MachineLoadProbe}).
 */
public final class KerasMeasurer {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SEED = 42;

  private final InferenceEnergy energy;
  private final MeasureProtocol modelProtocol;
  private final MeasureProtocol layerProtocol;
  private final Consumer<String> progress;
  private final String protocol;
  private final int tracedRuns;
  private final MachineLoadProbe probe = new MachineLoadProbe();

  /** Traced runs averaged for the in-place split by default. */
  public static final int DEFAULT_TRACED_RUNS = 20;

  /** The isolated protocol (the paper's), as before in-place measurement existed. */
  public KerasMeasurer(
      InferenceEnergy energy,
      MeasureProtocol modelProtocol,
      MeasureProtocol layerProtocol,
      Consumer<String> progress) {
    this(energy, modelProtocol, layerProtocol, progress, MeasureProtocols.ISOLATED, DEFAULT_TRACED_RUNS);
  }

  /**
   * @param protocol {@link MeasureProtocols#IN_PLACE} or {@link MeasureProtocols#ISOLATED}
   * @param tracedRuns traced runs averaged for the in-place split
   */
  public KerasMeasurer(
      InferenceEnergy energy,
      MeasureProtocol modelProtocol,
      MeasureProtocol layerProtocol,
      Consumer<String> progress,
      String protocol,
      int tracedRuns) {
    this.energy = energy;
    this.modelProtocol = modelProtocol;
    this.layerProtocol = layerProtocol;
    this.progress = progress;
    this.protocol = MeasureProtocols.check(protocol);
    if (tracedRuns < 1) {
      throw new IllegalArgumentException("traced runs must be at least 1, not " + tracedRuns);
    }
    this.tracedRuns = tracedRuns;
  }

  /**
   * Measures {@code model} at {@code batch} (and {@code inputHWC}, null for the model's own).
   *
   * @throws KerasGraphBuilder.UnsupportedLayerException when a layer cannot be built
   */
  public MeasureReport measure(KerasModel model, int batch, int[] inputHWC, boolean layers) {
    KerasImport imported = KerasLayers.toLayerGraph(model, batch, inputHWC);
    boolean inPlace = MeasureProtocols.IN_PLACE.equals(protocol);
    if (!inPlace || !layers) {
      requireFeedable(imported, batch);
    }
    List<Layer> measurable = imported.graph().layers().stream()
        .filter(l -> l.type() != LayerType.INPUT_LAYER).toList();
    String config = MeasureReport.configId(batch, inputShape(imported, model));
    Cost whole;
    Optional<MachineLoad> load;
    List<LayerCost> costs = new ArrayList<>();
    LayerCost overhead = null;
    try (BuiltModel built = KerasGraphBuilder.build(model, batch, inputHWC, SEED);
        Running running = new Running(built)) {
      Optional<MachineLoadProbe.Snapshot> before = probe.snapshot();
      whole = energy.measure(running::run, modelProtocol);
      load = MachineLoadProbe.between(before, probe.snapshot());
      progress.accept(String.format("%s %s: whole model %.4f J/inference over %d runs%s",
          model.name(), config, whole.joules(), whole.runs(), busyNote(load)));
      if (layers && inPlace) {
        InPlaceSplit split = InPlaceSplit.trace(built.graph().toGraphDef(), running::traced,
            tracedRuns, whole.seconds());
        Map<String, String> layerOfScope = new HashMap<>();
        built.layerScopes().forEach((layer, scope) -> layerOfScope.put(scope, layer));
        Map<String, Double> shareOf = new HashMap<>();
        double rest = 0;
        for (Map.Entry<String, Double> e : split.shares().entrySet()) {
          String layer = layerOfScope.get(e.getKey());
          if (layer != null) {
            shareOf.merge(layer, e.getValue(), Double::sum);
          } else {
            rest += e.getValue(); // unattributed, or ops of no Keras layer: the model's overhead
          }
        }
        for (Layer layer : measurable) {
          double share = shareOf.getOrDefault(layer.id(), 0.0);
          costs.add(new LayerCost(layer, share(whole, share), false));
        }
        overhead = new LayerCost(OverheadLayer.of(imported.graph()), share(whole, rest), false);
      }
    }
    if (layers && !inPlace) {
      costs.addAll(isolatedLayers(model, imported, measurable, batch, config));
    }
    double sum = costs.stream().mapToDouble(c -> c.cost().joules()).sum();
    Double additivity = inPlace || costs.isEmpty() || sum <= 0 ? null : whole.joules() / sum;
    return new MeasureReport(model.name(), config, batch, energy.source(), whole, costs,
        measurable.size(), additivity, protocol, overhead, load.orElse(null));
  }

  /** A share of the whole model's cost per inference. */
  private static Cost share(Cost whole, double share) {
    return new Cost(whole.joules() * share, whole.seconds() * share, whole.runs(),
        whole.errorBoundJoules() * share);
  }

  private static String busyNote(Optional<MachineLoad> load) {
    return load.filter(MachineLoad::busy).map(l -> String.format(
        " -- the machine was busy (other processes %.0f %%, steal %.0f %% of the CPUs): the"
            + " figure may be off", l.otherCpuShare() * 100, l.stealShare() * 100)).orElse("");
  }

  private List<LayerCost> isolatedLayers(
      KerasModel model, KerasImport imported, List<Layer> measurable, int batch, String config) {
    List<LayerCost> costs = new ArrayList<>();
    Map<String, KerasLayer> byName = new HashMap<>();
    model.layers().forEach(l -> byName.put(l.name(), l));
    Map<String, Cost> cache = new HashMap<>();
    int done = 0;
    long lastProgress = System.nanoTime();
    for (Layer layer : measurable) {
      KerasLayer keras = byName.get(layer.id());
      if (keras == null) {
        continue;
      }
      String key = isolationKey(keras, imported);
      Cost cached = cache.get(key);
      if (cached != null) {
        costs.add(new LayerCost(layer, cached, true));
      } else {
        KerasModel alone = isolated(keras, imported, model.name());
        Cost cost;
        try (BuiltModel built = KerasGraphBuilder.build(alone, batch, null, SEED);
            Running running = new Running(built)) {
          cost = energy.measure(running::run, layerProtocol);
        }
        cache.put(key, cost);
        costs.add(new LayerCost(layer, cost, false));
      }
      done++;
      if (System.nanoTime() - lastProgress > 10_000_000_000L) {
        lastProgress = System.nanoTime();
        progress.accept(String.format("%s %s: %d/%d layers measured (%d distinct)",
            model.name(), config, done, measurable.size(), cache.size()));
      }
    }
    return costs;
  }

  /**
   * Refuses shapes whose tensors, batch included, hold more elements than an {@code int} counts:
   * each layer alone is fed its input as one Java array.
   *
   * @throws IllegalArgumentException naming the first such layer
   */
  private static void requireFeedable(KerasImport imported, int batch) {
    imported.outputShapes().forEach((layer, shape) -> {
      double elements = shape.stream().mapToDouble(Long::doubleValue).reduce(1, (a, b) -> a * b);
      if (elements > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("layer \"" + layer + "\": its output " + shape
            + " at batch " + batch + " has more than " + Integer.MAX_VALUE + " elements, more"
            + " than measure can feed a layer; use a smaller --batch or --input");
      }
    });
  }

  /** A session on a built model with its random inputs, to run untraced or traced. */
  private static final class Running implements AutoCloseable {
    private static final RunOptions TRACE =
        RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.SOFTWARE_TRACE).build();
    private final BuiltModel built;
    private final Session session;
    private final List<TFloat32> inputs = new ArrayList<>();

    Running(BuiltModel built) {
      this.built = built;
      this.session = built.newSession();
      try {
        for (int i = 0; i < built.inputNames().size(); i++) {
          inputs.add(built.randomInput(i, SEED + i));
        }
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }

    private Session.Runner runner() {
      Session.Runner runner = session.runner();
      for (int i = 0; i < inputs.size(); i++) {
        runner.feed(built.inputNames().get(i), inputs.get(i));
      }
      built.outputNames().forEach(runner::fetch);
      return runner;
    }

    void run() {
      try (Result r = runner().run()) {
        // outputs are discarded; the run is what is measured
      }
    }

    RunMetadata traced() {
      try (Result r = runner().setOptions(TRACE).runAndFetchMetadata()) {
        return r.getMetadata().orElseThrow(
            () -> new IllegalStateException("TensorFlow returned no trace for a traced run"));
      }
    }

    @Override
    public void close() {
      inputs.forEach(TFloat32::close);
      session.close();
    }
  }

  private static long[] inputShape(KerasImport imported, KerasModel model) {
    List<Long> shape = imported.outputShapes().get(model.inputLayers().get(0));
    long[] out = new long[shape.size() - 1];
    for (int i = 1; i < shape.size(); i++) {
      out[i - 1] = shape.get(i);
    }
    return out;
  }

  /** Same class, same configuration (but the name), same input shapes: the same measurement. */
  private static String isolationKey(KerasLayer layer, KerasImport imported) {
    ObjectNode config = layer.config().deepCopy();
    config.remove("name");
    StringBuilder key = new StringBuilder(layer.className()).append(config);
    for (String in : layer.inbound()) {
      key.append('|').append(imported.outputShapes().get(in));
    }
    return key.toString();
  }

  /** A model of InputLayers shaped like the layer's inputs, and the layer. */
  static KerasModel isolated(KerasLayer layer, KerasImport imported, String modelName) {
    List<KerasLayer> layers = new ArrayList<>();
    List<String> inputs = new ArrayList<>();
    for (int i = 0; i < layer.inbound().size(); i++) {
      List<Long> shape = imported.outputShapes().get(layer.inbound().get(i));
      String name = "isolated_input_" + i;
      ObjectNode config = JSON.createObjectNode();
      ArrayNode batchShape = config.putArray("batch_input_shape");
      batchShape.addNull();
      for (int d = 1; d < shape.size(); d++) {
        batchShape.add(shape.get(d));
      }
      config.put("dtype", "float32");
      config.put("name", name);
      layers.add(new KerasLayer(name, "InputLayer", config, List.of()));
      inputs.add(name);
    }
    layers.add(new KerasLayer(layer.name(), layer.className(), layer.config(), inputs));
    return new KerasModel(modelName + "/" + layer.name(), layers, inputs, List.of(layer.name()));
  }
}
