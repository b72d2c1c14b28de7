package io.jouleflow.predictor.layers;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The features of one layer: the paper's table (batch size, number of layers, input size, output
 * size, hidden size, filters, kernel size, stride, pool size, padding, target shape, rate) plus
 * FLOPs, parameters and bytes moved, and the convolution variant.
 *
 * <p>A feature that does not apply to the layer, or that cannot be computed because a shape is
 * unknown, is {@link Double#NaN}; {@link #asMap()} leaves such features out. Sizes are element
 * counts <em>per example</em>: the product of a tensor's dimensions without the batch dimension 0.
 * Definitions:
 *
 * <ul>
 *   <li>{@code batch_size}: dimension 0 of the layer's output (else of its first input); static
 *       shapes carry -1 there, runtime shapes the real batch.
 *   <li>{@code number_of_layers}: layers in the model's {@link LayerGraph} (Overhead excluded).
 *   <li>{@code input_size}: elements of the activation tensors the layer reads from other layers,
 *       summed over distinct tensors (two for an Add of two branches). An InputLayer reads nothing;
 *       its input size is its own (output) size.
 *   <li>{@code output_size}: elements of the layer's output tensor (output 0 of its last node).
 *   <li>{@code hidden_size}: Dense only: the units, the kernel's output dimension.
 *   <li>{@code filters}: Convolutional: output channels (depthwise: in channels × multiplier;
 *       separable: the pointwise convolution's output channels); Pooling: 1, as in the paper.
 *   <li>{@code kernel_size}: Convolutional: the product of the kernel's spatial dimensions (kh·kw
 *       in 2-D, kw in 1-D); for separable convolutions the depthwise kernel's.
 *   <li>{@code stride}: Convolutional and windowed Pooling: the stride along the first spatial
 *       dimension (height).
 *   <li>{@code pool_size}: Pooling: elements of the pooling window (kh·kw); global pooling pools
 *       the whole spatial extent, so its pool size is the input's spatial element count.
 *   <li>{@code padding}: Convolutional and windowed Pooling: 0 {@code VALID}, 1 {@code SAME}, 2
 *       {@code EXPLICIT}; Padding layers: elements added per example (output − input size).
 *   <li>{@code target_shape}: Reshape: elements of the target shape without its batch dimension
 *       (equal to the output size).
 *   <li>{@code rate}: Dropout: the dropout rate, when the graph still holds it (inference graphs
 *       usually do not).
 *   <li>{@code flops}: for the whole batch, summed over the layer's nodes: a convolution 2·N·
 *       Ho·Wo·Cout·(kh·kw·Cin/groups) (depthwise 2·N·Ho·Wo·Cin·m·kh·kw, transposed 2·N·Hi·Wi·Cin·
 *       kh·kw·Cout), a matrix product 2·N·out·in (more generally 2 × output elements × the
 *       contracted dimension), windowed pooling output elements × window, global pooling and other
 *       reductions input elements, fused batch normalization 2 × elements; views (Reshape, Squeeze,
 *       Identity, Placeholder) 0; every other node one per output element (activations, bias and
 *       element-wise arithmetic, concatenation, padding, resizing).
 *   <li>{@code parameters}: elements of the non-scalar constants and variables the layer owns,
 *       excluding int32/int64 tensors (shapes, axes, window sizes) and non-numeric ones.
 *   <li>{@code bytes_moved}: for the whole batch: N·(input size + output size) × the activation
 *       element size, plus the parameters × their element size, sizes from the graph's dtypes
 *       (float32 = 4).
 *   <li>{@code bias}: Convolutional and Dense: 1 when the layer adds a bias, else 0 (it decides
 *       what TensorFlow fuses into the layer's kernel, see {@link Fusion}).
 *   <li>{@code producer_variant}: Normalization and Activation after a single convolution: that
 *       convolution's variant (0 standard, 1 depthwise, 2 separable, 3 transposed) — oneDNN runs a
 *       batch norm after a depthwise convolution apart, and slowly.
 *   <li>{@code fused}: 1 when TensorFlow runs the layer inside the kernel of the layer before it
 *       (Grappler's and oneDNN's fusions, see {@link Fusion}): its work is measured there, and it
 *       is predicted as 0. Absent otherwise.
 *   <li>{@code variant}: Convolutional only; in {@link #asMap()} a one-hot {@code
 *       variant_standard}, {@code variant_depthwise}, {@code variant_separable}, {@code
 *       variant_transposed}.
 * </ul>
 *
 * <p>{@code flops} and {@code bytes_moved} need the batch: with static shapes (batch -1) they are
 * NaN unless the shapes come through {@link NodeShapes#withBatch(int)}.
 */
public record LayerFeatures(
    double batchSize,
    double numberOfLayers,
    double inputSize,
    double outputSize,
    double hiddenSize,
    double filters,
    double kernelSize,
    double stride,
    double poolSize,
    double padding,
    double targetShape,
    double rate,
    double flops,
    double parameters,
    double bytesMoved,
    Variant variant,
    double fused,
    double bias,
    double producerVariant) {

  public static final String BATCH_SIZE = "batch_size";
  public static final String NUMBER_OF_LAYERS = "number_of_layers";
  public static final String INPUT_SIZE = "input_size";
  public static final String OUTPUT_SIZE = "output_size";
  public static final String HIDDEN_SIZE = "hidden_size";
  public static final String FILTERS = "filters";
  public static final String KERNEL_SIZE = "kernel_size";
  public static final String STRIDE = "stride";
  public static final String POOL_SIZE = "pool_size";
  public static final String PADDING = "padding";
  public static final String TARGET_SHAPE = "target_shape";
  public static final String RATE = "rate";
  public static final String FLOPS = "flops";
  public static final String PARAMETERS = "parameters";
  public static final String BYTES_MOVED = "bytes_moved";
  public static final String FUSED = "fused";
  public static final String BIAS = "bias";
  public static final String PRODUCER_VARIANT = "producer_variant";

  /** Every feature name {@link #asMap()} can produce, in its order. */
  public static final List<String> NAMES =
      List.of(
          BATCH_SIZE,
          NUMBER_OF_LAYERS,
          INPUT_SIZE,
          OUTPUT_SIZE,
          HIDDEN_SIZE,
          FILTERS,
          KERNEL_SIZE,
          STRIDE,
          POOL_SIZE,
          PADDING,
          TARGET_SHAPE,
          RATE,
          FLOPS,
          PARAMETERS,
          BYTES_MOVED,
          FUSED,
          BIAS,
          PRODUCER_VARIANT,
          Variant.STANDARD.featureName(),
          Variant.DEPTHWISE.featureName(),
          Variant.SEPARABLE.featureName(),
          Variant.TRANSPOSED.featureName());

  /** How a convolution convolves. */
  public enum Variant {
    STANDARD,
    DEPTHWISE,
    SEPARABLE,
    TRANSPOSED;

    /** {@code standard}, {@code depthwise}, {@code separable} or {@code transposed}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The one-hot feature name in {@link #asMap()}, e.g. {@code variant_depthwise}. */
    public String featureName() {
      return "variant_" + label();
    }
  }

  /** Features of a layer nothing is known about: every value NaN, no variant. */
  public static LayerFeatures unknown() {
    return builder().build();
  }

  /**
   * The known features by name, in the order of {@link #NAMES}; NaN features are left out. A
   * convolution carries all four {@code variant_*} entries, 1 for its variant and 0 for the rest.
   */
  public Map<String, Double> asMap() {
    Map<String, Double> map = new LinkedHashMap<>();
    put(map, BATCH_SIZE, batchSize);
    put(map, NUMBER_OF_LAYERS, numberOfLayers);
    put(map, INPUT_SIZE, inputSize);
    put(map, OUTPUT_SIZE, outputSize);
    put(map, HIDDEN_SIZE, hiddenSize);
    put(map, FILTERS, filters);
    put(map, KERNEL_SIZE, kernelSize);
    put(map, STRIDE, stride);
    put(map, POOL_SIZE, poolSize);
    put(map, PADDING, padding);
    put(map, TARGET_SHAPE, targetShape);
    put(map, RATE, rate);
    put(map, FLOPS, flops);
    put(map, PARAMETERS, parameters);
    put(map, BYTES_MOVED, bytesMoved);
    put(map, FUSED, fused);
    put(map, BIAS, bias);
    put(map, PRODUCER_VARIANT, producerVariant);
    if (variant != null) {
      for (Variant v : Variant.values()) {
        map.put(v.featureName(), v == variant ? 1.0 : 0.0);
      }
    }
    return Collections.unmodifiableMap(map);
  }

  private static void put(Map<String, Double> map, String name, double value) {
    if (!Double.isNaN(value)) {
      map.put(name, value);
    }
  }

  /** A builder whose features all start NaN (unknown) and whose variant starts null. */
  public static Builder builder() {
    return new Builder();
  }

  /** A copy of these features as a builder, to change some of them. */
  public Builder toBuilder() {
    return new Builder()
        .batchSize(batchSize)
        .numberOfLayers(numberOfLayers)
        .inputSize(inputSize)
        .outputSize(outputSize)
        .hiddenSize(hiddenSize)
        .filters(filters)
        .kernelSize(kernelSize)
        .stride(stride)
        .poolSize(poolSize)
        .padding(padding)
        .targetShape(targetShape)
        .rate(rate)
        .flops(flops)
        .parameters(parameters)
        .bytesMoved(bytesMoved)
        .fused(fused)
        .bias(bias)
        .producerVariant(producerVariant)
        .variant(variant);
  }

  /** Sets features by name; unset features stay NaN. */
  public static final class Builder {
    private double batchSize = Double.NaN;
    private double numberOfLayers = Double.NaN;
    private double inputSize = Double.NaN;
    private double outputSize = Double.NaN;
    private double hiddenSize = Double.NaN;
    private double filters = Double.NaN;
    private double kernelSize = Double.NaN;
    private double stride = Double.NaN;
    private double poolSize = Double.NaN;
    private double padding = Double.NaN;
    private double targetShape = Double.NaN;
    private double rate = Double.NaN;
    private double flops = Double.NaN;
    private double parameters = Double.NaN;
    private double bytesMoved = Double.NaN;
    private Variant variant;
    private double fused = Double.NaN;
    private double bias = Double.NaN;
    private double producerVariant = Double.NaN;

    private Builder() {}

    public Builder batchSize(double value) {
      batchSize = value;
      return this;
    }

    public Builder numberOfLayers(double value) {
      numberOfLayers = value;
      return this;
    }

    public Builder inputSize(double value) {
      inputSize = value;
      return this;
    }

    public Builder outputSize(double value) {
      outputSize = value;
      return this;
    }

    public Builder hiddenSize(double value) {
      hiddenSize = value;
      return this;
    }

    public Builder filters(double value) {
      filters = value;
      return this;
    }

    public Builder kernelSize(double value) {
      kernelSize = value;
      return this;
    }

    public Builder stride(double value) {
      stride = value;
      return this;
    }

    public Builder poolSize(double value) {
      poolSize = value;
      return this;
    }

    public Builder padding(double value) {
      padding = value;
      return this;
    }

    public Builder targetShape(double value) {
      targetShape = value;
      return this;
    }

    public Builder rate(double value) {
      rate = value;
      return this;
    }

    public Builder flops(double value) {
      flops = value;
      return this;
    }

    public Builder parameters(double value) {
      parameters = value;
      return this;
    }

    public Builder bytesMoved(double value) {
      bytesMoved = value;
      return this;
    }

    public Builder variant(Variant value) {
      variant = value;
      return this;
    }

    /** The variant of the convolution a Normalization or Activation follows (its ordinal). */
    public Builder producerVariant(double value) {
      producerVariant = value;
      return this;
    }

    /** Convolutional and Dense: 1 with a bias, 0 without. */
    public Builder bias(double value) {
      bias = value;
      return this;
    }

    /** 1 for a layer fused into its producer's kernel; NaN (absent) otherwise. */
    public Builder fused(double value) {
      fused = value;
      return this;
    }

    public LayerFeatures build() {
      return new LayerFeatures(
          batchSize,
          numberOfLayers,
          inputSize,
          outputSize,
          hiddenSize,
          filters,
          kernelSize,
          stride,
          poolSize,
          padding,
          targetShape,
          rate,
          flops,
          parameters,
          bytesMoved,
          variant,
          fused,
          bias,
          producerVariant);
    }
  }
}
