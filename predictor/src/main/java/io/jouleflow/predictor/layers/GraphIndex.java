package io.jouleflow.predictor.layers;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.regex.Pattern;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * A GraphDef indexed for layer detection: data inputs and consumers of each node, a topological
 * order, and which nodes are overhead (saving, initialisation) or auxiliary (weights, their reads,
 * shape computations: nodes that compute nothing from the model's input).
 */
final class GraphIndex {

  /** Output {@code output} of node {@code node}, as a NodeDef input names it. */
  record Ref(String node, int output) {

    /** Parses {@code name}, {@code name:2}; null for a control input {@code ^name}. */
    static Ref parse(String input) {
      if (input.startsWith("^")) {
        return null;
      }
      int colon = input.lastIndexOf(':');
      if (colon > 0) {
        String index = input.substring(colon + 1);
        if (!index.isEmpty() && index.chars().allMatch(Character::isDigit)) {
          return new Ref(input.substring(0, colon), Integer.parseInt(index));
        }
      }
      return new Ref(input, 0);
    }
  }

  /** Node {@code consumer} reads output {@code output} of a node as its input {@code position}. */
  record Use(String consumer, int position, int output) {}

  private static final Pattern SAVER_SCOPE = Pattern.compile("save(_\\d+)?");

  private final Map<String, NodeDef> nodes = new LinkedHashMap<>();
  private final Map<String, List<Ref>> inputs = new HashMap<>();
  private final Map<String, List<Use>> uses = new HashMap<>();
  private final List<String> order;
  private final Map<String, Integer> position = new HashMap<>();
  private final Set<String> overhead = new HashSet<>();
  private final Set<String> auxiliary = new HashSet<>();

  GraphIndex(GraphDef graph) {
    for (NodeDef node : graph.getNodeList()) {
      nodes.putIfAbsent(node.getName(), node);
    }
    for (NodeDef node : nodes.values()) {
      List<Ref> refs = new ArrayList<>();
      for (int i = 0; i < node.getInputCount(); i++) {
        Ref ref = Ref.parse(node.getInput(i));
        if (ref != null) {
          refs.add(ref);
          uses.computeIfAbsent(ref.node(), n -> new ArrayList<>())
              .add(new Use(node.getName(), refs.size() - 1, ref.output()));
        }
      }
      inputs.put(node.getName(), List.copyOf(refs));
    }
    order = topologicalOrder();
    for (int i = 0; i < order.size(); i++) {
      position.put(order.get(i), i);
    }
    for (String name : order) {
      NodeDef node = nodes.get(name);
      if (isOverheadByItself(node)) {
        overhead.add(name);
      } else if (isAuxiliaryGiven(node)) {
        auxiliary.add(name);
      }
    }
  }

  /** Kahn's algorithm over data and control edges; ties and cycles keep the GraphDef order. */
  private List<String> topologicalOrder() {
    Map<String, Integer> index = new HashMap<>();
    List<String> names = new ArrayList<>(nodes.keySet());
    for (int i = 0; i < names.size(); i++) {
      index.put(names.get(i), i);
    }
    Map<String, Integer> pending = new HashMap<>();
    Map<String, List<String>> successors = new HashMap<>();
    for (NodeDef node : nodes.values()) {
      Set<String> predecessors = new HashSet<>();
      for (String input : node.getInputList()) {
        String producer = input.startsWith("^") ? input.substring(1) : Ref.parse(input).node();
        if (nodes.containsKey(producer) && !producer.equals(node.getName())) {
          predecessors.add(producer);
        }
      }
      pending.put(node.getName(), predecessors.size());
      for (String p : predecessors) {
        successors.computeIfAbsent(p, n -> new ArrayList<>()).add(node.getName());
      }
    }
    PriorityQueue<String> ready = new PriorityQueue<>((a, b) -> index.get(a) - index.get(b));
    pending.forEach(
        (name, count) -> {
          if (count == 0) {
            ready.add(name);
          }
        });
    List<String> sorted = new ArrayList<>(names.size());
    Set<String> done = new HashSet<>();
    while (sorted.size() < names.size()) {
      if (ready.isEmpty()) {
        // A cycle (a while loop): release the earliest node still waiting.
        for (String name : names) {
          if (!done.contains(name)) {
            ready.add(name);
            break;
          }
        }
      }
      String next = ready.poll();
      if (!done.add(next)) {
        continue;
      }
      sorted.add(next);
      for (String s : successors.getOrDefault(next, List.of())) {
        int left = pending.merge(s, -1, Integer::sum);
        if (left == 0 && !done.contains(s)) {
          ready.add(s);
        }
      }
    }
    return Collections.unmodifiableList(sorted);
  }

  private static boolean isOverheadByItself(NodeDef node) {
    if (OpKind.OVERHEAD_OPS.contains(node.getOp())) {
      return true;
    }
    int slash = node.getName().indexOf('/');
    return slash > 0 && SAVER_SCOPE.matcher(node.getName().substring(0, slash)).matches();
  }

  /** Called in topological order: the producers are already classified. */
  private boolean isAuxiliaryGiven(NodeDef node) {
    String op = node.getOp();
    if (OpKind.WEIGHT_SOURCES.contains(op) || OpKind.SHAPE_OPS.contains(op)) {
      return true;
    }
    if (OpKind.INPUTS.contains(op)) {
      return false;
    }
    List<Ref> refs = inputs.get(node.getName());
    if (refs.isEmpty()) {
      return false;
    }
    for (Ref ref : refs) {
      if (!auxiliary.contains(ref.node())) {
        return false;
      }
    }
    return true;
  }

  List<String> order() {
    return order;
  }

  int position(String name) {
    return position.getOrDefault(name, Integer.MAX_VALUE);
  }

  NodeDef node(String name) {
    return nodes.get(name);
  }

  boolean contains(String name) {
    return nodes.containsKey(name);
  }

  String op(String name) {
    NodeDef node = nodes.get(name);
    return node == null ? "" : node.getOp();
  }

  List<Ref> inputs(String name) {
    return inputs.getOrDefault(name, List.of());
  }

  List<Use> uses(String name) {
    return uses.getOrDefault(name, List.of());
  }

  /** Saving, restoring, initialisation and no-ops: never part of a layer. */
  boolean isOverhead(String name) {
    return overhead.contains(name);
  }

  /**
   * Weights, variables, their reads and anything computed only from them or from shapes: such a
   * node belongs to the layer that consumes it.
   */
  boolean isAuxiliary(String name) {
    return auxiliary.contains(name);
  }

  /** A node that computes on the model's data: neither overhead nor auxiliary. */
  boolean isCompute(String name) {
    return nodes.containsKey(name) && !overhead.contains(name) && !auxiliary.contains(name);
  }

  /** Data inputs whose producer is not auxiliary (a missing producer counts as data). */
  List<Ref> dataInputs(String name) {
    List<Ref> data = new ArrayList<>();
    for (Ref ref : inputs(name)) {
      if (!auxiliary.contains(ref.node())) {
        data.add(ref);
      }
    }
    return data;
  }

  /** The first data input, the one an element-wise op passes its shape on from; null if none. */
  Ref mainInput(String name) {
    List<Ref> data = dataInputs(name);
    return data.isEmpty() ? null : data.get(0);
  }

  /** Distinct compute nodes that read any output of {@code name}. */
  List<String> computeConsumers(String name) {
    List<String> consumers = new ArrayList<>();
    for (Use use : uses(name)) {
      if (isCompute(use.consumer()) && !consumers.contains(use.consumer())) {
        consumers.add(use.consumer());
      }
    }
    return consumers;
  }

  /** The node a chain of pass-through reads ({@code Identity}, ...) of {@code ref} starts at. */
  NodeDef source(Ref ref) {
    Deque<String> seen = new ArrayDeque<>();
    NodeDef node = nodes.get(ref.node());
    while (node != null
        && OpKind.READS.contains(node.getOp())
        && !inputs(node.getName()).isEmpty()
        && seen.size() < 16) {
      seen.push(node.getName());
      node = nodes.get(inputs(node.getName()).get(0).node());
    }
    return node;
  }
}
