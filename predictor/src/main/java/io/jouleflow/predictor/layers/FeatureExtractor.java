package io.jouleflow.predictor.layers;

import io.jouleflow.predictor.layers.GraphIndex.Ref;
import io.jouleflow.predictor.layers.LayerFeatures.Variant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NodeDef;

/** Computes {@link LayerFeatures} of a layer from attributes, constants and shapes. */
final class FeatureExtractor {

  private final GraphIndex index;
  private final ShapeResolver shapes;

  FeatureExtractor(GraphIndex index, ShapeResolver shapes) {
    this.index = index;
    this.shapes = shapes;
  }

  LayerFeatures extract(
      List<String> nodes,
      List<String> compute,
      LayerType type,
      String anchor,
      Variant variant,
      int numberOfLayers) {
    Set<String> members = new HashSet<>(nodes);
    LayerFeatures.Builder f = LayerFeatures.builder().numberOfLayers(numberOfLayers);

    String outputNode = outputNode(compute, members);
    long[] output = outputNode == null ? null : shapes.shape(outputNode, 0);
    List<Ref> inputs = externalInputs(compute, members);
    double inputElements = 0;
    for (Ref ref : inputs) {
      inputElements += perExample(shapes.shape(ref));
    }
    double outputSize = perExample(output);
    f.outputSize(outputSize);
    f.inputSize(
        type == LayerType.INPUT_LAYER ? outputSize : inputs.isEmpty() ? Double.NaN : inputElements);
    double batch = batch(output);
    if (Double.isNaN(batch) && !inputs.isEmpty()) {
      batch = batch(shapes.shape(inputs.get(0)));
    }
    f.batchSize(batch);

    double[] weights = parameters(nodes);
    f.parameters(weights[0]);
    double flops = 0;
    for (String node : compute) {
      flops += flops(node);
    }
    f.flops(flops);
    int activationBytes = TensorValues.byteSize(TensorValues.dtype(index.node(anchor)));
    f.bytesMoved(batch * (inputElements + outputSize) * activationBytes + weights[1]);

    NodeDef anchorNode = index.node(anchor);
    if (type == LayerType.CONVOLUTIONAL || type == LayerType.DENSE) {
      f.bias(compute.stream().anyMatch(n -> index.op(n).startsWith("BiasAdd")) ? 1 : 0);
    }
    switch (type) {
      case CONVOLUTIONAL -> convolution(f, anchorNode, compute, variant);
      case DENSE -> dense(f, anchorNode, output);
      case POOLING -> pooling(f, anchorNode);
      case PADDING -> f.padding(outputSize - inputElements);
      case RESHAPE -> f.targetShape(outputSize);
      case DROPOUT -> f.rate(dropoutRate(nodes));
      default -> {}
    }
    return f.build();
  }

  /** The last compute node whose output leaves the layer (or goes nowhere). */
  private String outputNode(List<String> compute, Set<String> members) {
    String last = null;
    for (String node : compute) {
      List<String> consumers = index.computeConsumers(node);
      if (consumers.isEmpty() || !members.containsAll(consumers)) {
        last = node;
      }
    }
    return last != null || compute.isEmpty() ? last : compute.get(compute.size() - 1);
  }

  /** Distinct tensors from other layers (or from nowhere known) that the layer computes with. */
  private List<Ref> externalInputs(List<String> compute, Set<String> members) {
    List<Ref> refs = new ArrayList<>();
    for (String node : compute) {
      for (Ref ref : index.dataInputs(node)) {
        if (!members.contains(ref.node()) && !refs.contains(ref)) {
          refs.add(ref);
        }
      }
    }
    return refs;
  }

  private static double perExample(long[] shape) {
    if (shape == null) {
      return Double.NaN;
    }
    long elements = TensorValues.elements(shape, 1);
    return elements < 0 ? Double.NaN : elements;
  }

  private static double total(long[] shape) {
    long elements = TensorValues.elements(shape, 0);
    return elements < 0 ? Double.NaN : elements;
  }

  private static double batch(long[] shape) {
    return shape == null || shape.length == 0 || shape[0] <= 0 ? Double.NaN : shape[0];
  }

