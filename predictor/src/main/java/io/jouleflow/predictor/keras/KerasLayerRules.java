package io.jouleflow.predictor.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.jouleflow.predictor.layers.LayerFeatures.Variant;
import io.jouleflow.predictor.layers.LayerFeatures;
import io.jouleflow.predictor.layers.LayerType;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Shape inference and features for the Keras classes the importer knows, one rule per class. Each
 * rule states what the TensorFlow graph of that layer computes, so that the features equal what
 * {@link io.jouleflow.predictor.layers.LayerDetector} finds in the graph Keras builds for it (see
 * {@link LayerFeatures} for the definitions):
 *
 * <ul>
 *   <li>FLOPs sum the layer's ops for the whole batch: the anchor op (convolution, matrix product,
 *       pooling, ...) plus one per output element for a bias and for each op of the activation
 *       (none for {@code linear}, two for {@code swish}/{@code silu}: sigmoid and product, one
 *       otherwise);
 *   <li>parameters are the elements of the float tensors the layer's ops read: kernels and biases,
 *       batch normalization's four vectors (gamma, beta, moving mean, moving variance: Keras 2's
 *       fused kernel reads constant vectors where {@code center} or {@code scale} is off), {@code
 *       Normalization}'s mean and variance (not its integer {@code count});
 *   <li>a Keras layer is one unit: the graph's sub-ops of a layer (shape computations, bias adds)
 *       are not separate layers.
 * </ul>
 *
 * Channels-last is assumed unless a layer's {@code data_format} is {@code channels_first}.
 */
final class KerasLayerRules {

  /** What one rule found. {@code features} carries type-specific values, FLOPs and parameters. */
  record Outcome(
      LayerType type,
      String anchorOp,
      long[] output,
      LayerFeatures.Builder features,
      boolean known) {}

  /** TFOpLambda functions of one tensor, as the Keras activation computing the same. */
  private static final Map<String, String> TF_UNARY =
      Map.of(
          "nn.relu", "relu",
          "nn.relu6", "relu6",
          "math.sigmoid", "sigmoid",
          "nn.sigmoid", "sigmoid",
          "math.tanh", "tanh",
          "nn.softmax", "softmax");

  /** TFOpLambda functions of two operands, as the TensorFlow op they run. */
  private static final Map<String, String> TF_BINARY =
      Map.of(
          "__operators__.add", "AddV2",
          "math.add", "AddV2",
          "math.subtract", "Sub",
          "math.multiply", "Mul",
          "math.truediv", "RealDiv",
          "math.divide", "RealDiv",
          "math.maximum", "Maximum");

  private KerasLayerRules() {}

  /**
   * Applies the rule of {@code layer}'s class.
   *
   * @param inputs output shapes of the inbound layers, in inbound order, batch dimension included
   * @param batch the batch size (dimension 0 of every shape)
   */
  static Outcome apply(KerasLayer layer, List<long[]> inputs, long batch) {
    Rule rule = new Rule(layer, inputs, batch);
    return switch (layer.className()) {
      case "Conv1D", "Conv2D", "Conv3D", "Convolution1D", "Convolution2D", "Convolution3D" ->
          rule.convolution();
      case "DepthwiseConv1D", "DepthwiseConv2D" -> rule.depthwise();
      case "SeparableConv1D",
              "SeparableConv2D",
              "SeparableConvolution1D",
              "SeparableConvolution2D" ->
          rule.separable();
      case "Conv1DTranspose",
              "Conv2DTranspose",
              "Conv3DTranspose",
              "Convolution2DTranspose",
              "Convolution3DTranspose" ->
          rule.transposed();
      case "Dense" -> rule.dense();
      case "BatchNormalization", "SyncBatchNormalization" -> rule.batchNormalization();
      case "Normalization" -> rule.normalization();
      case "Activation" -> rule.activation(activationName(layer.config().get("activation")));
      case "ReLU" -> rule.relu();
      case "LeakyReLU" -> rule.elementwise(LayerType.ACTIVATION, "LeakyRelu");
      case "ELU" -> rule.elementwise(LayerType.ACTIVATION, "Elu");
      case "Softmax" -> rule.elementwise(LayerType.ACTIVATION, "Softmax");
      case "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "MaxPool1D", "MaxPool2D", "MaxPool3D" ->
          rule.pooling(true);
      case "AveragePooling1D",
              "AveragePooling2D",
              "AveragePooling3D",
              "AvgPool1D",
              "AvgPool2D",
              "AvgPool3D" ->
          rule.pooling(false);
      case "GlobalAveragePooling1D",
              "GlobalAveragePooling2D",
              "GlobalAveragePooling3D",
              "GlobalAvgPool1D",
              "GlobalAvgPool2D",
              "GlobalAvgPool3D" ->
          rule.globalPooling("Mean");
      case "GlobalMaxPooling1D",
              "GlobalMaxPooling2D",
              "GlobalMaxPooling3D",
              "GlobalMaxPool1D",
              "GlobalMaxPool2D",
              "GlobalMaxPool3D" ->
          rule.globalPooling("Max");
      case "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D" -> rule.padding(true);
      case "Cropping1D", "Cropping2D", "Cropping3D" -> rule.padding(false);
      case "Add" -> rule.merge(LayerType.ADD, "AddV2", -1);
      case "Average" -> rule.merge(LayerType.ADD, "AddV2", 0);
      case "Multiply" -> rule.merge(LayerType.MULTIPLY, "Mul", -1);
      case "Subtract" -> rule.merge(LayerType.OTHER, "Sub", -1);
      case "Maximum" -> rule.merge(LayerType.OTHER, "Maximum", -1);
      case "Minimum" -> rule.merge(LayerType.OTHER, "Minimum", -1);
      case "Concatenate" -> rule.concatenate();
      case "Reshape" -> rule.reshape();
      case "Flatten" -> rule.flatten();
      case "Permute" -> rule.permute();
      case "Dropout",
              "SpatialDropout1D",
              "SpatialDropout2D",
              "SpatialDropout3D",
              "GaussianDropout",
              "AlphaDropout" ->
          rule.dropout();
      case "Rescaling" -> rule.rescaling();
      case "UpSampling2D" -> rule.upSampling();
      case "TFOpLambda" -> rule.tfOpLambda();
      case "CustomScaleLayer" -> rule.customScale();
      default -> rule.unknown();
    };
  }

