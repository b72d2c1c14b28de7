package io.jouleflow.predictor.layers;

import io.jouleflow.predictor.layers.LayerGraph.StaticNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Maps the node names of a traced run (step stats) to the layers of a {@link LayerGraph}.
 *
 * <p>Grappler rewrites the graph before it runs, so runtime names are not all static names:
 *
 * <ul>
 *   <li>A static name maps to its layer; a static node of no layer to {@link
 *       LayerGraph#UNATTRIBUTED}.
 *   <li>A fused node ({@code _FusedConv2D}, {@code _FusedMatMul}, {@code _FusedBatchNormEx} and the
 *       oneDNN {@code _MklNativeFused*} ops) carries the name of the last op it fused, a static
 *       node. Where that op lies in another layer than the convolution, matrix product or batch
 *       normalization it fused (a Keras {@code activation} layer after a {@code conv2d}), the node
 *       goes to the layer of the fused anchor: found through the runtime inputs (the filter or
 *       scale) when given, else by walking the static inputs back.
 *   <li>A name Grappler made up ({@code bn/FusedBatchNormV3/Mul}, {@code
 *       add/ArithmeticOptimizer/AddOpsRewrite_Leaf_1_AddV2}, {@code x/_3}) goes to the layer of the
 *       static node it was derived from: optimizer segments and stage prefixes are removed and
 *       trailing path segments stripped until a static node or a scope layer matches.
 *   <li>Executor nodes ({@code _SOURCE}, {@code _SINK}, {@code _arg_*}, {@code _retval_*}, sends
 *       and receives) go to {@link LayerGraph#UNATTRIBUTED}.
 *   <li>Anything else is a layer of its own, of type Other, with the runtime name as id.
 * </ul>
 *
 * Thread-safe; results are cached per name and op type.
 */
public final class RuntimeNodes {

  private static final Set<String> EXECUTOR_OPS =
      Set.of(
          "_Arg",
          "_Retval",
          "_Recv",
          "_Send",
          "_HostRecv",
          "_HostSend",
          "_DeviceArg",
          "_DeviceRetval");
  private static final Set<String> OPTIMIZER_SEGMENTS =
      Set.of(
          "ArithmeticOptimizer",
          "ConstantFolding",
          "LayoutOptimizer",
          "Remapper",
          "DependencyOptimizer",
          "MemoryOptimizer",
          "AutoMixedPrecision",
          "ScopedAllocator",
          "PinToHostOptimizer",
          "LoopOptimizer",
          "CommonSubgraphElimination",
          "ImplementationSelector",
          "AutoParallel",
          "Mkl");

  /** {@code AddOpsRewrite_Leaf_1_AddV2} → {@code AddV2}: a stage prefix, maybe a leaf number. */
  private static final Pattern STAGE_PREFIX =
      Pattern.compile("^[A-Za-z0-9]+_(?:(?:Leaf|Internal)_\\d+_)?");

  private static final int CACHE_LIMIT = 100_000;

  private final LayerGraph graph;
  private final Map<String, String> cache = new ConcurrentHashMap<>();

  public RuntimeNodes(LayerGraph graph) {
    this.graph = Objects.requireNonNull(graph, "graph");
  }

  /** The layer graph names are mapped to. */
  public LayerGraph graph() {
    return graph;
  }

  /**
   * The layer id of a runtime node: a layer of the graph, {@link LayerGraph#UNATTRIBUTED}, or the
   * runtime name itself for an unknown node (type Other).
   *
   * @param runtimeNodeName {@code NodeExecStats.node_name}
   * @param runtimeOpType the op type of the timeline label ({@link #opType(String)}); may be empty
   */
  public String layerId(String runtimeNodeName, String runtimeOpType) {
    return layerId(runtimeNodeName, runtimeOpType, List.of());
  }

  /**
   * As {@link #layerId(String, String)}, with the node's runtime inputs ({@link #inputs(String)}):
   * they tell which convolution a fused node took when its name does not (a residual Add between
   * two convolutions fused into one of them).
   */
  public String layerId(String runtimeNodeName, String runtimeOpType, List<String> runtimeInputs) {
    String op = runtimeOpType == null ? "" : runtimeOpType;
    if (isExecutorNode(runtimeNodeName, op)) {
      return LayerGraph.UNATTRIBUTED;
    }
    if (fusedAnchors(op) != null && runtimeInputs.size() > 1) {
      String byWeights = fusedByWeights(op, runtimeInputs.get(1));
      if (byWeights != null) {
        return byWeights;
      }
    }
    String key = runtimeNodeName + '\u0000' + op;
    String cached = cache.get(key);
    if (cached != null) {
      return cached;
    }
    String id = resolve(runtimeNodeName, op);
    if (cache.size() < CACHE_LIMIT) {
      cache.put(key, id);
    }
    return id;
  }

  /**
   * The type of a layer id from {@link #layerId}: Overhead for the pseudo-layer, Other if unknown.
   */
  public LayerType typeOf(String layerId) {
    if (LayerGraph.UNATTRIBUTED.equals(layerId)) {
      return LayerType.OVERHEAD;
    }
    return graph.layer(layerId).map(Layer::type).orElse(LayerType.OTHER);
  }

  /** Whether the executor created the node: it belongs to no layer. */
  public static boolean isExecutorNode(String runtimeNodeName, String runtimeOpType) {
    return runtimeNodeName.equals("_SOURCE")
        || runtimeNodeName.equals("_SINK")
        || ArgumentNode.isArgument(runtimeNodeName)
        || runtimeNodeName.startsWith("_retval_")
        || EXECUTOR_OPS.contains(runtimeOpType);
  }

  /**
   * The op type in a timeline label {@code "name = OpType(input, ...)"}; the oneDNN build may put a
   * memory note before the name ({@code "[mklcpu 0.1MB 0.1MB] name = ..."}). Empty if the label has
   * no op.
   */
  public static String opType(String timelineLabel) {
    int equals = timelineLabel.indexOf(" = ");
    if (equals < 0) {
      return "";
    }
    int paren = timelineLabel.indexOf('(', equals);
    return (paren < 0
            ? timelineLabel.substring(equals + 3)
            : timelineLabel.substring(equals + 3, paren))
        .trim();
  }

  /** The input names in a timeline label, without {@code :N} or {@code ^}. */
  public static List<String> inputs(String timelineLabel) {
    int equals = timelineLabel.indexOf(" = ");
    int open = equals < 0 ? -1 : timelineLabel.indexOf('(', equals);
    int close = timelineLabel.lastIndexOf(')');
    if (open < 0 || close <= open + 1) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    for (String input : timelineLabel.substring(open + 1, close).split(",")) {
      String name = input.trim();
      if (name.startsWith("^")) {
        name = name.substring(1);
      }
      int colon = name.lastIndexOf(':');
      if (colon > 0 && name.substring(colon + 1).chars().allMatch(Character::isDigit)) {
        name = name.substring(0, colon);
      }
      if (!name.isEmpty()) {
        names.add(name);
      }
    }
    return names;
  }

  private String resolve(String name, String op) {
    if (graph.containsNode(name)) {
      String owned = graph.layerIdOfNode(name);
      if (owned == null) {
        return LayerGraph.UNATTRIBUTED;
      }
      Set<String> anchors = fusedAnchors(op);
      if (anchors != null) {
        String fused = walkBackToAnchor(name, anchors);
        if (fused != null) {
          return fused;
        }
      }
      return owned;
    }
    for (String candidate : derivedNames(name)) {
      if (graph.containsNode(candidate)) {
        String owned = graph.layerIdOfNode(candidate);
        return owned == null ? LayerGraph.UNATTRIBUTED : owned;
      }
    }
    for (String candidate : derivedNames(name)) {
      String scope = graph.scopeLayerOf(candidate + "/");
      if (scope != null) {
        return scope;
      }
    }
    return name;
  }

  /** The layer of a fused node's weight input, if it has the type the fused op computes. */
  private String fusedByWeights(String op, String weightInput) {
    String id = resolve(weightInput, "");
    Optional<Layer> layer = graph.layer(id);
    if (layer.isEmpty()) {
      return null;
    }
    LayerType expected = fusedType(op);
    return layer.get().type() == expected ? id : null;
  }

  /** Static op types a fused runtime op is anchored by; null if the op is no fusion. */
  private static Set<String> fusedAnchors(String op) {
    return switch (fusedType(op)) {
      case CONVOLUTIONAL -> Set.of("Conv2D", "Conv3D", "DepthwiseConv2dNative");
      case DENSE -> OpKind.MATMULS;
      case NORMALIZATION -> OpKind.BATCH_NORMS;
      default -> null;
    };
  }

  private static LayerType fusedType(String op) {
    if (!op.startsWith("_") || !op.contains("Fused")) {
      return LayerType.OTHER;
    }
    if (op.contains("Conv")) {
      return LayerType.CONVOLUTIONAL;
    }
    if (op.contains("MatMul")) {
      return LayerType.DENSE;
    }
    if (op.contains("BatchNorm")) {
      return LayerType.NORMALIZATION;
    }
    return LayerType.OTHER;
  }

  /** The layer of the nearest static anchor op upstream of a fused node's name, within 4 hops. */
  private String walkBackToAnchor(String name, Set<String> anchors) {
    Queue<String> queue = new ArrayDeque<>(List.of(name));
    Set<String> seen = new HashSet<>(queue);
    for (int hop = 0; hop <= 4 && !queue.isEmpty(); hop++) {
      Queue<String> next = new ArrayDeque<>();
      for (String node : queue) {
        StaticNode info = graph.node(node);
        if (info == null) {
          continue;
        }
        if (anchors.contains(info.op())) {
          return graph.layerIdOfNode(node);
        }
        for (String input : info.dataInputs()) {
          if (seen.add(input)) {
            next.add(input);
          }
        }
      }
      queue = next;
    }
    return null;
  }

  /**
   * Static names a Grappler-made name may come from, most specific first: without optimizer
   * segments and with stage prefixes peeled off the last segment one by one ({@code
   * SimplifyAggregation_Mul_AddOpsRewrite_add_2} → {@code Mul_AddOpsRewrite_add_2} → ... → {@code
   * add_2}), then each with trailing segments stripped.
   */
  private static List<String> derivedNames(String name) {
    Set<String> bases = new LinkedHashSet<>();
    List<String> kept = new ArrayList<>();
    for (String segment : name.split("/")) {
      if (!OPTIMIZER_SEGMENTS.contains(segment)) {
        kept.add(segment);
      }
    }
    if (!kept.isEmpty() && kept.size() < name.split("/").length) {
      String parent = String.join("/", kept.subList(0, kept.size() - 1));
      String last = kept.get(kept.size() - 1);
      while (!last.isEmpty()) {
        for (String variant : List.of(last, cutDash(last))) {
          bases.add(parent.isEmpty() ? variant : parent + "/" + variant);
        }
        String peeled = STAGE_PREFIX.matcher(last).replaceFirst("");
        if (peeled.equals(last)) {
          break;
        }
        last = peeled;
      }
    }
    bases.add(name);
    List<String> candidates = new ArrayList<>();
    for (String base : bases) {
      String current = base;
      while (true) {
        if (!current.equals(name) && !candidates.contains(current)) {
          candidates.add(current);
        }
        int slash = current.lastIndexOf('/');
        if (slash <= 0) {
          break;
        }
        current = current.substring(0, slash);
      }
    }
    return candidates;
  }

  /** {@code Mul_1-folded-1} → {@code Mul_1}: constant folding's suffixes. */
  private static String cutDash(String name) {
    int slash = name.lastIndexOf('/');
    int dash = name.indexOf('-', slash + 1);
    return dash > 0 ? name.substring(0, dash) : name;
  }
}
