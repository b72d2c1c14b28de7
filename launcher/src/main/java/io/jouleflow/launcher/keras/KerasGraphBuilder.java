package io.jouleflow.launcher.keras;

import static io.jouleflow.launcher.keras.KerasOps.constantWeight;
import static io.jouleflow.launcher.keras.KerasOps.heNormal;
import static io.jouleflow.launcher.keras.KerasOps.nhwc;

import io.jouleflow.predictor.keras.KerasLayer;
import io.jouleflow.predictor.keras.KerasModel;
import io.jouleflow.predictor.keras.KerasShapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Scope;
import org.tensorflow.op.core.Concat;
import org.tensorflow.op.core.Constant;
import org.tensorflow.op.core.Max;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Reshape;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.image.ResizeArea;
import org.tensorflow.op.image.ResizeBicubic;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.op.image.ResizeNearestNeighbor;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.math.Mul;
import org.tensorflow.op.math.Neg;
import org.tensorflow.op.math.Rsqrt;
import org.tensorflow.op.math.Sub;
import org.tensorflow.op.nn.BiasAdd;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.Conv2dBackpropInput;
import org.tensorflow.op.nn.DepthwiseConv2dNative;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Builds the TensorFlow graph of a Keras architecture, with random weights, so that a model known
 * only by its JSON can be run and measured layer by layer.
 *
 * <p>The graph looks like the one Keras itself builds: every layer is a name scope named after the
 * layer ({@code conv2d/Conv2D}, {@code conv2d/BiasAdd}, {@code conv2d/Relu}, {@code
 * batch_normalization/FusedBatchNormV3}, {@code dense/MatMul}), an input is a placeholder named
 * after its InputLayer, and the ops are the ones Keras emits (attribute-form {@code MaxPool} and
 * {@code AvgPool}, {@code Pad}, {@code AddV2}), so {@link
 * io.jouleflow.predictor.layers.LayerDetector} finds one layer per Keras layer.
 *
 * <p>Weights are variables initialised inside TensorFlow (a VGG16 allocates no Java arrays):
 * kernels from a seeded truncated normal with He scaling, biases and batch-normalisation shifts
 * zero, scales and moving variances one. The same seed gives the same weights. Shapes are static,
 * the batch included.
 *
 * <p>Supported classes: InputLayer, Conv2D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose,
 * Dense, BatchNormalization, Activation, ReLU, LeakyReLU, Softmax, MaxPooling2D, AveragePooling2D,
 * GlobalAveragePooling2D, GlobalMaxPooling2D, ZeroPadding2D, Add, Multiply, Concatenate, Reshape,
 * Flatten, Dropout, Rescaling, UpSampling2D, and the classes keras.applications adds (Cropping2D,
 * Normalization, CustomScaleLayer, TFOpLambda of the functions {@link KerasOpsLayers} lists: see
 * there); channels-last only. Anything else is an {@link UnsupportedLayerException}.
 */
public final class KerasGraphBuilder {

  /** The Keras classes this builder translates, for messages. */
  static final String SUPPORTED =
      "InputLayer, Conv2D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose, Dense,"
          + " BatchNormalization, Activation, ReLU, LeakyReLU, Softmax, MaxPooling2D,"
          + " AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, ZeroPadding2D, Add,"
          + " Multiply, Concatenate, Reshape, Flatten, Dropout, Rescaling, UpSampling2D,"
          + " Cropping2D, Normalization, CustomScaleLayer, TFOpLambda";

  private KerasGraphBuilder() {}

