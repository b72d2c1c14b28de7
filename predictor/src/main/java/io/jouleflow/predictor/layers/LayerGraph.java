package io.jouleflow.predictor.layers;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The layers of one model graph in topological order, and which static node belongs to which layer.
 * Nodes that belong to no layer (saving and restoring under {@code save/}, initialisers, {@code
 * NoOp}s, constants nothing computes with) are overhead: at run time their time goes to the
 * pseudo-layer {@link #UNATTRIBUTED}. Immutable; built by {@link LayerDetector}.
 */
public final class LayerGraph {

  /** The pseudo-layer (type {@link LayerType#OVERHEAD}) for work that belongs to no layer. */
  public static final String UNATTRIBUTED = "_unattributed";

  /** What runtime mapping needs to know of a static node. */
  record StaticNode(String op, List<String> dataInputs) {}

  private final List<Layer> layers;
  private final Map<String, Layer> byId = new LinkedHashMap<>();
  private final Map<String, String> layerOfNode;
  private final Map<String, StaticNode> nodes;
  private final String scopePrefix;
  private final Set<String> scopeLayers;
  private final Map<String, List<String>> producers;

  LayerGraph(
      List<Layer> layers,
      Map<String, String> layerOfNode,
      Map<String, StaticNode> nodes,
      String scopePrefix,
      Set<String> scopeLayers) {
    this(layers, layerOfNode, nodes, scopePrefix, scopeLayers, null);
  }

  /** @param producers each layer's producer layers; null to derive them from the static nodes */
  LayerGraph(
      List<Layer> layers,
      Map<String, String> layerOfNode,
      Map<String, StaticNode> nodes,
      String scopePrefix,
      Set<String> scopeLayers,
      Map<String, List<String>> producers) {
    this.layers = List.copyOf(layers);
    for (Layer layer : this.layers) {
      byId.put(layer.id(), layer);
    }
    this.layerOfNode = Map.copyOf(layerOfNode);
    this.nodes = Map.copyOf(nodes);
    this.scopePrefix = scopePrefix;
    this.scopeLayers = Set.copyOf(scopeLayers);
    this.producers = producers != null ? Map.copyOf(producers) : producersOf(this.nodes, this.layerOfNode);
  }

  /** Layer-level edges from node-level ones: the other layers whose nodes a layer's nodes read. */
  private static Map<String, List<String>> producersOf(
      Map<String, StaticNode> nodes, Map<String, String> layerOfNode) {
    Map<String, Set<String>> edges = new LinkedHashMap<>();
    nodes.forEach((name, node) -> {
      String layer = layerOfNode.get(name);
      if (layer == null) {
        return;
      }
      for (String input : node.dataInputs()) {
        String from = layerOfNode.get(input);
        if (from != null && !from.equals(layer)) {
          edges.computeIfAbsent(layer, k -> new LinkedHashSet<>()).add(from);
        }
      }
    });
    Map<String, List<String>> out = new LinkedHashMap<>();
    edges.forEach((layer, from) -> out.put(layer, List.copyOf(from)));
    return out;
  }

  /** The layers whose output {@code layerId} reads (empty for inputs and unknown ids). */
  public List<String> producers(String layerId) {
    return producers.getOrDefault(layerId, List.of());
  }

  /** The layers that read {@code layerId}'s output. */
  public List<String> consumers(String layerId) {
    List<String> out = new ArrayList<>();
    producers.forEach((layer, from) -> {
      if (from.contains(layerId)) {
        out.add(layer);
      }
    });
    return out;
  }

  /** The same graph with each layer replaced by {@code replace}'s (same ids, same order). */
  LayerGraph withLayers(UnaryOperator<Layer> replace) {
    return new LayerGraph(layers.stream().map(replace).toList(), layerOfNode, nodes, scopePrefix,
        scopeLayers, producers);
  }

  /**
   * Layers found outside a TensorFlow graph (a Keras architecture): each layer's nodes map to it,
   * and every layer counts as a scope layer.
   */
  public static LayerGraph of(List<Layer> layers) {
    return of(layers, Map.of());
  }

  /**
   * As {@link #of(List)}, with the layer-level edges (a Keras layer's inbound layers).
   *
   * @param producers each layer's producer layer ids
   */
  public static LayerGraph of(List<Layer> layers, Map<String, List<String>> producers) {
    Map<String, String> layerOfNode = new LinkedHashMap<>();
    Set<String> ids = new LinkedHashSet<>();
    for (Layer layer : layers) {
      ids.add(layer.id());
      for (String node : layer.nodes()) {
        layerOfNode.put(node, layer.id());
      }
    }
    return new LayerGraph(layers, layerOfNode, Map.of(), "", ids, producers);
  }

  /** A graph without layers. */
  static LayerGraph empty() {
    return new LayerGraph(List.of(), Map.of(), Map.of(), "", Set.of());
  }

  /** The layers, producers before consumers. */
  public List<Layer> layers() {
    return layers;
  }

  /** The number of layers. */
  public int size() {
    return layers.size();
  }

  /** The layer with this id. */
  public Optional<Layer> layer(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** The layer a static node belongs to; empty for overhead nodes and unknown names. */
  public Optional<Layer> layerOfNode(String staticNodeName) {
    String id = layerOfNode.get(staticNodeName);
    return id == null ? Optional.empty() : Optional.of(byId.get(id));
  }

  /** Whether the static graph has a node of this name (in a layer or not). */
  public boolean containsNode(String staticNodeName) {
    return nodes.containsKey(staticNodeName);
  }

  /**
   * The outer scope shared by every scoped node that was stripped before reading layer scopes
   * ({@code model/}, {@code StatefulPartitionedCall/model/}); empty if none.
   */
  public String scopePrefix() {
    return scopePrefix;
  }

  /** Layer counts by type, in {@link LayerType} order; handy for logs and tests. */
  public Map<LayerType, Integer> countByType() {
    Map<LayerType, Integer> counts = new EnumMap<>(LayerType.class);
    for (Layer layer : layers) {
      counts.merge(layer.type(), 1, Integer::sum);
    }
    return counts;
  }

  String layerIdOfNode(String staticNodeName) {
    return layerOfNode.get(staticNodeName);
  }

  StaticNode node(String staticNodeName) {
    return nodes.get(staticNodeName);
  }

  /** The scope layer a (static or runtime) name lies in, if its scope is one; else null. */
  String scopeLayerOf(String name) {
    if (!name.startsWith(scopePrefix)) {
      return null;
    }
    String rest = name.substring(scopePrefix.length());
    int slash = rest.indexOf('/');
    if (slash <= 0) {
      return null;
    }
    String scope = rest.substring(0, slash);
    return scopeLayers.contains(scope) ? scope : null;
  }

  @Override
  public String toString() {
    Map<String, String> summary = new LinkedHashMap<>();
    for (Layer layer : layers) {
      summary.put(layer.id(), layer.type().label());
    }
    return "LayerGraph" + summary;
  }

  static Map<String, StaticNode> nodesOf(GraphIndex index) {
    Map<String, StaticNode> nodes = new HashMap<>();
    for (String name : index.order()) {
      List<String> data = index.dataInputs(name).stream().map(GraphIndex.Ref::node).toList();
      nodes.put(name, new StaticNode(index.op(name), data));
    }
    return nodes;
  }
}
