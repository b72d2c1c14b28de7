package io.jouleflow.predictor.layers;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NodeDef;

/**
 * What a compute node contributes to a layer, ranked: the strongest kind in a scope decides the
 * scope's layer type (convolution over matrix product over pooling over batch normalization over
 * padding over concatenation over resizing over reshape over add over multiply over activation over
 * global pooling over placeholder). Kinds below that say nothing specific.
 *
 * <p>This is the one op → layer type table: the launcher's and the agent's graph detection use
 * {@link #of} (with the graph), the agent's name-scope grouping of a traced run {@link
 * #ofRuntimeOp} (op type alone).
 */
public enum OpKind {
  CONVOLUTION(13, LayerType.CONVOLUTIONAL),
  MATMUL(12, LayerType.DENSE),
  POOL(11, LayerType.POOLING),
  BATCH_NORM(10, LayerType.NORMALIZATION),
  PAD(9, LayerType.PADDING),
  CONCAT(8, LayerType.CONCATENATE),
  RESIZE(7, LayerType.UPSAMPLING),
  RESHAPE(6, LayerType.RESHAPE),
  ADD(5, LayerType.ADD),
  MULTIPLY(4, LayerType.MULTIPLY),
  ACTIVATION(3, LayerType.ACTIVATION),
  /** Mean or Max over the spatial axes. */
  GLOBAL_POOL(2, LayerType.POOLING),
  INPUT(1, LayerType.INPUT_LAYER),
  /** Arithmetic with a constant operand: {@code x * scale + offset}. */
  AFFINE(0, LayerType.RESCALING),
  /** Identity and its relatives: free, they belong to whatever produced their input. */
  PASS_THROUGH(-1, LayerType.OTHER),
  OTHER(-2, LayerType.OTHER);

  static final Set<String> CONVOLUTIONS =
      Set.of(
          "Conv2D",
          "Conv3D",
          "DepthwiseConv2dNative",
          "Conv2DBackpropInput",
          "Conv3DBackpropInputV2");
  static final Set<String> DEPTHWISE = Set.of("DepthwiseConv2dNative");
  static final Set<String> TRANSPOSED = Set.of("Conv2DBackpropInput", "Conv3DBackpropInputV2");
  static final Set<String> MATMULS =
      Set.of("MatMul", "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3");
  static final Set<String> POOLS =
      Set.of("MaxPool", "MaxPoolV2", "AvgPool", "MaxPool3D", "AvgPool3D");
  static final Set<String> BATCH_NORMS =
      Set.of("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3");
  static final Set<String> PADS = Set.of("Pad", "PadV2", "MirrorPad");
  static final Set<String> CONCATS = Set.of("ConcatV2", "Concat");
  static final Set<String> RESIZES =
      Set.of("ResizeNearestNeighbor", "ResizeBilinear", "ResizeBicubic", "ResizeArea");
  static final Set<String> RESHAPES = Set.of("Reshape", "Squeeze");
  static final Set<String> ADDS = Set.of("Add", "AddV2", "AddN", "BiasAdd", "BiasAddV1");
  static final Set<String> BIAS_ADDS = Set.of("BiasAdd", "BiasAddV1");
  static final Set<String> MULS = Set.of("Mul");

  /** Arithmetic that rescales when one operand is a constant. */
  static final Set<String> SCALINGS = Set.of("Sub", "RealDiv", "Div");

  static final Set<String> ACTIVATIONS =
      Set.of(
          "Relu",
          "Relu6",
          "Elu",
          "Selu",
          "Sigmoid",
          "Tanh",
          "Softmax",
          "LogSoftmax",
          "LeakyRelu",
          "Softplus",
          "Softsign");
  static final Set<String> GLOBAL_REDUCTIONS = Set.of("Mean", "Max");
  static final Set<String> REDUCTIONS = Set.of("Mean", "Max", "Min", "Sum", "Prod");
  static final Set<String> INPUTS = Set.of("Placeholder", "PlaceholderWithDefault");
  static final Set<String> PASS_THROUGHS =
      Set.of("Identity", "IdentityN", "Snapshot", "StopGradient", "PreventGradient");

  /** Nodes that hold weights or constants: the layer's parameters. */
  static final Set<String> WEIGHT_SOURCES =
      Set.of("Const", "HostConst", "VariableV2", "Variable", "VarHandleOp");

  /** Reads of a weight that pass it on unchanged. */
  static final Set<String> READS = Set.of("Identity", "ReadVariableOp", "Snapshot", "Enter");

  static final Set<String> SHAPE_OPS = Set.of("Shape", "ShapeN", "Size", "Rank");

