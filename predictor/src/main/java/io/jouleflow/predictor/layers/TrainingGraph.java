package io.jouleflow.predictor.layers;

import io.jouleflow.predictor.layers.GraphIndex.Ref;
import io.jouleflow.predictor.layers.GraphIndex.Use;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * The training part of a graph: the backward pass, the optimizer's updates and the loss, told
 * apart from the model's forward layers, so a training step's time goes to the layers it trains
 * instead of to made-up layers ({@code gradients}, {@code Adam_94}).
 *
 * <ul>
 *   <li><b>Backward</b>: nodes under a {@code gradients/} (or {@code gradients_N/}) scope. Each is
 *       mapped to the forward node it differentiates: by name where TensorFlow's Python naming
 *       says it ({@code gradients/conv2d_1/Conv2D_grad/Conv2DBackpropInput} → {@code
 *       conv2d_1/Conv2D}); else by structure, since TF Java's {@code Graph.addGradients} names
 *       them flat ({@code gradients/Conv2DBackpropInput}): among the forward nodes it reads and
 *       their forward consumers, the one whose op its op derives from ({@code Conv2DBackprop*} →
 *       {@code Conv2D}, {@code ReluGrad} → {@code Relu}, {@code MaxPoolGradV2} → {@code
 *       MaxPoolV2}, {@code MatMul} → {@code MatMul}); else the forward node it reads first; else
 *       the answer for the backward node it reads (the gradient flows through one layer's
 *       helpers).
 *   <li><b>Optimizer</b>: update ops ({@code ApplyAdam}, {@code ResourceApplyAdam}, ...), what
 *       runs after the backward pass or an update (beta power updates, the {@code minimize}
 *       NoOp), and what only those use (slot variables, learning-rate constants).
 *   <li><b>Loss</b>: forward nodes computed from a labels placeholder — a placeholder that feeds
 *       no convolution or matrix product — such as one-hot labels, cross entropy, their mean.
 * </ul>
 */
public final class TrainingGraph {

  /** What a static node is for. */
  public enum Role { FORWARD, BACKWARD, OPTIMIZER }

  private static final Pattern GRADIENT_SCOPE = Pattern.compile("gradients(_\\d+)?");
  private static final Pattern GRAD_SEGMENT = Pattern.compile("^(.+?)_grad(/|$)");
  // Precompiled: every node of every traced run is asked whether it is an optimizer op.
  private static final Pattern ONEDNN_PREFIX = Pattern.compile("^_(Mkl)?(Native)?");
  private static final Set<String> WEIGHTED = Set.of(
      "Conv2D", "Conv3D", "DepthwiseConv2dNative", "MatMul", "BatchMatMul", "BatchMatMulV2",
      "BatchMatMulV3", "Conv2DBackpropInput", "Conv3DBackpropInputV2");

  private final GraphIndex index;
  private final Map<String, Role> roles = new HashMap<>();
  private final Map<String, String> differentiated = new HashMap<>();
  private final Set<String> loss = new HashSet<>();
  private final Map<String, List<String>> consumers = new HashMap<>(); // data and control
  private final GraphDef forward;

  private TrainingGraph(GraphDef def) {
    this.index = new GraphIndex(def);
    for (NodeDef n : def.getNodeList()) {
      for (String in : n.getInputList()) {
        consumers.computeIfAbsent(producer(in), k -> new ArrayList<>()).add(n.getName());
      }
    }
    classify();
    if (roles.isEmpty()) {
      forward = def;
      return;
    }
    GraphDef.Builder b = def.toBuilder().clearNode();
    for (NodeDef n : def.getNodeList()) {
      if (!roles.containsKey(n.getName())) {
        b.addNode(n);
      }
    }
    forward = b.build();
    for (String name : index.order()) {
      if (roles.get(name) == Role.BACKWARD) {
        differentiated.put(name, differentiate(name));
      }
    }
    findLoss();
  }

  /** The training part of {@code def} (none for an inference graph). */
  public static TrainingGraph of(GraphDef def) {
    return new TrainingGraph(def);
  }

  /** Whether the graph holds a backward pass or optimizer updates. */
  public boolean isTraining() {
    return !roles.isEmpty();
  }

  /** The graph without its backward and optimizer nodes: the model's layers are found in it. */
  public GraphDef forward() {
    return forward;
  }

  /** The role of a static node; forward for names the graph does not hold. */
  public Role role(String staticName) {
    return roles.getOrDefault(staticName, Role.FORWARD);
  }

  /** The forward node a backward node differentiates, or null when none could be told. */
  public String differentiated(String backwardNode) {
    return differentiated.get(backwardNode);
  }

  /** Whether a forward node computes the loss (from the labels) rather than the model. */
  public boolean isLoss(String staticName) {
    return loss.contains(staticName);
  }

  /** Whether a node name lies in a gradients scope ({@code gradients/}, {@code gradients_2/}). */
  public static boolean isBackwardName(String name) {
    int slash = name.indexOf('/');
    return slash > 0 && GRADIENT_SCOPE.matcher(name.substring(0, slash)).matches();
  }

  /**
   * The forward op a backward name says it differentiates ({@code
   * gradients/conv2d_1/Conv2D_grad/Conv2DBackpropInput} → {@code conv2d_1/Conv2D}), or null when
   * the name does not say (TF Java's flat names).
   */
  public static String forwardOfName(String backwardName) {
    if (!isBackwardName(backwardName)) {
      return null;
    }
    Matcher m = GRAD_SEGMENT.matcher(backwardName.substring(backwardName.indexOf('/') + 1));
    return m.find() ? m.group(1) : null;
  }