  /**
   * The largest integer a config or a shape may hold (a size, a count, a stride): Java's {@code
   * int}, far above any real model's.
   */
  static final long MAX_INTEGER = Integer.MAX_VALUE;

  /**
   * {@code value} when it is an exact integer within a long: {@code 8} or {@code 8.0}, not {@code
   * 8.5}, {@code true}, {@code "8"}, {@code 1e30} or 2<sup>64</sup>; null otherwise.
   */
  static Long exactInteger(JsonNode value) {
    if (value == null || !value.isNumber()) {
      return null;
    }
    if (value.isIntegralNumber()) {
      return value.canConvertToLong() ? value.longValue() : null;
    }
    double d = value.doubleValue();
    return d == Math.rint(d) && Math.abs(d) <= 0x1p53 ? (long) d : null;
  }

  /** Bytes per element of activations and of weights under a layer's {@code dtype}. */
  static int[] elementBytes(JsonNode config) {
    String dtype = dtypeName(config.get("dtype"));
    if (dtype == null) {
      return new int[] {4, 4};
    }
    if (dtype.startsWith("mixed_")) {
      return new int[] {bytesOf(dtype.substring(6)), 4};
    }
    int bytes = bytesOf(dtype);
    return new int[] {bytes, bytes};
  }

  private static String dtypeName(JsonNode dtype) {
    if (dtype == null || dtype.isNull()) {
      return null;
    }
    if (dtype.isTextual()) {
      return dtype.asText();
    }
    // Keras 3 DTypePolicy / Keras 2 mixed-precision Policy objects.
    JsonNode name = dtype.path("config").path("name");
    return name.isTextual() ? name.asText() : null;
  }

  private static int bytesOf(String dtype) {
    return switch (dtype) {
      case "float16", "half", "bfloat16", "int16", "uint16" -> 2;
      case "float64", "double", "int64", "uint64", "complex64" -> 8;
      case "int8", "uint8", "bool", "qint8", "quint8" -> 1;
      default -> 4;
    };
  }

  /** The name of an activation as a config states it; {@code linear} where none. */
  static String activationName(JsonNode activation) {
    if (activation == null || activation.isNull()) {
      return "linear";
    }
    if (activation.isTextual()) {
      return activation.asText();
    }
    JsonNode config = activation.get("config");
    if (config != null && config.isTextual()) {
      return config.asText();
    }
    JsonNode name = activation.path("config").path("name");
    if (name.isTextual()) {
      return name.asText();
    }
    return activation.path("class_name").asText("linear");
  }

  /** Ops an activation adds per output element. */
  static int activationOps(String activation) {
    return switch (activation) {
      case "linear", "" -> 0;
      case "swish", "silu" -> 2;
      default -> 1;
    };
  }

