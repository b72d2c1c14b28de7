package io.jouleflow.predictor.layers;

import io.jouleflow.predictor.layers.GraphIndex.Ref;
import io.jouleflow.predictor.layers.GraphIndex.Use;
import io.jouleflow.predictor.layers.LayerFeatures.Variant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.regex.Pattern;
import org.tensorflow.proto.GraphDef;

/**
 * Finds the layers of a TensorFlow graph.
 *
 * <p><b>By scope.</b> Where nodes carry Keras-style name scopes ({@code conv2d_3/Conv2D}, {@code
 * conv2d_3/BiasAdd}, {@code conv2d_3/Relu}), each scope that computes something is one layer with
 * the scope as id. An outer scope shared by every scoped node ({@code model/}, {@code
 * StatefulPartitionedCall/model/}) is stripped first, as long as scopes remain below it. A first
 * segment that is itself a node's name ({@code FusedBatchNorm/Scaled}) is not a scope. The scope's
 * type comes from its strongest op (see {@link OpKind}); where the ops say nothing specific
 * (activations, arithmetic, Identity), the Keras layer name decides: {@code dropout} → Dropout
 * (always), {@code rescaling} → Rescaling, {@code batch_normalization} → Normalization, and so on.
 *
 * <p><b>Structurally</b>, for nodes in no scope: a layer starts at an anchor (a convolution, matrix
 * product, pooling, fused batch normalization, padding, concatenation, resize, reshape, an Add or
 * Mul of two computed operands, a Mean or Max over the spatial axes, a placeholder, a standalone
 * activation, arithmetic with a constant operand → Rescaling) and takes the element-wise ops after
 * it that alone consume its output: BiasAdd, Add/AddV2 of a constant, activations, Identity. Its id
 * is the anchor node's name. A standalone Identity joins the layer of its input; any other op is a
 * layer of type Other on its own.
 *
 * <p><b>Auxiliary nodes</b> (constants, variables, their reads, shape computations and anything
 * computed from those alone) belong to the layer that consumes them first. <b>Overhead</b> nodes
 * belong to no layer: {@code save/*}, NoOps (TF Java's {@code Init}), assignments and initialisers,
 * and constants that only feed those.
 */
public final class LayerDetector {

  private static final Map<Pattern, LayerType> KERAS_NAMES = kerasNames();

  private LayerDetector() {}

  /**
   * Layers of {@code graph}, with the shapes the graph states itself (see {@link
   * NodeShapes#fromGraphDef}).
   */
  public static LayerGraph detect(GraphDef graph) {
    return detect(graph, NodeShapes.fromGraphDef(graph));
  }