  /** Ops that only change how a tensor is viewed: no arithmetic, no FLOPs. */
  static final Set<String> VIEWS =
      Set.of(
          "Reshape",
          "Squeeze",
          "ExpandDims",
          "Identity",
          "IdentityN",
          "Snapshot",
          "StopGradient",
          "PreventGradient",
          "Placeholder",
          "PlaceholderWithDefault");

  static final Set<String> OVERHEAD_OPS =
      Set.of(
          "NoOp",
          "SaveV2",
          "RestoreV2",
          "Save",
          "Restore",
          "SaveSlices",
          "RestoreSlice",
          "MergeV2Checkpoints",
          "ShardedFilename",
          "ShardedFilespec",
          "Assign",
          "AssignAdd",
          "AssignSub",
          "AssignVariableOp",
          "AssignAddVariableOp",
          "AssignSubVariableOp",
          "VarIsInitializedOp",
          "IsVariableInitialized");

  /**
   * Op names only traced runs show (after {@link #canonical}): Grappler's and oneDNN's fused ops
   * and oneDNN's own activation kernels. Static graphs do not hold them.
   */
  static final Map<String, OpKind> RUNTIME_ONLY =
      Map.of(
          "FusedConv2D", CONVOLUTION,
          "FusedDepthwiseConv2dNative", CONVOLUTION,
          "FusedMatMul", MATMUL,
          "FusedBatchNormEx", BATCH_NORM,
          "Swish", ACTIVATION,
          "Gelu", ACTIVATION);

  /** {@link #ofRuntimeOp}'s table: lower-case op name → kind. */
  private static final Map<String, OpKind> BY_NAME = byName();

  private final int rank;
  private final LayerType type;

  OpKind(int rank, LayerType type) {
    this.rank = rank;
    this.type = type;
  }

  /** The kind's priority: of a layer's ops, the one of highest rank decides its type. */
  public int rank() {
    return rank;
  }

  /** The layer type a layer anchored by this kind has. */
  public LayerType type() {
    return type;
  }

  /** Whether the kind alone names the layer type; if not, a Keras scope name may say more. */
  boolean specific() {
    return switch (this) {
      case ADD, MULTIPLY, ACTIVATION, AFFINE, PASS_THROUGH, OTHER -> false;
      default -> true;
    };
  }

  /** Whether a layer starts at a node of this kind when it stands in no scope. */
  boolean anchors() {
    return this != PASS_THROUGH;
  }

  /** The kind of compute node {@code name}. */
  static OpKind of(GraphIndex index, ShapeResolver shapes, String name) {
    String op = index.op(name);
    if (CONVOLUTIONS.contains(op)) {
      return CONVOLUTION;
    }
    if (MATMULS.contains(op)) {
      return MATMUL;
    }
    if (POOLS.contains(op)) {
      return POOL;
    }
    if (BATCH_NORMS.contains(op)) {
      return BATCH_NORM;
    }
    if (PADS.contains(op)) {
      return PAD;
    }
    if (CONCATS.contains(op)) {
      return CONCAT;
    }
    if (RESIZES.contains(op)) {
      return RESIZE;
    }
    if (RESHAPES.contains(op)) {
      return RESHAPE;
    }
    if (INPUTS.contains(op)) {
      return INPUT;
    }
    if (ACTIVATIONS.contains(op)) {
      return ACTIVATION;
    }
    if (PASS_THROUGHS.contains(op)) {
      return PASS_THROUGH;
    }
    int data = index.dataInputs(name).size();
    if (ADDS.contains(op)) {
      return data >= 2 ? ADD : AFFINE;
    }
    if (MULS.contains(op)) {
      return data >= 2 ? MULTIPLY : AFFINE;
    }
    if (SCALINGS.contains(op) && data == 1) {
      return AFFINE;
    }
    if (GLOBAL_REDUCTIONS.contains(op) && reducesSpatialAxes(index, shapes, name)) {
      return GLOBAL_POOL;
    }
    return OTHER;
  }

  /**
   * The kind an executed op has by its type alone, for grouping a traced run by name scope when
   * no graph says more. TensorFlow's rewrites are seen through ({@link #canonical}) and case is
   * ignored. Kinds that depend on the graph take their usual case: Add, AddV2 and AddN are ADD, Mul
   * is MULTIPLY, Mean and Max are GLOBAL_POOL; BiasAdd and scalings (AFFINE in a graph) are OTHER.
   */
  public static OpKind ofRuntimeOp(String opType) {
    return BY_NAME.getOrDefault(canonical(opType).toLowerCase(Locale.ROOT), OTHER);
  }