  /** The TensorFlow op an activation is computed by (its first op). */
  static String activationOp(String activation) {
    return switch (activation) {
      case "linear", "" -> "Identity";
      case "relu" -> "Relu";
      case "relu6" -> "Relu6";
      case "elu" -> "Elu";
      case "selu" -> "Selu";
      case "sigmoid", "swish", "silu" -> "Sigmoid";
      case "tanh" -> "Tanh";
      case "softmax" -> "Softmax";
      case "log_softmax" -> "LogSoftmax";
      case "softplus" -> "Softplus";
      case "softsign" -> "Softsign";
      case "leaky_relu" -> "LeakyRelu";
      case "exponential" -> "Exp";
      case "gelu" -> "Erf";
      default ->
          activation.isEmpty()
              ? "Identity"
              : activation.substring(0, 1).toUpperCase(Locale.ROOT) + activation.substring(1);
    };
  }

  /** One application of a rule to one layer. */
  private static final class Rule {
    private final KerasLayer layer;
    private final JsonNode config;
    private final List<long[]> inputs;
    private final long batch;
    private final LayerFeatures.Builder f = LayerFeatures.builder();

    Rule(KerasLayer layer, List<long[]> inputs, long batch) {
      this.layer = layer;
      this.config = layer.config();
      this.inputs = inputs;
      this.batch = batch;
      f.parameters(0);
    }

    // ---- convolutions --------------------------------------------------------------------------

    Outcome convolution() {
      Spatial in = spatialInput();
      int[] kernel = tuple("kernel_size", in.rank(), -1);
      int[] strides = tuple("strides", in.rank(), 1);
      int[] dilation = tuple("dilation_rate", in.rank(), 1);
      String padding = padding();
      long filters = positive("filters");
      long groups = optionalPositive("groups");
      if (groups <= 0 || in.channels() % groups != 0) {
        throw fail(
            "groups " + groups + " does not divide the " + in.channels() + " input channels");
      }
      long[] outSpatial = convSpatial(in, kernel, padding, strides, dilation);
      long[] output = in.withSpatialAndChannels(outSpatial, filters);
      double kernelElements = product(kernel);
      double perGroup = in.channels() / groups;
      boolean bias = config.path("use_bias").asBoolean(true);
      f.bias(bias ? 1 : 0);
      double outElements = elements(output);
      f.parameters(kernelElements * perGroup * filters + (bias ? filters : 0));
      f.flops(2 * outElements * kernelElements * perGroup + tail(outElements, bias));
      f.variant(Variant.STANDARD).kernelSize(kernelElements).filters(filters);
      stridesAndPadding(strides, padding);
      return outcome(LayerType.CONVOLUTIONAL, in.rank() == 3 ? "Conv3D" : "Conv2D", output);
    }

    Outcome depthwise() {
      Spatial in = spatialInput();
      int[] kernel = tuple("kernel_size", in.rank(), -1);
      int[] strides = tuple("strides", in.rank(), 1);
      int[] dilation = tuple("dilation_rate", in.rank(), 1);
      String padding = padding();
      long multiplier = optionalPositive("depth_multiplier");
      long channels = in.channels() * multiplier;
      long[] outSpatial = convSpatial(in, kernel, padding, strides, dilation);
      long[] output = in.withSpatialAndChannels(outSpatial, channels);
      double kernelElements = product(kernel);
      boolean bias = config.path("use_bias").asBoolean(true);
      f.bias(bias ? 1 : 0);
      double outElements = elements(output);
      f.parameters(kernelElements * channels + (bias ? channels : 0));
      f.flops(2 * outElements * kernelElements + tail(outElements, bias));
      f.variant(Variant.DEPTHWISE).kernelSize(kernelElements).filters(channels);
      stridesAndPadding(strides, padding);
      return outcome(LayerType.CONVOLUTIONAL, "DepthwiseConv2dNative", output);
    }

    Outcome separable() {
      Spatial in = spatialInput();
      int[] kernel = tuple("kernel_size", in.rank(), -1);
      int[] strides = tuple("strides", in.rank(), 1);
      int[] dilation = tuple("dilation_rate", in.rank(), 1);
      String padding = padding();
      long multiplier = optionalPositive("depth_multiplier");
      long filters = positive("filters");
      long middle = in.channels() * multiplier;
      long[] outSpatial = convSpatial(in, kernel, padding, strides, dilation);
      long[] output = in.withSpatialAndChannels(outSpatial, filters);
      double kernelElements = product(kernel);
      double positions = batch * product(outSpatial);
      boolean bias = config.path("use_bias").asBoolean(true);
      f.bias(bias ? 1 : 0);
      double outElements = elements(output);
      f.parameters(kernelElements * middle + middle * filters + (bias ? filters : 0));
      f.flops(
          2 * positions * middle * kernelElements
              + 2 * outElements * middle
              + tail(outElements, bias));
      f.variant(Variant.SEPARABLE).kernelSize(kernelElements).filters(filters);
      stridesAndPadding(strides, padding);
      return outcome(LayerType.CONVOLUTIONAL, "DepthwiseConv2dNative", output);
    }