  /**
   * Layers of {@code graph}, with features from {@code shapes} (static shapes of a live graph, or
   * runtime shapes from step stats). The shapes change features only, never the layers.
   */
  public static LayerGraph detect(GraphDef graph, NodeShapes shapes) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(shapes, "shapes");
    GraphIndex index = new GraphIndex(graph);
    if (index.order().isEmpty()) {
      return LayerGraph.empty();
    }
    return new Detection(index, new ShapeResolver(index, shapes)).run();
  }

  /** A layer while it is being found. */
  private static final class Draft {
    final String id;
    final boolean scoped;
    final OpKind startKind;
    final List<String> nodes = new ArrayList<>();

    Draft(String id, boolean scoped, OpKind startKind) {
      this.id = id;
      this.scoped = scoped;
      this.startKind = startKind;
    }
  }

  /** One detection run over one graph. */
  private static final class Detection {
    private final GraphIndex index;
    private final ShapeResolver shapes;
    private final Map<String, Draft> drafts = new LinkedHashMap<>();
    private final Map<String, String> owner = new HashMap<>();
    private final Map<String, OpKind> kinds = new HashMap<>();

    Detection(GraphIndex index, ShapeResolver shapes) {
      this.index = index;
      this.shapes = shapes;
    }

    LayerGraph run() {
      String prefix = scopePrefix();
      Set<String> layerScopes = new LinkedHashSet<>();
      Map<String, String> scopeOf = new HashMap<>();
      for (String name : index.order()) {
        String scope = index.isOverhead(name) ? null : scopeName(prefix, name);
        if (scope != null) {
          scopeOf.put(name, scope);
          if (index.isCompute(name)) {
            layerScopes.add(scope);
          }
        }
      }
      Set<String> feeding = auxiliariesFeedingCompute();
      for (String name : index.order()) {
        String scope = scopeOf.get(name);
        if (scope != null
            && layerScopes.contains(scope)
            && (index.isCompute(name) || feeding.contains(name))) {
          assign(drafts.computeIfAbsent(scope, s -> new Draft(s, true, null)), name);
        }
      }
      findStructuralLayers();
      assignAuxiliaries();

      List<Draft> ordered = topologicalLayers();
      List<Layer> layers = new ArrayList<>(ordered.size());
      FeatureExtractor features = new FeatureExtractor(index, shapes);
      for (Draft draft : ordered) {
        layers.add(toLayer(draft, features, ordered.size()));
      }
      return Fusion.mark(
          new LayerGraph(layers, owner, LayerGraph.nodesOf(index), prefix, layerScopes));
    }

    private OpKind kind(String name) {
      return kinds.computeIfAbsent(name, n -> OpKind.of(index, shapes, n));
    }

    private void assign(Draft draft, String name) {
      draft.nodes.add(name);
      owner.put(name, draft.id);
    }

    /**
     * The outer scopes every scoped node shares ({@code model/}, {@code
     * StatefulPartitionedCall/model/}): the deepest such chain with at least two layer scopes below
     * it. A lone layer with inner scopes ({@code separable_conv2d/separable_conv2d/depthwise})
     * keeps its own name.
     */
    private String scopePrefix() {
      String accepted = "";
      String prefix = "";
      while (true) {
        Set<String> firsts = new HashSet<>();
        for (String name : index.order()) {
          if (!index.isOverhead(name) && name.startsWith(prefix)) {
            String rest = name.substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash > 0) {
              firsts.add(rest.substring(0, slash));
            }
          }
        }
        if (firsts.size() != 1) {
          return accepted;
        }
        String first = prefix + firsts.iterator().next();
        if (index.contains(first)) {
          return accepted;
        }
        prefix = first + "/";
        Set<String> below = new HashSet<>();
        for (String name : index.order()) {
          String scope = index.isCompute(name) ? scopeName(prefix, name) : null;
          if (scope != null) {
            below.add(scope);
          }
        }
        if (below.size() >= 2) {
          accepted = prefix;
        }
      }
    }

    private String scopeName(String prefix, String name) {
      if (!name.startsWith(prefix)) {
        return null;
      }
      String rest = name.substring(prefix.length());
      int slash = rest.indexOf('/');
      if (slash <= 0) {
        return null;
      }
      String scope = rest.substring(0, slash);
      // conv/ReadVariableOp or FusedBatchNorm/Scaled: sub-names of a node, not a layer scope.
      if (index.contains(prefix + scope) || index.contains(scope)) {
        return null;
      }
      return scope;
    }

    /** Auxiliary nodes from which some compute node can be reached through auxiliary nodes. */
    private Set<String> auxiliariesFeedingCompute() {
      Set<String> feeding = new HashSet<>();
      List<String> order = index.order();
      for (int i = order.size() - 1; i >= 0; i--) {
        String name = order.get(i);
        if (!index.isAuxiliary(name)) {
          continue;
        }
        for (Use use : index.uses(name)) {
          if (index.isCompute(use.consumer()) || feeding.contains(use.consumer())) {
            feeding.add(name);
            break;
          }
        }
      }
      return feeding;
    }

    private void findStructuralLayers() {
      for (String name : index.order()) {
        if (owner.containsKey(name) || !index.isCompute(name)) {
          continue;
        }
        OpKind kind = kind(name);
        if (kind == OpKind.PASS_THROUGH) {
          Ref main = index.mainInput(name);
          String producer = main == null ? null : owner.get(main.node());
          if (producer != null) {
            assign(drafts.get(producer), name);
            continue;
          }
        }
        Draft draft = new Draft(name, false, kind);
        drafts.put(name, draft);
        assign(draft, name);
        if (kind != OpKind.INPUT && kind != OpKind.OTHER && kind != OpKind.PASS_THROUGH) {
          absorbFollowers(draft, name);
        }
      }
    }

    /** Takes the element-wise ops that alone consume the layer's output, one after another. */
    private void absorbFollowers(Draft draft, String tip) {
      while (true) {
        List<String> consumers = index.computeConsumers(tip);
        if (consumers.size() != 1) {
          return;
        }
        String next = consumers.get(0);
        if (owner.containsKey(next) || !OpKind.follows(index, shapes, next)) {
          return;
        }
        for (Ref ref : index.dataInputs(next)) {
          if (!ref.node().equals(tip)) {
            return;
          }
        }
        assign(draft, next);
        tip = next;
      }
    }

    /** Each auxiliary node not in a scope goes to the first layer that consumes it. */
    private void assignAuxiliaries() {
      List<String> order = index.order();
      for (int i = order.size() - 1; i >= 0; i--) {
        String name = order.get(i);
        if (owner.containsKey(name) || !index.isAuxiliary(name)) {
          continue;
        }
        String best = null;
        int bestPosition = Integer.MAX_VALUE;
        for (Use use : index.uses(name)) {
          String layer = owner.get(use.consumer());
          int position = index.position(use.consumer());
          if (layer != null && position < bestPosition) {
            best = layer;
            bestPosition = position;
          }
        }
        if (best != null) {
          assign(drafts.get(best), name);
        }
      }
      for (Draft draft : drafts.values()) {
        draft.nodes.sort((a, b) -> Integer.compare(index.position(a), index.position(b)));
      }
    }

    /** Layers in the order of the data flowing between them; ties by their first compute node. */
    private List<Draft> topologicalLayers() {
      Map<String, Integer> first = new HashMap<>();
      for (Draft draft : drafts.values()) {
        int position = Integer.MAX_VALUE;
        for (String node : draft.nodes) {
          if (index.isCompute(node)) {
            position = Math.min(position, index.position(node));
          }
        }
        first.put(draft.id, position);
      }
      Map<String, Set<String>> successors = new HashMap<>();
      Map<String, Integer> pending = new HashMap<>();
      drafts.keySet().forEach(id -> pending.put(id, 0));
      for (Draft draft : drafts.values()) {
        for (String node : draft.nodes) {
          for (Ref ref : index.inputs(node)) {
            String from = owner.get(ref.node());
            if (from != null
                && !from.equals(draft.id)
                && successors.computeIfAbsent(from, k -> new LinkedHashSet<>()).add(draft.id)) {
              pending.merge(draft.id, 1, Integer::sum);
            }
          }
        }
      }
      PriorityQueue<String> ready =
          new PriorityQueue<>((a, b) -> Integer.compare(first.get(a), first.get(b)));
      pending.forEach(
          (id, count) -> {
            if (count == 0) {
              ready.add(id);
            }
          });
      List<Draft> sorted = new ArrayList<>();
      Set<String> done = new HashSet<>();
      while (done.size() < drafts.size()) {
        if (ready.isEmpty()) {
          // Scopes that interleave make a cycle between layers: release the earliest one.
          drafts.keySet().stream()
              .filter(id -> !done.contains(id))
              .min((a, b) -> Integer.compare(first.get(a), first.get(b)))
              .ifPresent(ready::add);
        }
        String id = ready.poll();
        if (!done.add(id)) {
          continue;
        }
        sorted.add(drafts.get(id));
        for (String next : successors.getOrDefault(id, Set.of())) {
          if (pending.merge(next, -1, Integer::sum) == 0 && !done.contains(next)) {
            ready.add(next);
          }
        }
      }
      return sorted;
    }

    private Layer toLayer(Draft draft, FeatureExtractor features, int numberOfLayers) {
      List<String> compute = draft.nodes.stream().filter(index::isCompute).toList();
      String anchor = compute.isEmpty() ? draft.nodes.get(0) : compute.get(0);
      OpKind anchorKind = draft.scoped ? kind(anchor) : draft.startKind;
      if (draft.scoped) {
        for (String node : compute) {
          if (kind(node).rank() > anchorKind.rank()) {
            anchor = node;
            anchorKind = kind(node);
          }
        }
      }
      LayerType type = anchorKind.type();
      if (draft.scoped) {
        LayerType hint = kerasType(draft.id);
        if (hint == LayerType.DROPOUT || (hint != null && !anchorKind.specific())) {
          type = hint;
        }
      }
      Variant variant = null;
      if (type == LayerType.CONVOLUTIONAL && anchorKind == OpKind.CONVOLUTION) {
        String depthwise = firstOf(compute, OpKind.DEPTHWISE);
        boolean pointwise = compute.stream().anyMatch(n -> index.op(n).equals("Conv2D"));
        if (firstOf(compute, OpKind.TRANSPOSED) != null) {
          variant = Variant.TRANSPOSED;
          anchor = firstOf(compute, OpKind.TRANSPOSED);
        } else if (depthwise != null) {
          variant = pointwise ? Variant.SEPARABLE : Variant.DEPTHWISE;
          anchor = depthwise;
        } else {
          variant = Variant.STANDARD;
        }
      }
      LayerFeatures f =
          features.extract(draft.nodes, compute, type, anchor, variant, numberOfLayers);
      return new Layer(draft.id, type, index.op(anchor), draft.nodes, f);
    }

    private String firstOf(List<String> nodes, Set<String> ops) {
      for (String node : nodes) {
        if (ops.contains(index.op(node))) {
          return node;
        }
      }
      return null;
    }
  }

  /** The layer type a Keras default layer name ({@code dropout_2}) stands for; null if none. */
  static LayerType kerasType(String scope) {
    for (Map.Entry<Pattern, LayerType> entry : KERAS_NAMES.entrySet()) {
      if (entry.getKey().matcher(scope).matches()) {
        return entry.getValue();
      }
    }
    return null;
  }

  private static Map<Pattern, LayerType> kerasNames() {
    Map<String, LayerType> names = new LinkedHashMap<>();
    names.put(
        "conv[123]d|conv[23]d_transpose|depthwise_conv[12]d|separable_conv[12]d",
        LayerType.CONVOLUTIONAL);
    names.put("dense", LayerType.DENSE);
    names.put("(max|average)_pooling[123]d|global_(max|average)_pooling[123]d", LayerType.POOLING);
    names.put("(batch|layer|group|unit)_normalization|normalization", LayerType.NORMALIZATION);
    names.put("zero_padding[123]d", LayerType.PADDING);
    names.put(
        "activation|re_lu|relu|softmax|leaky_re_lu|p_re_lu|elu|thresholded_re_lu",
        LayerType.ACTIVATION);
    names.put("rescaling", LayerType.RESCALING);
    names.put("flatten|reshape|permute", LayerType.RESHAPE);
    names.put("dropout|spatial_dropout[123]d|gaussian_dropout|alpha_dropout", LayerType.DROPOUT);
    names.put("add", LayerType.ADD);
    names.put("multiply", LayerType.MULTIPLY);
    names.put("concatenate", LayerType.CONCATENATE);
    names.put("up_sampling[123]d", LayerType.UPSAMPLING);
    names.put("input(_layer)?", LayerType.INPUT_LAYER);
    Map<Pattern, LayerType> patterns = new LinkedHashMap<>();
    names.forEach((regex, type) -> patterns.put(Pattern.compile("(" + regex + ")(_\\d+)?"), type));
    return Collections.unmodifiableMap(patterns);
  }
}