  /** {elements, bytes} of the non-scalar weight tensors among {@code nodes}. */
  private double[] parameters(List<String> nodes) {
    double elements = 0;
    double bytes = 0;
    for (String name : nodes) {
      NodeDef node = index.node(name);
      if (!OpKind.WEIGHT_SOURCES.contains(node.getOp())) {
        continue;
      }
      var dtype = TensorValues.dtype(node);
      if (!TensorValues.isWeightType(dtype)) {
        continue;
      }
      long[] shape = TensorValues.declaredShape(node);
      if (shape == null) {
        shape = shapes.shape(name, 0);
      }
      if (shape == null) {
        return new double[] {Double.NaN, Double.NaN};
      }
      long count = TensorValues.elements(shape, 0);
      if (count < 0) {
        return new double[] {Double.NaN, Double.NaN};
      }
      if (shape.length > 0) {
        elements += count;
        bytes += (double) count * TensorValues.byteSize(dtype);
      }
    }
    return new double[] {elements, bytes};
  }

  /** FLOPs of one compute node for the whole batch; see {@link LayerFeatures}. */
  private double flops(String name) {
    NodeDef node = index.node(name);
    String op = node.getOp();
    List<Ref> inputs = index.inputs(name);
    if (OpKind.VIEWS.contains(op)) {
      return 0;
    }
    double out = total(shapes.shape(name, 0));
    if (OpKind.TRANSPOSED.contains(op)) {
      long[] filter = inputs.size() > 1 ? shapes.shape(inputs.get(1)) : null;
      long[] gradient = inputs.size() > 2 ? shapes.shape(inputs.get(2)) : null;
      if (filter == null || filter.length < 3) {
        return Double.NaN;
      }
      return 2 * total(gradient) * spatial(filter) * filter[filter.length - 2];
    }
    if (OpKind.DEPTHWISE.contains(op)) {
      long[] filter = inputs.size() > 1 ? shapes.shape(inputs.get(1)) : null;
      return filter == null || filter.length < 3 ? Double.NaN : 2 * out * spatial(filter);
    }
    if (OpKind.CONVOLUTIONS.contains(op)) {
      long[] filter = inputs.size() > 1 ? shapes.shape(inputs.get(1)) : null;
      return filter == null || filter.length < 3
          ? Double.NaN
          : 2 * out * spatial(filter) * filter[filter.length - 2];
    }
    if (OpKind.MATMULS.contains(op)) {
      long[] a = inputs.isEmpty() ? null : shapes.shape(inputs.get(0));
      if (a == null || a.length < 2) {
        return Double.NaN;
      }
      boolean transposed = flag(node, "transpose_a") || flag(node, "adj_x");
      long contracted = transposed ? a[a.length - 2] : a[a.length - 1];
      return contracted < 0 ? Double.NaN : 2 * out * contracted;
    }
    if (OpKind.POOLS.contains(op)) {
      long[] window = window(node, "ksize", 1);
      return window == null ? Double.NaN : out * TensorValues.elements(window, 0);
    }
    if (OpKind.REDUCTIONS.contains(op)) {
      return inputs.isEmpty() ? Double.NaN : total(shapes.shape(inputs.get(0)));
    }
    if (OpKind.BATCH_NORMS.contains(op)) {
      return 2 * out;
    }
    return out;
  }

  private void convolution(
      LayerFeatures.Builder f, NodeDef anchor, List<String> compute, Variant variant) {
    f.variant(variant);
    long[] filter = filterShape(anchor);
    if (filter != null && filter.length >= 3) {
      f.kernelSize(spatial(filter));
      long last = filter[filter.length - 1];
      long second = filter[filter.length - 2];
      switch (variant) {
        case DEPTHWISE -> f.filters(second * last);
        case TRANSPOSED -> f.filters(second);
        case SEPARABLE -> {
          long[] pointwise = null;
          for (String node : compute) {
            if (index.op(node).equals("Conv2D")) {
              pointwise = filterShape(index.node(node));
            }
          }
          f.filters(pointwise == null ? Double.NaN : pointwise[pointwise.length - 1]);
        }
        default -> f.filters(last);
      }
    }
    stridesAndPadding(f, anchor);
  }

  private long[] filterShape(NodeDef node) {
    List<Ref> inputs = index.inputs(node.getName());
    return inputs.size() > 1 ? shapes.shape(inputs.get(1)) : null;
  }