    Outcome transposed() {
      Spatial in = spatialInput();
      int[] kernel = tuple("kernel_size", in.rank(), -1);
      int[] strides = tuple("strides", in.rank(), 1);
      int[] dilation = tuple("dilation_rate", in.rank(), 1);
      int[] outputPadding =
          config.path("output_padding").isNull() || config.path("output_padding").isMissingNode()
              ? null
              : tuple("output_padding", in.rank(), 0);
      String padding = padding();
      long filters = positive("filters");
      long[] outSpatial = new long[in.rank()];
      for (int i = 0; i < in.rank(); i++) {
        outSpatial[i] =
            deconvLength(
                in.spatial()[i],
                kernel[i],
                padding,
                strides[i],
                dilation[i],
                outputPadding == null ? null : outputPadding[i]);
      }
      long[] output = in.withSpatialAndChannels(outSpatial, filters);
      double kernelElements = product(kernel);
      boolean bias = config.path("use_bias").asBoolean(true);
      f.bias(bias ? 1 : 0);
      double outElements = elements(output);
      f.parameters(kernelElements * filters * in.channels() + (bias ? filters : 0));
      // The gradient-of-convolution op works per input position: 2·N·Hi·Wi·Cin·kh·kw·Cout.
      f.flops(2 * elements(in.shape()) * kernelElements * filters + tail(outElements, bias));
      f.variant(Variant.TRANSPOSED).kernelSize(kernelElements).filters(filters);
      stridesAndPadding(strides, padding);
      return outcome(
          LayerType.CONVOLUTIONAL,
          in.rank() == 3 ? "Conv3DBackpropInputV2" : "Conv2DBackpropInput",
          output);
    }

    // ---- dense and normalization ---------------------------------------------------------------

    Outcome dense() {
      long[] in = input(0);
      if (in.length < 2) {
        throw fail("input " + render(in) + " has no feature dimension");
      }
      long units = positive("units");
      long features = in[in.length - 1];
      long[] output = in.clone();
      output[output.length - 1] = units;
      boolean bias = config.path("use_bias").asBoolean(true);
      f.bias(bias ? 1 : 0);
      double outElements = elements(output);
      f.parameters((double) features * units + (bias ? units : 0));
      f.flops(2 * outElements * features + tail(outElements, bias));
      f.hiddenSize(units);
      return outcome(LayerType.DENSE, "MatMul", output);
    }

    Outcome batchNormalization() {
      long[] in = input(0);
      long channels = axesSize(in, config.get("axis"), -1);
      f.parameters(4.0 * channels);
      f.flops(2 * elements(in));
      return outcome(LayerType.NORMALIZATION, "FusedBatchNormV3", in.clone());
    }

    Outcome normalization() {
      long[] in = input(0);
      JsonNode axis = config.get("axis");
      long channels = axis != null && axis.isNull() ? 1 : axesSize(in, axis, -1);
      // (x - mean) / max(sqrt(variance), epsilon): two ops per element. The sqrt and max read
      // weights alone, which the graph's detection counts as weight preparation, not FLOPs.
      f.parameters(2.0 * channels);
      f.flops(2 * elements(in));
      return outcome(LayerType.NORMALIZATION, "Sub", in.clone());
    }

    // ---- activations ---------------------------------------------------------------------------

    Outcome activation(String name) {
      long[] in = input(0);
      f.flops(activationOps(name) * elements(in));
      return outcome(LayerType.ACTIVATION, activationOp(name), in.clone());
    }

    Outcome relu() {
      double max = config.path("max_value").asDouble(Double.NaN);
      double slope =
          config.has("negative_slope")
              ? config.path("negative_slope").asDouble(0)
              : config.path("alpha").asDouble(0);
      String op = slope != 0 ? "LeakyRelu" : max == 6 ? "Relu6" : "Relu";
      return elementwise(LayerType.ACTIVATION, op);
    }

    Outcome elementwise(LayerType type, String op) {
      long[] in = input(0);
      f.flops(elements(in));
      return outcome(type, op, in.clone());
    }

    // ---- pooling and padding -------------------------------------------------------------------