  /**
   * The graph of {@code model} for batches of {@code batch}.
   *
   * @param model the architecture
   * @param batch the batch size, part of every static shape
   * @param inputHWC the dimensions after the batch of every input ({@code {224, 224, 3}}); null to
   *     take them from the InputLayers, which must then be fully known
   * @param seed the seed of the random weights
   * @throws UnsupportedLayerException for a layer class, configuration or activation this builder
   *     does not translate
   * @throws IllegalArgumentException for an inconsistent model (unknown inbound layer, open input
   *     shape, shapes TensorFlow rejects)
   */
  public static BuiltModel build(KerasModel model, int batch, int[] inputHWC, long seed) {
    Objects.requireNonNull(model, "model");
    if (batch <= 0) {
      throw new IllegalArgumentException("batch must be positive: " + batch);
    }
    Graph graph = new Graph();
    try {
      return new Build(model, graph, batch, inputHWC, seed).run();
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /** A layer class, configuration or activation the builder does not translate. */
  public static final class UnsupportedLayerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnsupportedLayerException(String message) {
      super(message);
    }
  }

  /**
   * A built graph and what is needed to run it: placeholder names and shapes, output op names.
   * Closing it closes the graph; sessions from {@link #newSession()} must be closed first.
   */
  public static final class BuiltModel implements AutoCloseable {
    private final String name;
    private final Graph graph;
    private final List<String> inputNames;
    private final List<Shape> inputShapes;
    private final List<String> outputNames;
    private final List<Shape> outputShapes;
    private final Map<String, String> layerOutputs;
    private final Map<String, String> layerScopes;

    private BuiltModel(
        String name,
        Graph graph,
        List<String> inputNames,
        List<Shape> inputShapes,
        List<String> outputNames,
        List<Shape> outputShapes,
        Map<String, String> layerOutputs,
        Map<String, String> layerScopes) {
      this.name = name;
      this.graph = graph;
      this.inputNames = List.copyOf(inputNames);
      this.inputShapes = List.copyOf(inputShapes);
      this.outputNames = List.copyOf(outputNames);
      this.outputShapes = List.copyOf(outputShapes);
      this.layerOutputs = Collections.unmodifiableMap(new LinkedHashMap<>(layerOutputs));
      this.layerScopes = Collections.unmodifiableMap(new LinkedHashMap<>(layerScopes));
    }

    /** The model's name. */
    public String name() {
      return name;
    }

    /** The graph; owned by this object. */
    public Graph graph() {
      return graph;
    }

    /** Placeholder op names, in the model's input order (the InputLayer names). */
    public List<String> inputNames() {
      return inputNames;
    }

    /** Placeholder shapes, batch first. */
    public List<Shape> inputShapes() {
      return inputShapes;
    }

    /** Names of the ops whose output 0 are the model's outputs, in the model's output order. */
    public List<String> outputNames() {
      return outputNames;
    }

    /** Static shapes of the outputs, batch first. */
    public List<Shape> outputShapes() {
      return outputShapes;
    }

    /** Keras layer name → name of the op whose output 0 is the layer's output, in layer order. */
    public Map<String, String> layerOutputs() {
      return layerOutputs;
    }

    /**
     * Keras layer name → its name scope in the graph (the placeholder's name for an InputLayer),
     * which is the id {@link io.jouleflow.predictor.layers.LayerDetector} gives the layer. The same
     * as the Keras name unless that is no valid TensorFlow name ({@code model/conv2d} → {@code
     * model_conv2d}, {@code conv2d@1} → {@code conv2d_1}, made unique).
     */
    public Map<String, String> layerScopes() {
      return layerScopes;
    }

    /** A session on the graph with the weights initialised. The caller closes it. */
    public Session newSession() {
      Session session = new Session(graph);
      try {
        session.initialize();
      } catch (RuntimeException e) {
        session.close();
        throw e;
      }
      return session;
    }

    /** Standard-normal values for input {@code index}, the same for the same seed. */
    public TFloat32 randomInput(int index, long seed) {
      Shape shape = inputShapes.get(index);
      float[] values = new float[Math.toIntExact(shape.size())];
      Random random = new Random(seed);
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) random.nextGaussian();
      }
      return TFloat32.tensorOf(shape, DataBuffers.of(values, true, false));
    }

    @Override
    public void close() {
      graph.close();
    }