  private void dense(LayerFeatures.Builder f, NodeDef anchor, long[] output) {
    List<Ref> inputs = index.inputs(anchor.getName());
    if (inputs.size() > 1 && index.isAuxiliary(inputs.get(1).node())) {
      long[] kernel = shapes.shape(inputs.get(1));
      if (kernel != null && kernel.length >= 2) {
        boolean transposed = flag(anchor, "transpose_b") || flag(anchor, "adj_y");
        f.hiddenSize(transposed ? kernel[kernel.length - 2] : kernel[kernel.length - 1]);
        return;
      }
    }
    if (output != null && output.length > 0 && output[output.length - 1] > 0) {
      f.hiddenSize(output[output.length - 1]);
    }
  }

  private void pooling(LayerFeatures.Builder f, NodeDef anchor) {
    f.filters(1);
    if (OpKind.GLOBAL_REDUCTIONS.contains(anchor.getOp())) {
      List<Ref> inputs = index.inputs(anchor.getName());
      long[] input = inputs.isEmpty() ? null : shapes.shape(inputs.get(0));
      NodeDef axesNode = inputs.size() > 1 ? index.source(inputs.get(1)) : null;
      long[] axes = axesNode == null ? null : constantIntegers(axesNode);
      if (input != null && axes != null) {
        double pool = 1;
        for (long axis : axes) {
          long dim = input[(int) (axis < 0 ? axis + input.length : axis)];
          pool = dim < 0 ? Double.NaN : pool * dim;
        }
        f.poolSize(pool);
      }
      return;
    }
    long[] window = window(anchor, "ksize", 1);
    if (window != null) {
      int[] axes = OpKind.spatialAxes(anchor, window.length);
      double pool = 1;
      for (int axis : axes) {
        pool *= window[axis];
      }
      f.poolSize(pool);
    }
    stridesAndPadding(f, anchor);
  }

  private void stridesAndPadding(LayerFeatures.Builder f, NodeDef node) {
    long[] strides = window(node, "strides", 2);
    if (strides != null && strides.length >= 3) {
      f.stride(strides[OpKind.spatialAxes(node, strides.length)[0]]);
    }
    AttrValue padding = node.getAttrMap().get("padding");
    if (padding != null) {
      switch (padding.getS().toStringUtf8()) {
        case "VALID" -> f.padding(0);
        case "SAME" -> f.padding(1);
        case "EXPLICIT" -> f.padding(2);
        default -> {}
      }
    }
  }

  /**
   * A window attribute ({@code ksize}, {@code strides}); MaxPoolV2 takes them as constant inputs
   * instead ({@code inputPosition} 1 and 2).
   */
  private long[] window(NodeDef node, String attribute, int inputPosition) {
    AttrValue value = node.getAttrMap().get(attribute);
    if (value != null && value.getList().getICount() > 0) {
      return value.getList().getIList().stream().mapToLong(Long::longValue).toArray();
    }
    List<Ref> inputs = index.inputs(node.getName());
    if (inputs.size() > inputPosition) {
      NodeDef source = index.source(inputs.get(inputPosition));
      return source == null ? null : constantIntegers(source);
    }
    return null;
  }

  private static long[] constantIntegers(NodeDef node) {
    AttrValue value = node.getAttrMap().get("value");
    return value == null || !value.hasTensor() ? null : TensorValues.integers(value.getTensor());
  }

  private double dropoutRate(List<String> nodes) {
    for (String name : nodes) {
      NodeDef node = index.node(name);
      AttrValue value = node.getAttrMap().get("value");
      if (value == null
          || !value.hasTensor()
          || value.getTensor().getTensorShape().getDimCount() > 0) {
        continue;
      }
      if (name.endsWith("/rate")) {
        return TensorValues.scalar(value.getTensor());
      }
      if (name.endsWith("/keep_prob")) {
        return 1 - TensorValues.scalar(value.getTensor());
      }
    }
    return Double.NaN;
  }

  /** Product of a kernel's spatial dimensions: all but the last two. */
  private static double spatial(long[] kernel) {
    double product = 1;
    for (int i = 0; i < kernel.length - 2; i++) {
      if (kernel[i] < 0) {
        return Double.NaN;
      }
      product *= kernel[i];
    }
    return product;
  }

  private static boolean flag(NodeDef node, String attribute) {
    AttrValue value = node.getAttrMap().get(attribute);
    return value != null && value.getB();
  }
}