    Outcome pooling(boolean max) {
      Spatial in = spatialInput();
      int[] pool = tuple("pool_size", in.rank(), 2);
      int[] strides =
          config.path("strides").isNull() || config.path("strides").isMissingNode()
              ? pool
              : tuple("strides", in.rank(), 1);
      String padding = padding();
      int[] noDilation = new int[in.rank()];
      Arrays.fill(noDilation, 1);
      long[] outSpatial = convSpatial(in, pool, padding, strides, noDilation);
      long[] output = in.withSpatialAndChannels(outSpatial, in.channels());
      f.filters(1).poolSize(product(pool));
      f.flops(elements(output) * product(pool));
      stridesAndPadding(strides, padding);
      String op = max ? "MaxPool" : "AvgPool";
      return outcome(LayerType.POOLING, in.rank() == 3 ? op + "3D" : op, output);
    }

    Outcome globalPooling(String op) {
      Spatial in = spatialInput();
      boolean keepdims = config.path("keepdims").asBoolean(false);
      long[] output;
      if (keepdims) {
        long[] ones = new long[in.rank()];
        Arrays.fill(ones, 1);
        output = in.withSpatialAndChannels(ones, in.channels());
      } else {
        output = new long[] {batch, in.channels()};
      }
      f.filters(1).poolSize(product(in.spatial()));
      f.flops(elements(in.shape()));
      return outcome(LayerType.POOLING, op, output);
    }

    /** ZeroPadding (adds) or Cropping (removes) along each spatial dimension. */
    Outcome padding(boolean add) {
      Spatial in = spatialInput();
      long[][] amounts = sides(add ? "padding" : "cropping", in.rank());
      long[] outSpatial = new long[in.rank()];
      for (int i = 0; i < in.rank(); i++) {
        long delta = amounts[i][0] + amounts[i][1];
        outSpatial[i] = in.spatial()[i] + (add ? delta : -delta);
        if (outSpatial[i] <= 0) {
          throw fail("cropping " + delta + " leaves nothing of dimension " + in.spatial()[i]);
        }
      }
      long[] output = in.withSpatialAndChannels(outSpatial, in.channels());
      f.flops(elements(output));
      if (add) {
        f.padding(perExample(output) - perExample(in.shape()));
        return outcome(LayerType.PADDING, "Pad", output);
      }
      return outcome(LayerType.OTHER, "StridedSlice", output);
    }

    // ---- merging and reshaping -----------------------------------------------------------------

    /**
     * Element-wise merge of the inputs with broadcasting; {@code extraOps} is added to the input
     * count to give the ops per output element (n − 1 binary ops; Average also divides).
     */
    Outcome merge(LayerType type, String op, int extraOps) {
      if (inputs.isEmpty()) {
        throw fail("has no inputs");
      }
      long[] output = input(0).clone();
      for (int i = 1; i < inputs.size(); i++) {
        long[] other = input(i);
        if (other.length != output.length) {
          throw fail("inputs " + render(output) + " and " + render(other) + " differ in rank");
        }
        for (int d = 1; d < output.length; d++) {
          if (output[d] != other[d] && output[d] != 1 && other[d] != 1) {
            throw fail("inputs " + render(output) + " and " + render(other) + " do not broadcast");
          }
          output[d] = Math.max(output[d], other[d]);
        }
      }
      int ops = Math.max(0, inputs.size() + extraOps);
      f.flops(ops * elements(output));
      return outcome(type, op, output);
    }

    Outcome concatenate() {
      if (inputs.isEmpty()) {
        throw fail("has no inputs");
      }
      long[] output = input(0).clone();
      JsonNode axisNode = config.get("axis");
      int axis = axisNode == null || axisNode.isNull()
          ? -1 : (int) integer("axis", axisNode, axisNode, Integer.MIN_VALUE);
      int resolved = axis < 0 ? axis + output.length : axis;
      if (resolved <= 0 || resolved >= output.length) {
        throw fail("axis " + axis + " is not a non-batch axis of " + render(output));
      }
      for (int i = 1; i < inputs.size(); i++) {
        long[] other = input(i);
        boolean compatible = other.length == output.length;
        for (int d = 1; compatible && d < output.length; d++) {
          compatible = d == resolved || other[d] == output[d];
        }
        if (!compatible) {
          throw fail(
              "inputs " + render(input(0)) + " and " + render(other) + " differ off axis " + axis);
        }
        output[resolved] += other[resolved];
      }
      f.flops(elements(output));
      return outcome(LayerType.CONCATENATE, "ConcatV2", output);
    }

