package io.jouleflow.launcher.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jouleflow.predictor.keras.KerasLayer;
import io.jouleflow.predictor.keras.KerasModel;
import io.jouleflow.predictor.keras.KerasShapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a {@link KerasModel} layer by layer, writing each layer's {@code config} the way Keras 2
 * ({@code tf.keras} / {@code tf_keras}) writes it in {@code model.to_json()} once the model is
 * built: {@code kernel_size}, {@code strides} and {@code pool_size} as lists, {@code padding} lower
 * case, {@code activation} {@code "linear"} for none, {@code axis} of BatchNormalization as the
 * list of positive axes ({@code [3]}), {@code data_format} {@code "channels_last"}, the
 * initializers as {@code {"class_name": ..., "config": ...}}.
 *
 * <p>Each method adds one layer and returns its name: the handle later layers take as inbound, so
 * branching (functional) graphs read like the Keras code they come from. A {@code null} name gets
 * Keras' automatic one: the class name in snake case, the first bare and the next numbered ({@code
 * conv2d}, {@code conv2d_1}; {@code input_1} for InputLayers; {@code tf.math.multiply} for
 * TFOpLambda). Names must be unique.
 *
 * <p>The builder tracks every layer's output shape (without the batch dimension), so that an
 * architecture can size a layer from its input ({@link #channels}, {@link #height}), and so that an
 * impossible layer (a kernel larger than its input, an Add of different shapes) fails here with
 * {@link IllegalArgumentException} instead of in TensorFlow. Shapes are channels-last.
 */
public final class ModelBuilder {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String DTYPE = "float32";
  private static final String CHANNELS_LAST = "channels_last";

  private final String modelName;
  private final List<KerasLayer> layers = new ArrayList<>();
  private final Map<String, int[]> shapes = new HashMap<>();
  private final Map<String, Integer> autoNameCounts = new HashMap<>();
  private final List<String> inputs = new ArrayList<>();
  private JsonNode kernelInitializer;

  /** A builder for a model named {@code modelName} (the model's {@code config.name}). */
  public ModelBuilder(String modelName) {
    this.modelName = Objects.requireNonNull(modelName, "modelName");
  }

  // ---------------------------------------------------------------- settings and shapes

  /**
   * Sets the kernel initializer written into the configs of the convolution and dense layers added
   * from now on (Keras applications pass e.g. {@code VarianceScaling} or {@code he_normal}); {@code
   * null} restores Keras' default {@code GlorotUniform}. It does not change any shape or parameter
   * count; it keeps the JSON faithful.
   */
  public ModelBuilder kernelInitializer(JsonNode initializer) {
    this.kernelInitializer = initializer == null ? null : initializer.deepCopy();
    return this;
  }

  /**
   * A Keras initializer as {@code to_json()} writes it, e.g. {@code ("HeNormal", {"seed": null})}.
   */
  public static ObjectNode initializer(String className, Map<String, Object> config) {
    ObjectNode node = JSON.objectNode();
    node.put("class_name", className);
    ObjectNode cfg = node.putObject("config");
    config.forEach((k, v) -> cfg.set(k, toJson(v)));
    return node;
  }

  /** The output shape of a layer, without the batch dimension (a copy). */
  public int[] shape(String layer) {
    return shapeOf(layer).clone();
  }

  /** The last dimension of a layer's output (its channels). */
  public int channels(String layer) {
    int[] s = shapeOf(layer);
    return s[s.length - 1];
  }

  /** The height of a layer's rank-3 output. */
  public int height(String layer) {
    return spatial(layer)[0];
  }

  /** The width of a layer's rank-3 output. */
  public int width(String layer) {
    return spatial(layer)[1];
  }

  /** The number of layers added so far. */
  public int size() {
    return layers.size();
  }

  /** The name of the layer added last. */
  public String last() {
    if (layers.isEmpty()) {
      throw new IllegalStateException("no layer yet");
    }
    return layers.get(layers.size() - 1).name();
  }

  /** The model, with the last layer added as its only output. */
  public KerasModel build() {
    return build(last());
  }

  /** The model, with the given layers as outputs. */
  public KerasModel build(String... outputs) {
    for (String output : outputs) {
      shapeOf(output);
    }
    return new KerasModel(modelName, layers, inputs, List.of(outputs));
  }

  // ---------------------------------------------------------------- inputs and preprocessing

  /** An InputLayer of shape {@code [null, height, width, channels]}, named {@code input_N}. */
  public String input(int height, int width, int channels) {
    return input(null, height, width, channels);
  }

  /** An InputLayer of shape {@code [null, height, width, channels]}. */
  public String input(String name, int height, int width, int channels) {
    positive("input shape", height, width, channels);
    String n = name == null ? autoName("input", 1) : name;
    ObjectNode c = JSON.objectNode();
    ArrayNode shape = c.putArray("batch_input_shape");
    shape.addNull().add(height).add(width).add(channels);
    c.put("dtype", DTYPE);
    c.put("sparse", false);
    c.put("ragged", false);
    c.put("name", n);
    inputs.add(n);
    return append(n, "InputLayer", c, new int[] {height, width, channels}, List.of());
  }

  /** {@code Rescaling(scale, offset)}: {@code x * scale + offset}. */
  public String rescaling(String name, double scale, double offset, String inbound) {
    ObjectNode c = base(name, "Rescaling");
    c.put("scale", scale);
    c.put("offset", offset);
    return append(c, "Rescaling", shapeOf(inbound), inbound);
  }

  /**
   * {@code Normalization(axis=-1)} as Keras applications create it (statistics adapted later or
   * loaded with the weights, so {@code mean} and {@code variance} are null in the config).
   */
  public String normalization(String name, String inbound) {
    int[] in = shapeOf(inbound);
    ObjectNode c = base(name, "Normalization");
    c.putArray("axis").add(in.length);
    c.put("invert", false);
    c.putNull("mean");
    c.putNull("variance");
    return append(c, "Normalization", in, inbound);
  }

  // ---------------------------------------------------------------- convolutions

  /** {@code Conv2D} with a square kernel and stride. */
  public String conv2d(
      String name,
      int filters,
      int kernel,
      int stride,
      String padding,
      boolean useBias,
      String activation,
      String inbound) {
    return conv2d(
        name, filters, kernel, kernel, stride, stride, padding, useBias, activation, inbound);
  }

  /** {@code Conv2D}. {@code activation} null means {@code "linear"}. */
  public String conv2d(
      String name,
      int filters,
      int kernelH,
      int kernelW,
      int strideH,
      int strideW,
      String padding,
      boolean useBias,
      String activation,
      String inbound) {
    positive("Conv2D", filters, kernelH, kernelW, strideH, strideW);
    int[] hw = spatial(inbound);
    int[] out = {
      windowOut(hw[0], kernelH, strideH, padding, "Conv2D"),
      windowOut(hw[1], kernelW, strideW, padding, "Conv2D"),
      filters
    };
    ObjectNode c = base(name, "Conv2D");
    c.put("filters", filters);
    convGeometry(c, kernelH, kernelW, strideH, strideW, padding);
    c.put("groups", 1);
    c.put("activation", activationName(activation));
    c.put("use_bias", useBias);
    c.set("kernel_initializer", currentKernelInitializer());
    c.set("bias_initializer", initializer("Zeros", Map.of()));
    nulls(
        c,
        "kernel_regularizer",
        "bias_regularizer",
        "activity_regularizer",
        "kernel_constraint",
        "bias_constraint");
    return append(c, "Conv2D", out, inbound);
  }

  /** {@code DepthwiseConv2D} with a square kernel and stride. */
  public String depthwise(
      String name,
      int kernel,
      int stride,
      String padding,
      int depthMultiplier,
      boolean useBias,
      String activation,
      String inbound) {
    positive("DepthwiseConv2D", kernel, stride, depthMultiplier);
    int[] hw = spatial(inbound);
    int[] out = {
      windowOut(hw[0], kernel, stride, padding, "DepthwiseConv2D"),
      windowOut(hw[1], kernel, stride, padding, "DepthwiseConv2D"),
      channels(inbound) * depthMultiplier
    };
    ObjectNode c = base(name, "DepthwiseConv2D");
    convGeometry(c, kernel, kernel, stride, stride, padding);
    c.put("groups", 1);
    c.put("activation", activationName(activation));
    c.put("use_bias", useBias);
    c.set("bias_initializer", initializer("Zeros", Map.of()));
    nulls(c, "bias_regularizer", "activity_regularizer", "bias_constraint");
    c.put("depth_multiplier", depthMultiplier);
    c.set("depthwise_initializer", currentKernelInitializer());
    nulls(c, "depthwise_regularizer", "depthwise_constraint");
    return append(c, "DepthwiseConv2D", out, inbound);
  }

  /** {@code SeparableConv2D} (depth multiplier 1) with a square kernel and stride. */
  public String separable(
      String name,
      int filters,
      int kernel,
      int stride,
      String padding,
      boolean useBias,
      String activation,
      String inbound) {
    positive("SeparableConv2D", filters, kernel, stride);
    int[] hw = spatial(inbound);
    int[] out = {
      windowOut(hw[0], kernel, stride, padding, "SeparableConv2D"),
      windowOut(hw[1], kernel, stride, padding, "SeparableConv2D"),
      filters
    };
    ObjectNode c = base(name, "SeparableConv2D");
    c.put("filters", filters);
    convGeometry(c, kernel, kernel, stride, stride, padding);
    c.put("depth_multiplier", 1);
    c.put("activation", activationName(activation));
    c.put("use_bias", useBias);
    c.set("depthwise_initializer", currentKernelInitializer());
    c.set("pointwise_initializer", currentKernelInitializer());
    c.set("bias_initializer", initializer("Zeros", Map.of()));
    nulls(
        c,
        "depthwise_regularizer",
        "pointwise_regularizer",
        "bias_regularizer",
        "activity_regularizer",
        "depthwise_constraint",
        "pointwise_constraint",
        "bias_constraint");
    return append(c, "SeparableConv2D", out, inbound);
  }

  // ---------------------------------------------------------------- normalization, activations

  /** {@code BatchNormalization} with Keras' defaults (momentum 0.99, epsilon 0.001). */
  public String batchNorm(String name, String inbound) {
    return batchNorm(name, 0.99, 1e-3, true, true, inbound);
  }

  /** {@code BatchNormalization} over the last axis. */
  public String batchNorm(
      String name, double momentum, double epsilon, boolean center, boolean scale, String inbound) {
    int[] in = shapeOf(inbound);
    ObjectNode c = base(name, "BatchNormalization");
    c.putArray("axis").add(in.length);
    c.put("momentum", momentum);
    c.put("epsilon", epsilon);
    c.put("center", center);
    c.put("scale", scale);
    c.set("beta_initializer", initializer("Zeros", Map.of()));
    c.set("gamma_initializer", initializer("Ones", Map.of()));
    c.set("moving_mean_initializer", initializer("Zeros", Map.of()));
    c.set("moving_variance_initializer", initializer("Ones", Map.of()));
    nulls(c, "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint");
    return append(c, "BatchNormalization", in, inbound);
  }

  /** {@code Activation(activation)}, e.g. {@code "relu"}, {@code "swish"}, {@code "softmax"}. */
  public String activation(String name, String activation, String inbound) {
    ObjectNode c = base(name, "Activation");
    c.put("activation", activationName(activation));
    return append(c, "Activation", shapeOf(inbound), inbound);
  }

  /** {@code ReLU(max_value)}; {@code maxValue} null for an unbounded ReLU, 6 for ReLU6. */
  public String relu(String name, Double maxValue, String inbound) {
    ObjectNode c = base(name, "ReLU");
    if (maxValue == null) {
      c.putNull("max_value");
    } else {
      c.put("max_value", maxValue.doubleValue());
    }
    c.put("negative_slope", 0.0);
    c.put("threshold", 0.0);
    return append(c, "ReLU", shapeOf(inbound), inbound);
  }

  /**
   * A {@code TFOpLambda}: a TensorFlow function applied to a Keras tensor and a Python scalar, as
   * Keras 2 records {@code x + 3.0} ({@code "__operators__.add"}) or {@code x * (1/6)} ({@code
   * "math.multiply"}). The layer is named {@code tf.<function>}, numbered from the second. Keras
   * keeps the scalar in the call's kwargs ({@code {"y": 3.0, "name": null}}); the config holds them
   * as {@code call_kwargs}, where the importer puts them. The output has the input's shape.
   */
  public String tfOpLambda(String function, double y, String inbound) {
    String n = autoName("tf." + function, 0);
    ObjectNode c = base(n, "TFOpLambda");
    c.put("function", function);
    ObjectNode kwargs = c.putObject("call_kwargs");
    kwargs.put("y", y);
    kwargs.putNull("name");
    return append(c, "TFOpLambda", shapeOf(inbound), inbound);
  }

  // ---------------------------------------------------------------- dense and shape layers

  /** {@code Dense(units, activation)} over the last axis. */
  public String dense(String name, int units, String activation, boolean useBias, String inbound) {
    positive("Dense units", units);
    int[] out = shapeOf(inbound).clone();
    out[out.length - 1] = units;
    ObjectNode c = base(name, "Dense");
    c.put("units", units);
    c.put("activation", activationName(activation));
    c.put("use_bias", useBias);
    c.set("kernel_initializer", currentKernelInitializer());
    c.set("bias_initializer", initializer("Zeros", Map.of()));
    nulls(
        c,
        "kernel_regularizer",
        "bias_regularizer",
        "activity_regularizer",
        "kernel_constraint",
        "bias_constraint");
    return append(c, "Dense", out, inbound);
  }

  /** {@code Flatten()}. */
  public String flatten(String name, String inbound) {
    ObjectNode c = base(name, "Flatten");
    c.put("data_format", CHANNELS_LAST);
    return append(c, "Flatten", new int[] {elements(shapeOf(inbound))}, inbound);
  }

  /** {@code Reshape(target_shape)}; one dimension may be -1. */
  public String reshape(String name, int[] targetShape, String inbound) {
    int[] out = resolveReshape(shapeOf(inbound), targetShape);
    ObjectNode c = base(name, "Reshape");
    ArrayNode t = c.putArray("target_shape");
    for (int d : targetShape) {
      t.add(d);
    }
    return append(c, "Reshape", out, inbound);
  }

  /** {@code Dropout(rate)}. */
  public String dropout(String name, double rate, String inbound) {
    return dropout(name, rate, null, inbound);
  }

  /**
   * {@code Dropout(rate, noise_shape)}; {@code noiseShape} may hold nulls ({@code [null, 1, 1, 1]}
   * drops whole examples, as EfficientNet's stochastic depth does) or be null itself.
   */
  public String dropout(String name, double rate, List<Integer> noiseShape, String inbound) {
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException("Dropout rate must be in [0, 1): " + rate);
    }
    ObjectNode c = base(name, "Dropout");
    c.put("rate", rate);
    if (noiseShape == null) {
      c.putNull("noise_shape");
    } else {
      ArrayNode ns = c.putArray("noise_shape");
      noiseShape.forEach(d -> ns.add(toJson(d)));
    }
    c.putNull("seed");
    return append(c, "Dropout", shapeOf(inbound), inbound);
  }

  /** {@code ZeroPadding2D(((top, bottom), (left, right)))}. */
  public String zeroPadding(String name, int top, int bottom, int left, int right, String inbound) {
    nonNegative("ZeroPadding2D", top, bottom, left, right);
    int[] in = shapeOf(inbound);
    int[] hw = spatial(inbound);
    ObjectNode c = base(name, "ZeroPadding2D");
    c.set("padding", pairs(top, bottom, left, right));
    c.put("data_format", CHANNELS_LAST);
    return append(
        c, "ZeroPadding2D", new int[] {hw[0] + top + bottom, hw[1] + left + right, in[2]}, inbound);
  }

  /** {@code ZeroPadding2D(padding)} with {@code {{top, bottom}, {left, right}}}. */
  public String zeroPadding(String name, int[][] padding, String inbound) {
    return zeroPadding(name, padding[0][0], padding[0][1], padding[1][0], padding[1][1], inbound);
  }

  /** {@code Cropping2D(((top, bottom), (left, right)))}. */
  public String cropping(String name, int top, int bottom, int left, int right, String inbound) {
    nonNegative("Cropping2D", top, bottom, left, right);
    int[] in = shapeOf(inbound);
    int[] hw = spatial(inbound);
    int h = hw[0] - top - bottom;
    int w = hw[1] - left - right;
    requireSpatial("Cropping2D", h, w);
    ObjectNode c = base(name, "Cropping2D");
    c.set("cropping", pairs(top, bottom, left, right));
    c.put("data_format", CHANNELS_LAST);
    return append(c, "Cropping2D", new int[] {h, w, in[2]}, inbound);
  }

  /** {@code UpSampling2D(size)} with {@code "nearest"} or {@code "bilinear"} interpolation. */
  public String upsampling(String name, int size, String interpolation, String inbound) {
    positive("UpSampling2D", size);
    if (!"nearest".equals(interpolation) && !"bilinear".equals(interpolation)) {
      throw new IllegalArgumentException("unknown interpolation: " + interpolation);
    }
    int[] in = shapeOf(inbound);
    int[] hw = spatial(inbound);
    ObjectNode c = base(name, "UpSampling2D");
    c.putArray("size").add(size).add(size);
    c.put("data_format", CHANNELS_LAST);
    c.put("interpolation", interpolation);
    return append(c, "UpSampling2D", new int[] {hw[0] * size, hw[1] * size, in[2]}, inbound);
  }

  // ---------------------------------------------------------------- pooling

  /** {@code MaxPooling2D(pool, strides=stride, padding)}. */
  public String maxPool(String name, int pool, int stride, String padding, String inbound) {
    return pool("MaxPooling2D", name, pool, stride, padding, inbound);
  }

  /** {@code AveragePooling2D(pool, strides=stride, padding)}. */
  public String avgPool(String name, int pool, int stride, String padding, String inbound) {
    return pool("AveragePooling2D", name, pool, stride, padding, inbound);
  }

  /** {@code GlobalAveragePooling2D(keepdims)}: {@code [C]}, or {@code [1, 1, C]} when kept. */
  public String globalAvgPool(String name, boolean keepdims, String inbound) {
    return globalPool("GlobalAveragePooling2D", name, keepdims, inbound);
  }

  /** {@code GlobalMaxPooling2D(keepdims)}. */
  public String globalMaxPool(String name, boolean keepdims, String inbound) {
    return globalPool("GlobalMaxPooling2D", name, keepdims, inbound);
  }

  // ---------------------------------------------------------------- merging

  /** {@code Add()} of tensors of one shape. */
  public String add(String name, String... inbound) {
    return merge("Add", name, inbound);
  }

  /**
   * {@code Multiply()}; shapes broadcast as in Keras (a squeeze-and-excitation gate {@code [1, 1,
   * C]} times a feature map {@code [H, W, C]}).
   */
  public String multiply(String name, String... inbound) {
    return merge("Multiply", name, inbound);
  }

  /** {@code Concatenate(axis)}; {@code axis} as the application passes it (3 or -1). */
  public String concatenate(String name, int axis, String... inbound) {
    if (inbound.length < 2) {
      throw new IllegalArgumentException("Concatenate needs at least 2 inputs");
    }
    int[] first = shapeOf(inbound[0]);
    int rank = first.length;
    int a = axis < 0 ? rank + axis : axis - 1; // axis counts the batch dimension
    if (a < 0 || a >= rank) {
      throw new IllegalArgumentException("Concatenate axis " + axis + " for rank " + rank);
    }
    int[] out = first.clone();
    for (int i = 1; i < inbound.length; i++) {
      int[] s = shapeOf(inbound[i]);
      if (s.length != rank) {
        throw new IllegalArgumentException("Concatenate of different ranks: " + inbound[i]);
      }
      for (int d = 0; d < rank; d++) {
        if (d == a) {
          out[d] += s[d];
        } else if (s[d] != first[d]) {
          throw new IllegalArgumentException(
              "Concatenate shapes differ off the axis: "
                  + Arrays.toString(first)
                  + " and "
                  + Arrays.toString(s));
        }
      }
    }
    ObjectNode c = base(name, "Concatenate");
    c.put("axis", axis);
    return append(c, "Concatenate", out, inbound);
  }

  // ---------------------------------------------------------------- any other layer

  /**
   * A layer of a class this builder has no method for (a registered custom layer such as {@code
   * CustomScaleLayer}): {@code extraConfig} goes into the config after {@code name}, {@code
   * trainable} and {@code dtype}; the caller states the output shape.
   */
  public String custom(
      String name, String className, ObjectNode extraConfig, int[] outputShape, String... inbound) {
    ObjectNode c = base(name, className);
    if (extraConfig != null) {
      c.setAll(extraConfig);
    }
    positive(className + " output shape", outputShape);
    return append(c, className, outputShape.clone(), inbound);
  }

  // ---------------------------------------------------------------- internals

  private String pool(
      String className, String name, int pool, int stride, String padding, String inbound) {
    positive(className, pool, stride);
    int[] in = shapeOf(inbound);
    int[] hw = spatial(inbound);
    int[] out = {
      windowOut(hw[0], pool, stride, padding, className),
      windowOut(hw[1], pool, stride, padding, className),
      in[2]
    };
    ObjectNode c = base(name, className);
    c.putArray("pool_size").add(pool).add(pool);
    c.put("padding", padding);
    c.putArray("strides").add(stride).add(stride);
    c.put("data_format", CHANNELS_LAST);
    return append(c, className, out, inbound);
  }

  private String globalPool(String className, String name, boolean keepdims, String inbound) {
    spatial(inbound);
    int ch = channels(inbound);
    ObjectNode c = base(name, className);
    c.put("data_format", CHANNELS_LAST);
    c.put("keepdims", keepdims);
    return append(c, className, keepdims ? new int[] {1, 1, ch} : new int[] {ch}, inbound);
  }

  private String merge(String className, String name, String... inbound) {
    if (inbound.length < 2) {
      throw new IllegalArgumentException(className + " needs at least 2 inputs");
    }
    int[] out = shapeOf(inbound[0]).clone();
    for (int i = 1; i < inbound.length; i++) {
      out = broadcast(className, out, shapeOf(inbound[i]));
    }
    return append(base(name, className), className, out, inbound);
  }

  /** Broadcasting as Keras' merge layers do it (equal ranks; 1 stretches). */
  private static int[] broadcast(String className, int[] a, int[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          className + " of different ranks: " + Arrays.toString(a) + ", " + Arrays.toString(b));
    }
    int[] out = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      if (a[i] == b[i] || b[i] == 1) {
        out[i] = a[i];
      } else if (a[i] == 1) {
        out[i] = b[i];
      } else {
        throw new IllegalArgumentException(
            className
                + " of incompatible shapes: "
                + Arrays.toString(a)
                + ", "
                + Arrays.toString(b));
      }
    }
    return out;
  }

  private String append(ObjectNode config, String className, int[] shape, String... inbound) {
    return append(config.get("name").asText(), className, config, shape, List.of(inbound));
  }

  private String append(
      String name, String className, ObjectNode config, int[] shape, List<String> inbound) {
    if (shapes.containsKey(name)) {
      throw new IllegalArgumentException("duplicate layer name: " + name);
    }
    for (String in : inbound) {
      shapeOf(in);
    }
    layers.add(new KerasLayer(name, className, config, inbound));
    shapes.put(name, shape);
    return name;
  }

  /** {@code name}, {@code trainable}, {@code dtype}: what every Keras layer config starts with. */
  private ObjectNode base(String name, String className) {
    ObjectNode c = JSON.objectNode();
    c.put("name", name == null ? autoName(snakeCase(className), 0) : name);
    c.put("trainable", true);
    c.put("dtype", DTYPE);
    return c;
  }

  /**
   * Keras' automatic name: the base name for the first layer (the first InputLayer is {@code
   * input_1}: Keras numbers inputs from 1), then {@code base_1}, {@code base_2}, ...; a name some
   * explicitly named layer already took is skipped.
   */
  private String autoName(String base, int firstNumber) {
    while (true) {
      int n = autoNameCounts.merge(base, 1, Integer::sum) - 1 + firstNumber;
      String candidate = n == 0 ? base : base + "_" + n;
      if (!shapes.containsKey(candidate)) {
        return candidate;
      }
    }
  }

  /**
   * Keras' {@code to_snake_case}: {@code Conv2D} to {@code conv2d}, {@code ReLU} to {@code re_lu}.
   */
  static String snakeCase(String className) {
    String intermediate = className.replaceAll("(.)([A-Z][a-z0-9]+)", "$1_$2");
    return intermediate.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }

  private JsonNode currentKernelInitializer() {
    return kernelInitializer != null
        ? kernelInitializer.deepCopy()
        : initializer("GlorotUniform", nullSeed());
  }

  private static Map<String, Object> nullSeed() {
    Map<String, Object> m = new HashMap<>();
    m.put("seed", null);
    return m;
  }

  private static void convGeometry(
      ObjectNode c, int kernelH, int kernelW, int strideH, int strideW, String padding) {
    c.putArray("kernel_size").add(kernelH).add(kernelW);
    c.putArray("strides").add(strideH).add(strideW);
    c.put("padding", padding);
    c.put("data_format", CHANNELS_LAST);
    c.putArray("dilation_rate").add(1).add(1);
  }

  private static ArrayNode pairs(int top, int bottom, int left, int right) {
    ArrayNode p = JSON.arrayNode();
    p.addArray().add(top).add(bottom);
    p.addArray().add(left).add(right);
    return p;
  }

  private static void nulls(ObjectNode c, String... keys) {
    for (String k : keys) {
      c.putNull(k);
    }
  }

  private static String activationName(String activation) {
    return activation == null ? "linear" : activation;
  }

  /**
   * Output length of a convolution or pooling window along one axis (dilation 1). The builder
   * writes only the paddings Keras' 2-D layers take, {@code valid} and {@code same}.
   */
  private static int windowOut(int in, int window, int stride, String padding, String what) {
    if (!"same".equals(padding) && !"valid".equals(padding)) {
      throw new IllegalArgumentException("padding must be \"valid\" or \"same\": " + padding);
    }
    long out = KerasShapes.convOutputLength(in, window, padding, stride, 1);
    if (out <= 0) {
      throw new IllegalArgumentException(
          what + " window " + window + " is larger than its input " + in + " (valid padding)");
    }
    return Math.toIntExact(out);
  }

  /** Keras' Reshape rule; the builder takes one {@code -1} at the most and no other size < 1. */
  private static int[] resolveReshape(int[] in, int[] target) {
    boolean open = false;
    for (int d : target) {
      if (d == -1 && !open) {
        open = true;
      } else if (d <= 0) {
        throw new IllegalArgumentException("bad Reshape target: " + Arrays.toString(target));
      }
    }
    long[] resolved =
        KerasShapes.reshapeTarget(elements(in), Arrays.stream(target).asLongStream().toArray());
    if (resolved == null) {
      throw new IllegalArgumentException(
          "cannot reshape " + Arrays.toString(in) + " to " + Arrays.toString(target));
    }
    return Arrays.stream(resolved).mapToInt(Math::toIntExact).toArray();
  }

  private static int elements(int[] shape) {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return Math.toIntExact(n);
  }

  private int[] shapeOf(String layer) {
    int[] s = shapes.get(layer);
    if (s == null) {
      throw new IllegalArgumentException("no layer named " + layer + " in " + modelName);
    }
    return s;
  }

  private int[] spatial(String layer) {
    int[] s = shapeOf(layer);
    if (s.length != 3) {
      throw new IllegalArgumentException(
          layer + " is not a [height, width, channels] tensor: " + Arrays.toString(s));
    }
    return s;
  }

  private static void requireSpatial(String what, int h, int w) {
    if (h < 1 || w < 1) {
      throw new IllegalArgumentException(what + " leaves no pixels: " + h + "x" + w);
    }
  }

  private static void positive(String what, int... values) {
    for (int v : values) {
      if (v < 1) {
        throw new IllegalArgumentException(
            what + " needs positive sizes: " + Arrays.toString(values));
      }
    }
  }

  private static void nonNegative(String what, int... values) {
    for (int v : values) {
      if (v < 0) {
        throw new IllegalArgumentException(what + " needs sizes >= 0: " + Arrays.toString(values));
      }
    }
  }

  private static JsonNode toJson(Object v) {
    if (v == null) {
      return JSON.nullNode();
    } else if (v instanceof Integer i) {
      return JSON.numberNode(i);
    } else if (v instanceof Double d) {
      return JSON.numberNode(d);
    } else if (v instanceof String s) {
      return JSON.textNode(s);
    } else if (v instanceof Boolean b) {
      return JSON.booleanNode(b);
    } else if (v instanceof JsonNode n) {
      return n.deepCopy();
    }
    throw new IllegalArgumentException("unsupported config value: " + v);
  }
}
