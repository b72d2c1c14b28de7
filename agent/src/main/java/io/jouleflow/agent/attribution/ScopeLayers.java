package io.jouleflow.agent.attribution;

import io.jouleflow.agent.trace.NodeRecord;
import java.util.Locale;
import java.util.Map;

/**
 * Groups executed nodes into layers by Keras-style name scope: {@code conv2d_3/Conv2D},
 * {@code conv2d_3/BiasAdd} and Grappler's fused {@code conv2d_3/Relu} all belong to layer
 * {@code conv2d_3}; a node without a scope is its own layer. Executor nodes ({@code _SOURCE},
 * {@code _arg_*}, {@code _retval_*}) belong to no layer.
 *
 * <p>This is the agent's first, name-based grouping; structural layer detection for graphs
 * without scopes replaces it (see ARCHITECTURE.md, "Layers and features").
 */
public final class ScopeLayers implements LayerResolver {

  // Op type -> layer type, by the op that gives the layer its identity. Highest priority first.
  private static final String[][] ANCHORS = {
    {"Convolutional", "conv2d", "fusedconv2d", "depthwiseconv2dnative", "fuseddepthwiseconv2dnative",
        "conv2dbackpropinput", "conv3d", "conv1d"},
    {"Dense", "matmul", "fusedmatmul", "batchmatmul", "batchmatmulv2", "batchmatmulv3"},
    {"Pooling", "maxpool", "maxpoolv2", "avgpool", "maxpool3d", "avgpool3d"},
    {"Normalization", "fusedbatchnorm", "fusedbatchnormv2", "fusedbatchnormv3", "fusedbatchnormex"},
    {"Padding", "pad", "padv2", "mirrorpad"},
    {"Concatenate", "concatv2", "concat"},
    {"Upsampling", "resizenearestneighbor", "resizebilinear"},
    {"Reshape", "reshape", "squeeze", "expanddims", "flatten"},
    {"Add", "addv2", "add", "addn"},
    {"Multiply", "mul"},
    {"Activation", "relu", "relu6", "softmax", "sigmoid", "tanh", "elu", "selu", "leakyrelu",
        "softplus", "swish", "gelu"},
    {"Pooling", "mean", "max"},
    {"InputLayer", "placeholder"},
  };

  private static final Map<String, Integer> PRIORITY = buildPriority();

  // Layer id -> strongest anchor rank seen so far; a layer's type is fixed by its strongest op.
  private final Map<String, Integer> ranks = new java.util.HashMap<>();

  @Override
  public java.util.List<LayerRef> resolve(java.util.List<NodeRecord> nodes) {
    for (NodeRecord n : nodes) {
      String layer = layerOf(n);
      if (layer != null) {
        ranks.merge(layer, anchorRank(n.opType()), Math::min);
      }
    }
    java.util.List<LayerRef> out = new java.util.ArrayList<>(nodes.size());
    for (NodeRecord n : nodes) {
      String layer = layerOf(n);
      if (layer == null) {
        out.add(null);
      } else {
        int rank = ranks.get(layer);
        out.add(new LayerRef(layer, rank == Integer.MAX_VALUE ? "Other" : ANCHORS[rank][0]));
      }
    }
    return out;
  }

  /** The layer a node belongs to, or null for executor infrastructure. */
  public static String layerOf(NodeRecord node) {
    if (node.infrastructure()) {
      return null;
    }
    String name = node.node();
    int slash = name.indexOf('/');
    return slash > 0 ? name.substring(0, slash) : name;
  }

  /** Rank of an op type as a layer anchor; lower is stronger; MAX_VALUE for none. */
  public static int anchorRank(String opType) {
    return PRIORITY.getOrDefault(canonical(opType), Integer.MAX_VALUE);
  }

  /** The layer type an op type anchors ({@code Other} when it anchors none). */
  public static String typeOf(String opType) {
    Integer rank = PRIORITY.get(canonical(opType));
    return rank == null ? "Other" : ANCHORS[rank][0];
  }

  /**
   * Lower-case op type without the prefixes of TensorFlow's rewrites: Grappler's {@code _Fused*}
   * and oneDNN's {@code _MklNative*} / {@code _Mkl*} kernels ({@code _MklNativeFusedConv2D} is a
   * fused Conv2D, {@code _MklSoftmax} a Softmax).
   */
  static String canonical(String opType) {
    String op = opType;
    if (op.startsWith("_MklNative")) {
      op = op.substring("_MklNative".length());
    } else if (op.startsWith("_Mkl")) {
      op = op.substring("_Mkl".length());
    } else if (op.startsWith("_")) {
      op = op.substring(1);
    }
    return op.toLowerCase(Locale.ROOT);
  }

  private static Map<String, Integer> buildPriority() {
    Map<String, Integer> m = new java.util.HashMap<>();
    for (int i = 0; i < ANCHORS.length; i++) {
      for (int j = 1; j < ANCHORS[i].length; j++) {
        m.putIfAbsent(ANCHORS[i][j], i);
      }
    }
    return Map.copyOf(m);
  }
}