    Outcome reshape() {
      long[] in = input(0);
      JsonNode target = config.get("target_shape");
      if (target == null || !target.isArray()) {
        throw fail("has no \"target_shape\" list");
      }
      long[] dims = new long[target.size()];
      boolean open = false;
      for (int i = 0; i < dims.length; i++) {
        JsonNode dim = target.get(i);
        dims[i] = dim.isNull() ? -1 : integer("target_shape", target, dim, Integer.MIN_VALUE);
        if (dims[i] < 0) {
          if (open) {
            throw fail("target_shape " + target + " has more than one unknown dimension");
          }
          open = true;
        }
      }
      long elements = (long) perExample(in);
      long[] resolved = KerasShapes.reshapeTarget(elements, dims);
      if (resolved == null) {
        throw fail(
            open
                ? "cannot reshape " + render(in) + " to " + target
                : "cannot reshape " + render(in) + " (" + elements + " elements) to " + target);
      }
      long[] output = new long[resolved.length + 1];
      output[0] = batch;
      System.arraycopy(resolved, 0, output, 1, resolved.length);
      f.flops(0).targetShape(perExample(output));
      return outcome(LayerType.RESHAPE, "Reshape", output);
    }

    Outcome flatten() {
      long[] in = input(0);
      long[] output = {batch, (long) perExample(in)};
      f.flops(0).targetShape(output[1]);
      return outcome(LayerType.RESHAPE, "Reshape", output);
    }

    Outcome permute() {
      long[] in = input(0);
      JsonNode dims = config.get("dims");
      if (dims == null || !dims.isArray() || dims.size() != in.length - 1) {
        throw fail("\"dims\" must list the " + (in.length - 1) + " non-batch axes");
      }
      long[] output = new long[in.length];
      output[0] = batch;
      for (int i = 0; i < dims.size(); i++) {
        int axis = (int) integer("dims", dims, dims.get(i), Integer.MIN_VALUE);
        if (axis < 1 || axis >= in.length) {
          throw fail("\"dims\" " + dims + " names an axis outside 1.." + (in.length - 1));
        }
        output[i + 1] = in[axis];
      }
      f.flops(elements(output)).targetShape(perExample(output));
      return outcome(LayerType.RESHAPE, "Transpose", output);
    }

    Outcome dropout() {
      long[] in = input(0);
      f.flops(0);
      JsonNode rate = config.get("rate");
      if (rate != null && rate.isNumber()) {
        f.rate(rate.asDouble());
      }
      return outcome(LayerType.DROPOUT, "Identity", in.clone());
    }

    Outcome rescaling() {
      long[] in = input(0);
      // x * scale + offset: two ops per element; per-channel scale or offset are parameters.
      double parameters = 0;
      for (String field : List.of("scale", "offset")) {
        JsonNode value = config.get(field);
        if (value != null && value.isArray() && value.size() > 1) {
          parameters += value.size();
        }
      }
      f.parameters(parameters).flops(2 * elements(in));
      return outcome(LayerType.RESCALING, "Mul", in.clone());
    }

    Outcome upSampling() {
      Spatial in = spatialInput();
      int[] size = tuple("size", in.rank(), 2);
      long[] outSpatial = new long[in.rank()];
      for (int i = 0; i < in.rank(); i++) {
        outSpatial[i] = in.spatial()[i] * size[i];
      }
      long[] output = in.withSpatialAndChannels(outSpatial, in.channels());
      f.flops(elements(output));
      String op =
          "bilinear".equals(config.path("interpolation").asText("nearest"))
              ? "ResizeBilinear"
              : "ResizeNearestNeighbor";
      return outcome(LayerType.UPSAMPLING, op, output);
    }

    /**
     * A TFOpLambda by its {@code function}: a one-tensor function is its activation; a binary one
     * with a second tensor is a merge (Add, Multiply, else Other), with a scalar operand (the call's
     * {@code y}) a rescaling of its input, as the graph's detection types an op with a constant.
     */
    Outcome tfOpLambda() {
      String function = config.path("function").asText("");
      String activation = TF_UNARY.get(function);
      if (activation != null) {
        return activation(activation);
      }
      String op = TF_BINARY.get(function);
      if (op == null) {
        return unknown();
      }
      if (inputs.size() >= 2) {
        LayerType type =
            op.equals("AddV2") ? LayerType.ADD : op.equals("Mul") ? LayerType.MULTIPLY : LayerType.OTHER;
        return merge(type, op, -1);
      }
      long[] in = input(0);
      f.flops(elements(in));
      return outcome(op.equals("Maximum") ? LayerType.OTHER : LayerType.RESCALING, op, in.clone());
    }

    /** InceptionResNetV2's {@code inputs[0] + inputs[1] * scale}: an Add of two ops per element. */
    Outcome customScale() {
      if (inputs.size() != 2) {
        throw fail("takes two inputs, has " + inputs.size());
      }
      return merge(LayerType.ADD, "AddV2", 0);
    }