    @Override
    public String toString() {
      return "BuiltModel[" + name + ", inputs " + inputShapes + ", outputs " + outputNames + "]";
    }
  }

  /** One run of the builder over one model. */
  private static final class Build {
    private final KerasModel model;
    private final Graph graph;
    private final int batch;
    private final int[] inputHWC;
    private final long seed;
    private final KerasOpsScope root;
    private final int inputCount;
    private final Map<String, Operand<TFloat32>> outputs = new LinkedHashMap<>();
    private final Map<String, String> scopes = new LinkedHashMap<>();
    private long weights;

    Build(KerasModel model, Graph graph, int batch, int[] inputHWC, long seed) {
      this.model = model;
      this.graph = graph;
      this.batch = batch;
      this.inputHWC = inputHWC == null ? null : inputHWC.clone();
      this.seed = seed;
      this.root = KerasOpsScope.root(graph);
      this.inputCount =
          (int) model.layers().stream().filter(l -> l.className().equals("InputLayer")).count();
    }

    BuiltModel run() {
      Map<String, KerasLayer> byName = new HashMap<>();
      for (KerasLayer layer : model.layers()) {
        if (byName.put(layer.name(), layer) != null) {
          throw new IllegalArgumentException("two layers are named '" + layer.name() + "'");
        }
      }
      Set<String> taken = new HashSet<>(byName.keySet());
      for (KerasLayer layer : model.layers()) {
        scopes.put(layer.name(), scopeName(layer.name(), taken));
      }
      for (KerasLayer layer : model.layers()) {
        List<Operand<TFloat32>> in = new ArrayList<>(layer.inbound().size());
        for (String inbound : layer.inbound()) {
          Operand<TFloat32> x = outputs.get(inbound);
          if (x == null) {
            throw new IllegalArgumentException(
                "layer '"
                    + layer.name()
                    + "' reads '"
                    + inbound
                    + (byName.containsKey(inbound)
                        ? "', which comes after it"
                        : "', which is absent"));
          }
          in.add(x);
        }
        outputs.put(layer.name(), translate(layer, in));
      }
      List<String> inputNames = new ArrayList<>();
      List<Shape> inputShapes = new ArrayList<>();
      for (String name : model.inputLayers()) {
        Operand<TFloat32> x = outputOf(name, "input");
        inputNames.add(x.op().name());
        inputShapes.add(x.shape());
      }
      List<String> outputNames = new ArrayList<>();
      List<Shape> outputShapes = new ArrayList<>();
      for (String name : model.outputLayers()) {
        Operand<TFloat32> y = outputOf(name, "output");
        outputNames.add(y.op().name());
        outputShapes.add(y.shape());
      }
      Map<String, String> layerOutputs = new LinkedHashMap<>();
      outputs.forEach((name, y) -> layerOutputs.put(name, y.op().name()));
      return new BuiltModel(
          model.name(),
          graph,
          inputNames,
          inputShapes,
          outputNames,
          outputShapes,
          layerOutputs,
          scopes);
    }

    /**
     * The TensorFlow name of a Keras layer's scope: its name, with each character TensorFlow
     * rejects as {@code _} (the importer names nested and shared layers {@code model/conv2d},
     * {@code conv2d@1}), made unique among all layer names.
     */
    private static String scopeName(String name, Set<String> taken) {
      if (Scope.isValidOpName(name)) {
        return name;
      }
      StringBuilder b = new StringBuilder(name.length());
      for (int i = 0; i < name.length(); i++) {
        char ch = name.charAt(i);
        boolean letterOrDigit =
            (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        boolean valid = letterOrDigit || ch == '.' || (i > 0 && (ch == '_' || ch == '-'));
        b.append(valid ? ch : i == 0 ? 'x' : '_');
      }
      String base = b.toString();
      String unique = base;
      for (int n = 1; !taken.add(unique); n++) {
        unique = base + "_" + n;
      }
      return unique;
    }

    private Operand<TFloat32> outputOf(String layer, String role) {
      Operand<TFloat32> x = outputs.get(layer);
      if (x == null) {
        throw new IllegalArgumentException("the model's " + role + " '" + layer + "' is no layer");
      }
      return x;
    }

    /** The layer's output; errors other than unsupported ones get the layer's name. */
    private Operand<TFloat32> translate(KerasLayer layer, List<Operand<TFloat32>> in) {
      KerasOpsConfig c = new KerasOpsConfig(layer);
      try {
        c.requireChannelsLast();
        if (layer.className().equals("InputLayer")) {
          return input(c);
        }
        KerasOpsScope s = root.withSubScope(scopes.get(layer.name()));
        return switch (layer.className()) {
          case "Conv2D" -> conv2d(c, s, one(in));
          case "DepthwiseConv2D" -> depthwiseConv2d(c, s, one(in));
          case "SeparableConv2D" -> separableConv2d(c, s, one(in));
          case "Conv2DTranspose" -> conv2dTranspose(c, s, one(in));
          case "Dense" -> dense(c, s, one(in));
          case "BatchNormalization" -> batchNormalization(c, s, one(in));
          case "Activation" -> {
            Operand<TFloat32> y = activation(c, s, one(in));
            yield y == one(in) ? KerasOps.identity(s, y) : y;
          }
          case "ReLU" ->
              KerasOps.relu(
                  s,
                  one(in),
                  c.number("negative_slope", 0),
                  c.has("max_value") ? c.number("max_value", 0) : null,
                  c.number("threshold", 0));
          case "LeakyReLU" ->
              LeakyRelu.create(
                  s.withName("LeakyRelu"),
                  one(in),
                  LeakyRelu.alpha((float) c.number("negative_slope", c.number("alpha", 0.3))));
          case "Softmax" -> KerasOps.softmax(s, one(in), c.integer("axis", -1));
          case "MaxPooling2D" -> pool(c, s, "MaxPool", one(in));
          case "AveragePooling2D" -> pool(c, s, "AvgPool", one(in));
          case "GlobalAveragePooling2D" -> globalPool(c, s, true, one(in));
          case "GlobalMaxPooling2D" -> globalPool(c, s, false, one(in));
          case "ZeroPadding2D" -> KerasOps.pad(s, rank(one(in), 4), c.zeroPadding());
          case "Add" -> merge(s, in, true);
          case "Multiply" -> merge(s, in, false);
          case "Concatenate" -> concatenate(c, s, in);
          case "Reshape" -> reshape(s, one(in), c.ints("target_shape"), "shape");
          case "Flatten" -> reshape(s, one(in), new int[] {-1}, "Const");
          case "Dropout" -> KerasOps.identity(s, one(in));
          case "Rescaling" -> rescaling(c, s, one(in));
          case "UpSampling2D" -> upSampling(c, s, one(in));
          case "Cropping2D" -> KerasOpsLayers.cropping2d(c, s, rank(one(in), 4));
          case "Normalization" -> KerasOpsLayers.normalization(c, s, one(in));
          case "CustomScaleLayer" -> KerasOpsLayers.customScale(c, s, in);
          case "TFOpLambda" -> KerasOpsLayers.tfOpLambda(c, s, in);
          default ->
              throw new UnsupportedLayerException(
                  "layer '"
                      + layer.name()
                      + "' ("
                      + layer.className()
                      + ") is not supported; supported: "
                      + SUPPORTED);
        };
      } catch (UnsupportedLayerException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "layer '" + layer.name() + "' (" + layer.className() + "): " + e.getMessage(), e);
      }
    }

    private static Operand<TFloat32> one(List<Operand<TFloat32>> in) {
      if (in.size() != 1) {
        throw new IllegalArgumentException("expects one input, has " + in.size());
      }
      return in.get(0);
    }

    private static Operand<TFloat32> rank(Operand<TFloat32> x, int rank) {
      if (x.shape().numDimensions() != rank) {
        throw new IllegalArgumentException(
            "expects a rank-" + rank + " input, has shape " + x.shape());
      }
      return x;
    }

    private static long channels(Operand<TFloat32> x) {
      Shape shape = x.shape();
      return shape.size(shape.numDimensions() - 1);
    }

    private long nextSeed2() {
      return ++weights;
    }

    /** A placeholder named after the InputLayer, at the top level. */
    private Operand<TFloat32> input(KerasOpsConfig c) {
      int[] declared = null;
      for (String field : List.of("batch_input_shape", "batch_shape")) {
        if (c.has(field)) {
          int[] withBatch = c.ints(field);
          declared = Arrays.copyOfRange(withBatch, 1, withBatch.length);
          break;
        }
      }
      if (declared == null && c.has("input_shape")) {
        declared = c.ints("input_shape");
      }
      int[] dims = declared;
      if (inputHWC != null && (declared == null || declared.length == inputHWC.length)) {
        dims = inputHWC;
      } else if (inputHWC != null && inputCount == 1) {
        throw new IllegalArgumentException(
            "inputHWC "
                + Arrays.toString(inputHWC)
                + " has "
                + inputHWC.length
                + " dimensions, the input "
                + declared.length
                + " after the batch ("
                + Arrays.toString(declared)
                + ")");
      }
      if (dims == null || Arrays.stream(dims).anyMatch(d -> d <= 0)) {
        throw new IllegalArgumentException(
            "open input shape "
                + (dims == null ? "(none given)" : Arrays.toString(dims))
                + " after the batch: give inputHWC");
      }
      long[] shape = new long[dims.length + 1];
      shape[0] = batch;
      for (int i = 0; i < dims.length; i++) {
        shape[i + 1] = dims[i];
      }
      return Placeholder.create(
          root.withName(scopes.get(c.layer().name())),
          TFloat32.class,
          Placeholder.shape(Shape.of(shape)));
    }

    private Operand<TFloat32> activation(KerasOpsConfig c, KerasOpsScope s, Operand<TFloat32> x) {
      String name = c.activation();
      if (!KerasOps.knowsActivation(name)) {
        throw c.unsupported("activation " + name);
      }
      return KerasOps.activation(s, name, x);
    }

    private Operand<TFloat32> bias(
        KerasOpsConfig c, KerasOpsScope s, Operand<TFloat32> x, long units) {
      if (!c.bool("use_bias", true)) {
        return x;
      }
      Variable<TFloat32> bias = constantWeight(s, "bias", Shape.of(units), 0f);
      return BiasAdd.create(s.withName("BiasAdd"), x, bias);
    }

    private Operand<TFloat32> conv2d(KerasOpsConfig c, KerasOpsScope s, Operand<TFloat32> x) {
      rank(x, 4);
      int filters = c.integer("filters", -1);
      int[] k = c.pair("kernel_size", 1);
      int groups = c.integer("groups", 1);
      if (groups != 1) {
        throw c.unsupported("groups " + groups);
      }
      long in = channels(x);
      Variable<TFloat32> kernel =
          heNormal(
              s, "kernel", Shape.of(k[0], k[1], in, filters), k[0] * k[1] * in, seed, nextSeed2());
      Operand<TFloat32> y =
          Conv2d.create(
              s.withName("Conv2D"),
              x,
              kernel,
              nhwc(c.pair("strides", 1)),
              c.padding(),
              Conv2d.dilations(nhwc(c.pair("dilation_rate", 1))));
      return activation(c, s, bias(c, s, y, filters));
    }

    private Operand<TFloat32> depthwiseConv2d(
        KerasOpsConfig c, KerasOpsScope s, Operand<TFloat32> x) {
      rank(x, 4);
      int[] k = c.pair("kernel_size", 1);
      int multiplier = c.integer("depth_multiplier", 1);
      long in = channels(x);
      Variable<TFloat32> kernel =
          heNormal(
              s,
              "depthwise_kernel",
              Shape.of(k[0], k[1], in, multiplier),
              k[0] * k[1],
              seed,
              nextSeed2());
      Operand<TFloat32> y =
          DepthwiseConv2dNative.create(
              s.withName("depthwise"),
              x,
              kernel,
              nhwc(c.pair("strides", 1)),
              c.padding(),
              DepthwiseConv2dNative.dilations(nhwc(c.pair("dilation_rate", 1))));
      return activation(c, s, bias(c, s, y, in * multiplier));
    }

    /** Depthwise (strided) then pointwise 1x1, as {@code tf.nn.separable_conv2d} names them. */
    private Operand<TFloat32> separableConv2d(
        KerasOpsConfig c, KerasOpsScope s, Operand<TFloat32> x) {
      rank(x, 4);
      int filters = c.integer("filters", -1);
      int[] k = c.pair("kernel_size", 1);
      int multiplier = c.integer("depth_multiplier", 1);
      long in = channels(x);
      Variable<TFloat32> depthwise =
          heNormal(
              s,
              "depthwise_kernel",
              Shape.of(k[0], k[1], in, multiplier),
              k[0] * k[1],
              seed,
              nextSeed2());
      Variable<TFloat32> pointwise =
          heNormal(
              s,
              "pointwise_kernel",
              Shape.of(1, 1, in * multiplier, filters),
              in * multiplier,
              seed,
              nextSeed2());
      KerasOpsScope inner = s.withSubScope("separable_conv2d");
      Operand<TFloat32> y =
          DepthwiseConv2dNative.create(
              inner.withName("depthwise"),
              x,
              depthwise,
              nhwc(c.pair("strides", 1)),
              c.padding(),
              DepthwiseConv2dNative.dilations(nhwc(c.pair("dilation_rate", 1))));
      y =
          Conv2d.create(
              s.withName("separable_conv2d"), y, pointwise, nhwc(new int[] {1, 1}), "VALID");
      return activation(c, s, bias(c, s, y, filters));
    }

    private Operand<TFloat32> conv2dTranspose(
        KerasOpsConfig c, KerasOpsScope s, Operand<TFloat32> x) {
      rank(x, 4);
      int filters = c.integer("filters", -1);
      int[] k = c.pair("kernel_size", 1);
      int[] strides = c.pair("strides", 1);
      int[] dilation = c.pair("dilation_rate", 1);
      int[] outputPadding = c.has("output_padding") ? c.pair("output_padding", 0) : null;
      String padding = c.padding();
      long in = channels(x);
      Variable<TFloat32> kernel =
          heNormal(
              s, "kernel", Shape.of(k[0], k[1], filters, in), k[0] * k[1] * in, seed, nextSeed2());
      int[] size = new int[] {batch, 0, 0, filters};
      for (int i = 0; i < 2; i++) {
        size[i + 1] =
            Math.toIntExact(
                KerasShapes.deconvOutputLength(
                    x.shape().size(i + 1),
                    k[i],
                    padding.toLowerCase(Locale.ROOT),
                    outputPadding == null ? null : outputPadding[i],
                    strides[i],
                    dilation[i]));
      }
      Operand<TFloat32> y =
          Conv2dBackpropInput.create(
              s.withName("conv2d_transpose"),
              Constant.vectorOf(s.withName("stack"), size),
              kernel,
              x,
              nhwc(strides),
              padding,
              Conv2dBackpropInput.dilations(nhwc(dilation)));
      return activation(c, s, bias(c, s, y, filters));
    }

    private Operand<TFloat32> dense(KerasOpsConfig c, KerasOpsScope s, Operand<TFloat32> x) {
      int units = c.integer("units", -1);
      Shape shape = x.shape();
      int rank = shape.numDimensions();
      if (rank < 2) {
        throw new IllegalArgumentException("expects an input of rank 2 or more, has " + shape);
      }
      long in = channels(x);
      Variable<TFloat32> kernel = heNormal(s, "kernel", Shape.of(in, units), in, seed, nextSeed2());
      Operand<TFloat32> y;
      if (rank == 2) {
        y = MatMul.create(s.withName("MatMul"), x, kernel);
      } else {
        // Keras 2 applies Dense to the last axis with tensordot: reshape, matmul, reshape.
        KerasOpsScope tensordot = s.withSubScope("Tensordot");
        Operand<TFloat32> flat =
            Reshape.create(
                tensordot.withName("Reshape"),
                x,
                Constant.vectorOf(tensordot.withName("shape"), new int[] {-1, (int) in}));
        Operand<TFloat32> product = MatMul.create(tensordot.withName("MatMul"), flat, kernel);
        int[] out = KerasOps.dims(shape);
        out[rank - 1] = units;
        y =
            Reshape.create(
                s.withName("Tensordot"),
                product,
                Constant.vectorOf(tensordot.withName("output_shape"), out));
      }
      return activation(c, s, bias(c, s, y, units));
    }

    /**
     * FusedBatchNormV3 (inference) on a 4-D input normalised over its last axis; elsewhere the
     * arithmetic of {@code tf.nn.batch_normalization}, as Keras does.
     */
    private Operand<TFloat32> batchNormalization(
        KerasOpsConfig c, KerasOpsScope s, Operand<TFloat32> x) {
      int rank = x.shape().numDimensions();
      int axis = c.integer("axis", -1);
      int a = axis < 0 ? axis + rank : axis;
      if (a <= 0 || a >= rank) {
        throw new IllegalArgumentException("axis " + axis + " for shape " + x.shape());
      }
      double epsilon = c.number("epsilon", 1e-3);
      boolean center = c.bool("center", true);
      boolean scale = c.bool("scale", true);
      Shape vector = Shape.of(x.shape().size(a));
      Variable<TFloat32> gamma = scale ? constantWeight(s, "gamma", vector, 1f) : null;
      Variable<TFloat32> beta = center ? constantWeight(s, "beta", vector, 0f) : null;
      Variable<TFloat32> mean = constantWeight(s, "moving_mean", vector, 0f);
      Variable<TFloat32> variance = constantWeight(s, "moving_variance", vector, 1f);
      if (rank == 4 && a == 3) {
        return FusedBatchNorm.create(
                s.withName("FusedBatchNormV3"),
                x,
                gamma != null ? gamma : KerasOps.fill(s.withSubScope("ones"), vector, 1f),
                beta != null ? beta : KerasOps.fill(s.withSubScope("zeros"), vector, 0f),
                mean,
                variance,
                // Keras' fused path raises epsilon to cuDNN's minimum.
                FusedBatchNorm.epsilon((float) Math.max(epsilon, 1.001e-5)),
                FusedBatchNorm.isTraining(false))
            .y();
      }
      KerasOpsScope bn = s.withSubScope("batchnorm");
      Operand<TFloat32> inv =
          Rsqrt.create(
              bn.withName("Rsqrt"),
              KerasOps.addV2(bn, "add", variance, KerasOps.scalar(bn, (float) epsilon)));
      if (gamma != null) {
        inv = Mul.create(bn.withName("mul"), inv, gamma);
      }
      Operand<TFloat32> meanInv = Mul.create(bn.withName("mul_2"), mean, inv);
      Operand<TFloat32> shift =
          beta != null
              ? Sub.create(bn.withName("sub"), beta, meanInv)
              : Neg.create(bn.withName("Neg"), meanInv);
      if (a != rank - 1) {
        int[] broadcast = new int[rank];
        Arrays.fill(broadcast, 1);
        broadcast[a] = (int) vector.size(0);
        inv = Reshape.create(bn.withName("Reshape"), inv, Constant.vectorOf(bn, broadcast));
        shift = Reshape.create(bn.withName("Reshape_1"), shift, Constant.vectorOf(bn, broadcast));
      }
      Operand<TFloat32> scaled = Mul.create(bn.withName("mul_1"), x, inv);
      return KerasOps.addV2(bn, "add_1", scaled, shift);
    }

    private Operand<TFloat32> pool(
        KerasOpsConfig c, KerasOpsScope s, String type, Operand<TFloat32> x) {
      int[] size = c.pair("pool_size", 2);
      int[] strides = c.has("strides") ? c.pair("strides", 1) : size;
      return KerasOps.pool(s, type, rank(x, 4), size, strides, c.padding());
    }

    private Operand<TFloat32> globalPool(
        KerasOpsConfig c, KerasOpsScope s, boolean average, Operand<TFloat32> x) {
      rank(x, 4);
      boolean keepDims = c.bool("keepdims", false);
      Operand<TInt32> axes = Constant.vectorOf(s.withName("Const"), new int[] {1, 2});
      return average
          ? Mean.create(s.withName("Mean"), x, axes, Mean.keepDims(keepDims))
          : Max.create(s.withName("Max"), x, axes, Max.keepDims(keepDims));
    }

    /** Add or Multiply: {@code ((in0 op in1) op in2) ...}, in the inbound order. */
    private Operand<TFloat32> merge(KerasOpsScope s, List<Operand<TFloat32>> in, boolean add) {
      if (in.size() < 2) {
        throw new IllegalArgumentException("expects two or more inputs, has " + in.size());
      }
      Operand<TFloat32> y = in.get(0);
      for (int i = 1; i < in.size(); i++) {
        String name = (add ? "add" : "mul") + (i == 1 ? "" : "_" + (i - 1));
        y =
            add
                ? KerasOps.addV2(s, name, y, in.get(i))
                : Mul.create(s.withName(name), y, in.get(i));
      }
      return y;
    }

    private Operand<TFloat32> concatenate(
        KerasOpsConfig c, KerasOpsScope s, List<Operand<TFloat32>> in) {
      if (in.size() < 2) {
        throw new IllegalArgumentException("expects two or more inputs, has " + in.size());
      }
      return Concat.create(
          s.withName("concat"), in, Constant.scalarOf(s.withName("axis"), c.integer("axis", -1)));
    }

    /** Reshape to {@code [batch, target...]}: the batch stays, as in Keras. */
    private Operand<TFloat32> reshape(
        KerasOpsScope s, Operand<TFloat32> x, int[] target, String shapeName) {
      int[] shape = new int[target.length + 1];
      shape[0] = batch;
      System.arraycopy(target, 0, shape, 1, target.length);
      return Reshape.create(
          s.withName("Reshape"), x, Constant.vectorOf(s.withName(shapeName), shape));
    }

    /** {@code x * scale + offset}: per channel where they are lists. */
    private Operand<TFloat32> rescaling(KerasOpsConfig c, KerasOpsScope s, Operand<TFloat32> x) {
      float[] scale = c.numbers("scale", 1);
      float[] offset = c.numbers("offset", 0);
      Operand<TFloat32> y = Mul.create(s.withName("mul"), x, floats(s, scale));
      return KerasOps.addV2(s, "add", y, floats(s, offset));
    }

    private static Operand<TFloat32> floats(KerasOpsScope s, float[] values) {
      return values.length == 1
          ? Constant.scalarOf(s.withName("Const"), values[0])
          : Constant.vectorOf(s.withName("Const"), values);
    }

    private Operand<TFloat32> upSampling(KerasOpsConfig c, KerasOpsScope s, Operand<TFloat32> x) {
      rank(x, 4);
      int[] factor = c.pair("size", 2);
      String interpolation = c.string("interpolation", "nearest");
      int[] size = {
        Math.toIntExact(x.shape().size(1)) * factor[0],
        Math.toIntExact(x.shape().size(2)) * factor[1]
      };
      Operand<TInt32> newSize = Constant.vectorOf(s.withName("mul"), size);
      KerasOpsScope r = s.withSubScope("resize");
      // tf.image.resize (TF 2) samples at pixel centres.
      return switch (interpolation) {
        case "nearest" ->
            ResizeNearestNeighbor.create(
                r.withName("ResizeNearestNeighbor"),
                x,
                newSize,
                ResizeNearestNeighbor.halfPixelCenters(true));
        case "bilinear" ->
            ResizeBilinear.create(
                r.withName("ResizeBilinear"), x, newSize, ResizeBilinear.halfPixelCenters(true));
        case "bicubic" ->
            ResizeBicubic.create(
                r.withName("ResizeBicubic"), x, newSize, ResizeBicubic.halfPixelCenters(true));
        case "area" -> ResizeArea.create(r.withName("ResizeArea"), x, newSize);
        default -> throw c.unsupported("interpolation " + interpolation);
      };
    }
  }
}