  /** Optimizer update ops: {@code ApplyAdam}, {@code ResourceApplyAdam}, sparse variants. */
  public static boolean isOptimizerOp(String opType) {
    String op = ONEDNN_PREFIX.matcher(opType).replaceFirst(""); // oneDNN's renamed kernels
    return op.startsWith("Apply") || op.startsWith("ResourceApply")
        || op.startsWith("SparseApply") || op.startsWith("ResourceSparseApply");
  }

  /** Op types only a backward pass runs ({@code ReluGrad}, {@code Conv2DBackpropFilter}). */
  public static boolean isGradientOp(String opType) {
    return opType.contains("Grad") || opType.contains("Backprop");
  }

  private void classify() {
    List<String> order = index.order();
    for (String name : order) {
      if (isBackwardName(name)) {
        roles.put(name, Role.BACKWARD);
      } else if (isOptimizerOp(index.op(name)) || fedByTraining(name)) {
        roles.put(name, Role.OPTIMIZER);
      }
    }
    if (roles.isEmpty()) {
      return;
    }
    // What only training nodes (and initialisers) use is optimizer state: slots, learning rates,
    // beta power updates. Values the backward pass reads, and what they come from, are the
    // forward pass's, even where only training nodes consume them (the loss).
    Set<String> forwardValues = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>();
    roles.forEach((name, role) -> {
      if (role == Role.BACKWARD) {
        index.inputs(name).forEach(in -> todo.push(in.node()));
      }
    });
    while (!todo.isEmpty()) {
      String name = todo.pop();
      if (!roles.containsKey(name) && forwardValues.add(name)) {
        index.inputs(name).forEach(in -> todo.push(in.node()));
      }
    }
    for (int i = order.size() - 1; i >= 0; i--) {
      String name = order.get(i);
      if (!roles.containsKey(name) && !forwardValues.contains(name) && onlyFeedsTraining(name)) {
        roles.put(name, Role.OPTIMIZER);
      }
    }
  }

  /** Whether a node reads (data or control) a backward or optimizer node: runs after them. */
  private boolean fedByTraining(String name) {
    for (String in : index.node(name).getInputList()) {
      if (roles.containsKey(producer(in))) {
        return true;
      }
    }
    return false;
  }

  /** The node an input names: {@code ^name}, {@code name:1} → {@code name}. */
  private static String producer(String input) {
    return input.startsWith("^") ? input.substring(1) : Ref.parse(input).node();
  }

  private boolean onlyFeedsTraining(String name) {
    boolean any = false;
    for (String consumer : consumers.getOrDefault(name, List.of())) {
      if (roles.containsKey(consumer)) {
        any = true;
      } else if (!index.isOverhead(consumer)) {
        return false;
      }
    }
    return any;
  }

  private String differentiate(String name) {
    String byName = forwardOfName(name);
    if (byName != null && index.contains(byName)) {
      return byName;
    }
    String op = base(index.op(name));
    String best = null;
    String firstRead = null;
    String viaBackward = null;
    for (Ref in : index.inputs(name)) {
      String producer = in.node();
      if (roles.get(producer) == Role.BACKWARD) {
        if (viaBackward == null) {
          viaBackward = differentiated.get(producer);
        }
        continue;
      }
      if (roles.containsKey(producer) || index.isOverhead(producer)) {
        continue;
      }
      if (firstRead == null && !index.isAuxiliary(producer)) {
        firstRead = producer;
      }
      best = better(best, producer, op);
      for (Use use : index.uses(producer)) {
        if (!roles.containsKey(use.consumer())) {
          best = better(best, use.consumer(), op);
        }
      }
    }
    return best != null ? best : firstRead != null ? firstRead : viaBackward;
  }

  /** The candidate whose op the backward op derives from, the longest such op winning. */
  private String better(String current, String candidate, String backwardOp) {
    String op = base(index.op(candidate));
    if (op.isEmpty() || !backwardOp.startsWith(op)) {
      return current;
    }
    return current == null || base(index.op(current)).length() < op.length() ? candidate : current;
  }

  /** {@code MaxPoolGradV2} → {@code MaxPoolGrad}: versions do not change what is differentiated. */
  private static String base(String op) {
    return op.replaceFirst("V\\d+$", "");
  }

  /** Forward nodes computed from a placeholder that feeds no weighted op: the labels' loss. */
  private void findLoss() {
    for (String name : index.order()) {
      if (OpKind.INPUTS.contains(index.op(name)) && !roles.containsKey(name)
          && !reachesWeighted(name)) {
        Deque<String> todo = new ArrayDeque<>(List.of(name));
        while (!todo.isEmpty()) {
          for (Use use : index.uses(todo.pop())) {
            String c = use.consumer();
            if (!roles.containsKey(c) && !index.isOverhead(c) && loss.add(c)) {
              todo.push(c);
            }
          }
        }
      }
    }
  }

  private boolean reachesWeighted(String start) {
    Set<String> seen = new HashSet<>(List.of(start));
    Deque<String> todo = new ArrayDeque<>(seen);
    while (!todo.isEmpty()) {
      for (Use use : index.uses(todo.pop())) {
        String c = use.consumer();
        if (roles.containsKey(c)) {
          continue;
        }
        if (WEIGHTED.contains(index.op(c))) {
          return true;
        }
        if (seen.add(c)) {
          todo.push(c);
        }
      }
    }
    return false;
  }
}