    Outcome unknown() {
      if (inputs.isEmpty()) {
        throw fail("has no inputs, so its output shape is unknown");
      }
      f.parameters(Double.NaN).flops(Double.NaN);
      return new Outcome(LayerType.OTHER, layer.className(), input(0).clone(), f, false);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private Outcome outcome(LayerType type, String anchorOp, long[] output) {
      return new Outcome(type, anchorOp, output, f, true);
    }

    /** FLOPs after the anchor op: a bias add and the fused activation, per output element. */
    private double tail(double outElements, boolean bias) {
      String activation = activationName(config.get("activation"));
      return ((bias ? 1 : 0) + activationOps(activation)) * outElements;
    }

    private void stridesAndPadding(int[] strides, String padding) {
      f.stride(strides[0]);
      f.padding(padding.equals("same") ? 1 : 0);
    }

    private String padding() {
      String padding = config.path("padding").asText("valid").toLowerCase(Locale.ROOT);
      if (!List.of("valid", "same", "causal", "full").contains(padding)) {
        throw fail("padding \"" + padding + "\" is not valid, same or causal");
      }
      return padding;
    }

    private long[] input(int i) {
      if (i >= inputs.size()) {
        throw fail("has no input " + i);
      }
      return inputs.get(i);
    }

    private Spatial spatialInput() {
      long[] in = input(0);
      if (in.length < 3) {
        throw fail("needs a batch, spatial and channel dimensions; its input is " + render(in));
      }
      boolean channelsFirst = "channels_first".equals(config.path("data_format").asText());
      return new Spatial(in, channelsFirst);
    }

    private long positive(String field) {
      JsonNode value = config.get(field);
      if (value == null || value.isNull()) {
        throw fail("has no positive \"" + field + "\"");
      }
      return integer(field, value, value, 1);
    }

    /** A positive integer that is 1 where the config leaves it out. */
    private long optionalPositive(String field) {
      JsonNode value = config.get(field);
      return value == null || value.isNull() ? 1 : integer(field, value, value, 1);
    }

    /**
     * {@code element} of {@code field} (whose whole value is {@code value}) as an exact integer
     * from {@code min} to {@link #MAX_INTEGER}: what would round, wrap or count a boolean as 1 is
     * refused.
     */
    private long integer(String field, JsonNode value, JsonNode element, long min) {
      Long v = exactInteger(element);
      if (v == null || v < min || v > MAX_INTEGER) {
        throw fail("\"" + field + "\" " + value + (element == value ? "" : ": " + element)
            + " is not an integer" + (min == Integer.MIN_VALUE ? "" : " from " + min + " to "
            + MAX_INTEGER));
      }
      return v;
    }

    /** An int or list config value as {@code rank} values; {@code fallback} where absent. */
    private int[] tuple(String field, int rank, int fallback) {
      JsonNode value = config.get(field);
      int[] values = new int[rank];
      if (value == null || value.isNull()) {
        if (fallback < 0) {
          throw fail("has no \"" + field + "\"");
        }
        Arrays.fill(values, fallback);
      } else if (!value.isArray()) {
        Arrays.fill(values, (int) integer(field, value, value, Integer.MIN_VALUE));
      } else if (value.size() == rank) {
        for (int i = 0; i < rank; i++) {
          values[i] = (int) integer(field, value, value.get(i), Integer.MIN_VALUE);
        }
      } else if (value.size() == 1) {
        Arrays.fill(values, (int) integer(field, value, value.get(0), Integer.MIN_VALUE));
      } else {
        throw fail("\"" + field + "\" " + value + " does not fit " + rank + " spatial dimensions");
      }
      for (int v : values) {
        if (v < 0) {
          throw fail("\"" + field + "\" " + value + " is negative");
        }
      }
      return values;
    }

    /** Per-dimension {before, after} amounts of a padding or cropping config. */
    private long[][] sides(String field, int rank) {
      JsonNode value = config.get(field);
      long[][] sides = new long[rank][2];
      if (value == null || value.isNull()) {
        for (long[] side : sides) {
          Arrays.fill(side, field.equals("padding") ? 1 : 0);
        }
      } else if (value.isNumber()) {
        for (long[] side : sides) {
          Arrays.fill(side, integer(field, value, value, 0));
        }
      } else if (rank == 1 && value.isArray() && value.size() == 2 && value.get(0).isNumber()) {
        sides[0][0] = integer(field, value, value.get(0), 0);
        sides[0][1] = integer(field, value, value.get(1), 0);
      } else if (value.isArray() && value.size() == rank) {
        for (int i = 0; i < rank; i++) {
          JsonNode dim = value.get(i);
          if (dim.isNumber()) {
            sides[i][0] = integer(field, value, dim, 0);
            sides[i][1] = sides[i][0];
          } else if (dim.isArray() && dim.size() == 2) {
            sides[i][0] = integer(field, value, dim.get(0), 0);
            sides[i][1] = integer(field, value, dim.get(1), 0);
          } else {
            throw fail("\"" + field + "\" " + value + " is not per-dimension pairs");
          }
        }
      } else {
        throw fail("\"" + field + "\" " + value + " does not fit " + rank + " spatial dimensions");
      }
      return sides;
    }

    /** Elements along the normalized axes (an int or a list; negative counts from the end). */
    private long axesSize(long[] shape, JsonNode axis, int fallback) {
      int[] axes;
      if (axis == null || axis.isNull() || axis.isMissingNode()) {
        axes = new int[] {fallback};
      } else if (axis.isArray()) {
        axes = new int[axis.size()];
        for (int i = 0; i < axes.length; i++) {
          axes[i] = (int) integer("axis", axis, axis.get(i), Integer.MIN_VALUE);
        }
      } else {
        axes = new int[] {(int) integer("axis", axis, axis, Integer.MIN_VALUE)};
      }
      long size = 1;
      for (int a : axes) {
        int resolved = a < 0 ? a + shape.length : a;
        if (resolved <= 0 || resolved >= shape.length) {
          throw fail("axis " + a + " is not a non-batch axis of " + render(shape));
        }
        size *= shape[resolved];
      }
      return size;
    }

    private KerasFormatException fail(String problem) {
      return new KerasFormatException(
          "layer \"" + layer.name() + "\" (" + layer.className() + "): " + problem);
    }

    /** The spatial dimensions after a convolution or pooling window. */
    private long[] convSpatial(
        Spatial in, int[] kernel, String padding, int[] strides, int[] dilation) {
      long[] out = new long[in.rank()];
      for (int i = 0; i < in.rank(); i++) {
        out[i] = convLength(in.spatial()[i], kernel[i], padding, strides[i], dilation[i]);
      }
      return out;
    }

    private long convLength(long length, int kernel, String padding, int stride, int dilation) {
      requirePositive(kernel, stride, dilation);
      long out = KerasShapes.convOutputLength(length, kernel, padding, stride, dilation);
      if (out <= 0) {
        throw fail(
            "window "
                + KerasShapes.dilatedKernel(kernel, dilation)
                + " is larger than its input dimension "
                + length);
      }
      return out;
    }

    private long deconvLength(
        long length, int kernel, String padding, int stride, int dilation, Integer outputPadding) {
      requirePositive(kernel, stride, dilation);
      return KerasShapes.deconvOutputLength(
          length, kernel, padding, outputPadding, stride, dilation);
    }

    private void requirePositive(int kernel, int stride, int dilation) {
      if (stride <= 0 || kernel <= 0 || dilation <= 0) {
        throw fail("kernel, strides and dilation must be positive");
      }
    }
  }

