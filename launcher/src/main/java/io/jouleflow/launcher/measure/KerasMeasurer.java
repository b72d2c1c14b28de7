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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * The paper's protocol on a Keras architecture: the whole model, then each layer alone — a graph
 * holding just that layer, fed random input of its real input shape — each measured by {@link
 * InferenceEnergy}; the additivity factor is whole / sum of layers. Layers identical in class,
 * configuration and input shape (repeated blocks) are measured once and the cost reused.
 */
public final class KerasMeasurer {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SEED = 42;

  private final InferenceEnergy energy;
  private final MeasureProtocol modelProtocol;
  private final MeasureProtocol layerProtocol;
  private final Consumer<String> progress;

  public KerasMeasurer(
      InferenceEnergy energy,
      MeasureProtocol modelProtocol,
      MeasureProtocol layerProtocol,
      Consumer<String> progress) {
    this.energy = energy;
    this.modelProtocol = modelProtocol;
    this.layerProtocol = layerProtocol;
    this.progress = progress;
  }

  /**
   * Measures {@code model} at {@code batch} (and {@code inputHWC}, null for the model's own).
   *
   * @throws KerasGraphBuilder.UnsupportedLayerException when a layer cannot be built
   */
  public MeasureReport measure(KerasModel model, int batch, int[] inputHWC, boolean layers) {
    KerasImport imported = KerasLayers.toLayerGraph(model, batch, inputHWC);
    requireFeedable(imported, batch);
    List<Layer> measurable = imported.graph().layers().stream()
        .filter(l -> l.type() != LayerType.INPUT_LAYER).toList();
    String config = MeasureReport.configId(batch, inputShape(imported, model));
    Cost whole;
    try (BuiltModel built = KerasGraphBuilder.build(model, batch, inputHWC, SEED)) {
      whole = measureBuilt(built, modelProtocol);
    }
    progress.accept(String.format("%s %s: whole model %.4f J/inference over %d runs",
        model.name(), config, whole.joules(), whole.runs()));
    List<LayerCost> costs = new ArrayList<>();
    if (layers) {
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
          try (BuiltModel built = KerasGraphBuilder.build(alone, batch, null, SEED)) {
            cost = measureBuilt(built, layerProtocol);
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
    }
    double sum = costs.stream().mapToDouble(c -> c.cost().joules()).sum();
    Double additivity = costs.isEmpty() || sum <= 0 ? null : whole.joules() / sum;
    return new MeasureReport(model.name(), config, batch, energy.source(), whole, costs,
        measurable.size(), additivity);
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

  private Cost measureBuilt(BuiltModel built, MeasureProtocol protocol) {
    try (Session session = built.newSession()) {
      List<TFloat32> inputs = new ArrayList<>();
      try {
        for (int i = 0; i < built.inputNames().size(); i++) {
          inputs.add(built.randomInput(i, SEED + i));
        }
        Runnable run = () -> {
          Session.Runner runner = session.runner();
          for (int i = 0; i < inputs.size(); i++) {
            runner.feed(built.inputNames().get(i), inputs.get(i));
          }
          built.outputNames().forEach(runner::fetch);
          try (Result r = runner.run()) {
            // outputs are discarded; the run is what is measured
          }
        };
        return energy.measure(run, protocol);
      } finally {
        inputs.forEach(TFloat32::close);
      }
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
