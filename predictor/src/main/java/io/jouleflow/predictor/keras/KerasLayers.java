package io.jouleflow.predictor.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.jouleflow.predictor.keras.KerasLayerRules.Outcome;
import io.jouleflow.predictor.layers.Layer;
import io.jouleflow.predictor.layers.LayerFeatures;
import io.jouleflow.predictor.layers.Fusion;
import io.jouleflow.predictor.layers.LayerGraph;
import io.jouleflow.predictor.layers.LayerType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns a {@link KerasModel} into a {@link LayerGraph} without TensorFlow: shapes are inferred in
 * Java from the layer configs, and each layer's features are those {@link
 * io.jouleflow.predictor.layers.LayerDetector} computes for the graph Keras builds for that layer
 * (rules per class in {@link KerasLayerRules}).
 *
 * <p>Each Keras layer is one {@link Layer}: its id is the Keras name, its only node is that name,
 * its anchor op is the TensorFlow op the detector would anchor it on ({@code Conv2D}, {@code
 * MatMul}, {@code FusedBatchNormV3}, ...; the class name for an unknown class). Types follow the
 * detector: convolutions of any variant are Convolutional, BatchNormalization and Normalization are
 * Normalization, Activation/ReLU/LeakyReLU/Softmax are Activation, global pooling is Pooling,
 * Flatten/Reshape/Permute are Reshape, Average and InceptionResNetV2's CustomScaleLayer ({@code
 * x0 + x1 * scale}) are Add; Subtract, Maximum, Minimum and Cropping are Other (Cropping is one
 * StridedSlice copying a window: no padding is added, and nothing in the graph names it). A
 * TFOpLambda is typed by its {@code function}: {@code nn.relu6} and other one-tensor functions are
 * Activation, {@code __operators__.add} or {@code math.multiply} of two tensors Add or Multiply, of
 * a tensor and a scalar Rescaling (an op with a constant operand, as the detector sees it). Dropout's
 * rate comes from the config (an inference graph no longer holds it).
 *
 * <p>Every shape holds at most {@value #MAX_ELEMENTS_PER_EXAMPLE} elements per example, and sizes in
 * configs are exact integers up to the same number: what would overflow is refused, not wrapped.
 *
 * <p>Classes without a rule (custom layers such as {@code MyBlock}) become Other layers shaped like
 * their first input, with FLOPs, parameters and bytes moved unknown (NaN); {@link
 * KerasImport#warning()} lists them.
 */
public final class KerasLayers {

  /** The most elements one example of a layer's input or output may hold: Java's {@code int}. */
  public static final long MAX_ELEMENTS_PER_EXAMPLE = KerasLayerRules.MAX_INTEGER;

  private KerasLayers() {}

  /**
   * The layers of {@code model} for a batch of {@code batch} examples.
   *
   * @param inputHWC the input shape without the batch dimension ({@code {224, 224, 3}}), replacing
   *     the shape the file states for every input of the same rank; null to use the file's shapes
   * @throws KerasFormatException if an input shape is open or absent and {@code inputHWC} is null,
   *     or a layer's shape cannot be inferred
   * @throws IllegalArgumentException if {@code batch} or a dimension of {@code inputHWC} is not
   *     positive
   */
  public static KerasImport toLayerGraph(KerasModel model, int batch, int[] inputHWC) {
    Objects.requireNonNull(model, "model");
    if (batch <= 0) {
      throw new IllegalArgumentException("batch must be positive: " + batch);
    }
    if (inputHWC != null) {
      for (int d : inputHWC) {
        if (d <= 0) {
          throw new IllegalArgumentException(
              "input dimensions must be positive: " + Arrays.toString(inputHWC));
        }
      }
    }
    int numberOfLayers = model.layers().size();
    int inputCount =
        (int) model.layers().stream().filter(l -> l.className().equals("InputLayer")).count();
    Map<String, long[]> shapes = new HashMap<>();
    Map<String, List<Long>> outputShapes = new LinkedHashMap<>();
    Map<String, List<String>> unknown = new LinkedHashMap<>();
    List<Layer> layers = new ArrayList<>(numberOfLayers);
    for (KerasLayer layer : model.layers()) {
      List<long[]> inputs = new ArrayList<>();
      for (String in : layer.inbound()) {
        long[] shape = shapes.get(in);
        if (shape == null) {
          throw new KerasFormatException(
              "layer \"" + layer.name() + "\" comes before its input \"" + in + "\"");
        }
        inputs.add(shape);
      }
      Outcome outcome =
          layer.className().equals("InputLayer") && inputs.isEmpty()
              ? inputLayer(layer, batch, inputHWC, inputCount)
              : KerasLayerRules.apply(layer, inputs, batch);
      if (!outcome.known()) {
        unknown.computeIfAbsent(layer.className(), c -> new ArrayList<>()).add(layer.name());
      }
      long[] output = outcome.output();
      if (KerasLayerRules.perExample(output) > MAX_ELEMENTS_PER_EXAMPLE) {
        throw new KerasFormatException((outcome.type() == LayerType.INPUT_LAYER
                ? "input \"" + layer.name() + "\": shape "
                : "layer \"" + layer.name() + "\" (" + layer.className() + "): output ")
            + KerasLayerRules.render(output) + " has more than " + MAX_ELEMENTS_PER_EXAMPLE
            + " elements per example");
      }
      shapes.put(layer.name(), output);
      outputShapes.put(layer.name(), Arrays.stream(output).boxed().toList());
      LayerFeatures features = common(outcome, layer, inputs, batch, numberOfLayers).build();
      layers.add(
          new Layer(
              layer.name(), outcome.type(), outcome.anchorOp(), List.of(layer.name()), features));
    }
    return new KerasImport(
        newLayerGraph(layers, model), outputShapes, List.copyOf(unknown.keySet()), unknown);
  }

  /** Fills the features every layer has: batch, layer count, sizes and bytes moved. */
  private static LayerFeatures.Builder common(
      Outcome outcome, KerasLayer layer, List<long[]> inputs, int batch, int numberOfLayers) {
    LayerFeatures.Builder f = outcome.features();
    double outputSize = KerasLayerRules.perExample(outcome.output());
    // Distinct tensors: a layer that reads the same tensor twice reads it once.
    Set<String> distinct = new LinkedHashSet<>(layer.inbound());
    double inputElements = 0;
    int i = 0;
    for (String in : layer.inbound()) {
      if (distinct.remove(in)) {
        inputElements += KerasLayerRules.perExample(inputs.get(i));
      }
      i++;
    }
    boolean isInput = outcome.type() == LayerType.INPUT_LAYER;
    f.batchSize(batch).numberOfLayers(numberOfLayers).outputSize(outputSize);
    f.inputSize(isInput ? outputSize : layer.inbound().isEmpty() ? Double.NaN : inputElements);
    LayerFeatures partial = f.build();
    int[] bytes = KerasLayerRules.elementBytes(layer.config());
    f.bytesMoved(batch * (inputElements + outputSize) * bytes[0] + partial.parameters() * bytes[1]);
    return f;
  }

  /** An InputLayer's shape: the file's, or {@code inputHWC}; open shapes need the latter. */
  private static Outcome inputLayer(KerasLayer layer, int batch, int[] inputHWC, int inputCount) {
    JsonNode config = layer.config();
    JsonNode declared = null;
    String field = null;
    for (String name : List.of("batch_input_shape", "batch_shape")) {
      if (config.path(name).isArray()) {
        declared = config.get(name);
        field = name;
        break;
      }
    }
    boolean withBatch = true;
    if (declared == null && config.path("input_shape").isArray()) {
      declared = config.get("input_shape");
      field = "input_shape";
      withBatch = false;
    }
    String where = "input \"" + layer.name() + "\": \"" + field + "\" ";
    if (declared != null && withBatch && declared.isEmpty()) {
      throw new KerasFormatException(where + "is [], without even the batch dimension");
    }
    long[] shape;
    if (declared == null) {
      if (inputHWC == null) {
        throw new KerasFormatException(
            "input shape is not in the file (input \"" + layer.name() + "\"); pass --input HxWxC");
      }
      shape = withBatch(batch, inputHWC);
    } else {
      int offset = withBatch ? 1 : 0;
      long[] dims = new long[declared.size() - offset];
      boolean open = false;
      for (int i = 0; i < dims.length; i++) {
        JsonNode dim = declared.get(i + offset);
        Long exact = KerasLayerRules.exactInteger(dim);
        if (!dim.isNull() && (exact == null || exact > KerasLayerRules.MAX_INTEGER)) {
          throw new KerasFormatException(where + declared + ": " + dim
              + " is not an integer from 1 to " + KerasLayerRules.MAX_INTEGER);
        }
        dims[i] = exact == null ? -1 : exact; // null, or -1 as some writers spell it: open
        open |= dims[i] <= 0;
      }
      if (inputHWC != null && inputHWC.length == dims.length) {
        shape = withBatch(batch, inputHWC);
      } else if (inputHWC != null && inputCount == 1) {
        throw new KerasFormatException(
            "--input "
                + Arrays.stream(inputHWC)
                    .mapToObj(Integer::toString)
                    .collect(Collectors.joining("x"))
                + " has "
                + inputHWC.length
                + " dimensions but input \""
                + layer.name()
                + "\" has "
                + dims.length
                + " ("
                + fileShape(declared, withBatch)
                + ")");
      } else if (open) {
        throw new KerasFormatException(
            "input shape is open (" + fileShape(declared, withBatch) + "); pass --input HxWxC");
      } else {
        shape = new long[dims.length + 1];
        shape[0] = batch;
        System.arraycopy(dims, 0, shape, 1, dims.length);
      }
    }
    LayerFeatures.Builder f = LayerFeatures.builder().flops(0).parameters(0);
    return new Outcome(LayerType.INPUT_LAYER, "Placeholder", shape, f, true);
  }

  private static long[] withBatch(int batch, int[] dims) {
    long[] shape = new long[dims.length + 1];
    shape[0] = batch;
    for (int i = 0; i < dims.length; i++) {
      shape[i + 1] = dims[i];
    }
    return shape;
  }

  /** The shape as the file has it, with the batch: {@code [null, null, null, 3]}. */
  private static String fileShape(JsonNode declared, boolean withBatch) {
    List<String> dims = new ArrayList<>();
    if (!withBatch) {
      dims.add("null");
    }
    declared.forEach(d -> dims.add(d.isIntegralNumber() ? d.asText() : "null"));
    return "[" + String.join(", ", dims) + "]";
  }

  /** The layers with their inbound edges, and TensorFlow's fusions marked ({@link Fusion}). */
  private static LayerGraph newLayerGraph(List<Layer> layers, KerasModel model) {
    Map<String, List<String>> producers = new LinkedHashMap<>();
    model.layers().forEach(l -> producers.put(l.name(), List.copyOf(new LinkedHashSet<>(l.inbound()))));
    return Fusion.mark(LayerGraph.of(layers, producers));
  }
}