  /** A batch × spatial × channels tensor shape in either data format. */
  private record Spatial(long[] shape, boolean channelsFirst) {
    int rank() {
      return shape.length - 2;
    }

    long channels() {
      return channelsFirst ? shape[1] : shape[shape.length - 1];
    }

    long[] spatial() {
      return channelsFirst
          ? Arrays.copyOfRange(shape, 2, shape.length)
          : Arrays.copyOfRange(shape, 1, shape.length - 1);
    }

    long[] withSpatialAndChannels(long[] spatial, long channels) {
      long[] out = new long[shape.length];
      out[0] = shape[0];
      if (channelsFirst) {
        out[1] = channels;
        System.arraycopy(spatial, 0, out, 2, spatial.length);
      } else {
        System.arraycopy(spatial, 0, out, 1, spatial.length);
        out[out.length - 1] = channels;
      }
      return out;
    }
  }

  static double elements(long[] shape) {
    double product = 1;
    for (long d : shape) {
      product *= d;
    }
    return product;
  }

  static double perExample(long[] shape) {
    double product = 1;
    for (int i = 1; i < shape.length; i++) {
      product *= shape[i];
    }
    return product;
  }

  private static double product(int[] values) {
    double product = 1;
    for (int v : values) {
      product *= v;
    }
    return product;
  }

  private static double product(long[] values) {
    double product = 1;
    for (long v : values) {
      product *= v;
    }
    return product;
  }

  /** A shape as Keras prints it, batch as {@code null}: {@code [null, 28, 28, 1]}. */
  static String render(long[] shape) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) {
        s.append(", ");
      }
      s.append(i == 0 || shape[i] < 0 ? "null" : Long.toString(shape[i]));
    }
    return s.append(']').toString();
  }
}