  /**
   * The op type without the prefixes of TensorFlow's rewrites: Grappler's {@code _Fused*} and
   * oneDNN's {@code _MklNative*} / {@code _Mkl*} kernels ({@code _MklNativeFusedConv2D} is a fused
   * Conv2D, {@code _MklSoftmax} a Softmax).
   */
  static String canonical(String opType) {
    if (opType.startsWith("_MklNative")) {
      return opType.substring("_MklNative".length());
    }
    if (opType.startsWith("_Mkl")) {
      return opType.substring("_Mkl".length());
    }
    return opType.startsWith("_") ? opType.substring(1) : opType;
  }

  private static Map<String, OpKind> byName() {
    Map<String, OpKind> m = new HashMap<>();
    // Strongest kind first: a name in two sets keeps the stronger kind.
    putAll(m, CONVOLUTIONS, CONVOLUTION);
    putAll(m, MATMULS, MATMUL);
    putAll(m, POOLS, POOL);
    putAll(m, BATCH_NORMS, BATCH_NORM);
    putAll(m, PADS, PAD);
    putAll(m, CONCATS, CONCAT);
    putAll(m, RESIZES, RESIZE);
    putAll(m, RESHAPES, RESHAPE);
    for (String op : ADDS) {
      if (!BIAS_ADDS.contains(op)) {
        m.putIfAbsent(op.toLowerCase(Locale.ROOT), ADD);
      }
    }
    putAll(m, MULS, MULTIPLY);
    putAll(m, ACTIVATIONS, ACTIVATION);
    putAll(m, GLOBAL_REDUCTIONS, GLOBAL_POOL);
    putAll(m, INPUTS, INPUT);
    putAll(m, PASS_THROUGHS, PASS_THROUGH);
    RUNTIME_ONLY.forEach((op, kind) -> m.putIfAbsent(op.toLowerCase(Locale.ROOT), kind));
    return Map.copyOf(m);
  }

  private static void putAll(Map<String, OpKind> m, Set<String> ops, OpKind kind) {
    for (String op : ops) {
      m.putIfAbsent(op.toLowerCase(Locale.ROOT), kind);
    }
  }

  /** Whether an element-wise node may join the layer whose output it alone consumes. */
  static boolean follows(GraphIndex index, ShapeResolver shapes, String name) {
    OpKind kind = of(index, shapes, name);
    String op = index.op(name);
    return kind == ACTIVATION
        || kind == PASS_THROUGH
        || (kind == AFFINE && (BIAS_ADDS.contains(op) || op.equals("Add") || op.equals("AddV2")));
  }

  /** Whether the node passes the shape of its main input on to output 0. */
  static boolean preservesShape(GraphIndex index, String name) {
    String op = index.op(name);
    if (ACTIVATIONS.contains(op)
        || PASS_THROUGHS.contains(op)
        || BIAS_ADDS.contains(op)
        || BATCH_NORMS.contains(op)) {
      return true;
    }
    boolean arithmetic =
        op.equals("Add") || op.equals("AddV2") || MULS.contains(op) || SCALINGS.contains(op);
    return arithmetic && index.dataInputs(name).size() == 1;
  }

  private static boolean reducesSpatialAxes(GraphIndex index, ShapeResolver shapes, String name) {
    var refs = index.inputs(name);
    if (refs.size() < 2) {
      return false;
    }
    NodeDef axesNode = index.source(refs.get(1));
    AttrValue value = axesNode == null ? null : axesNode.getAttrMap().get("value");
    long[] axes =
        value == null || !value.hasTensor() ? null : TensorValues.integers(value.getTensor());
    if (axes == null || axes.length == 0) {
      return false;
    }
    long[] input = shapes.shape(refs.get(0));
    int rank = input == null ? 4 : input.length;
    if (rank < 3) {
      return false;
    }
    Set<Long> reduced = new TreeSet<>();
    for (long axis : axes) {
      reduced.add(axis < 0 ? axis + rank : axis);
    }
    Set<Long> channelsLast = new TreeSet<>();
    Set<Long> channelsFirst = new TreeSet<>();
    for (long axis = 1; axis <= rank - 2; axis++) {
      channelsLast.add(axis);
      channelsFirst.add(axis + 1);
    }
    return reduced.equals(channelsLast) || reduced.equals(channelsFirst);
  }

  /** The spatial axes of a 4-D or 5-D tensor in {@code data_format}. */
  static int[] spatialAxes(NodeDef node, int rank) {
    AttrValue format = node.getAttrMap().get("data_format");
    boolean channelsFirst = format != null && format.getS().toStringUtf8().startsWith("NC");
    int[] axes = new int[Math.max(0, rank - 2)];
    Arrays.setAll(axes, i -> channelsFirst ? i + 2 : i + 1);
    return axes;
  }
}
