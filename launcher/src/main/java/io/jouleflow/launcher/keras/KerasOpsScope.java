package io.jouleflow.launcher.keras;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.DeviceSpec;
import org.tensorflow.ExecutionEnvironment;
import org.tensorflow.Graph;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.op.Scope;

/**
 * A name scope for building a Keras model's graph. TF Java's own scope reads every operation of the
 * graph back each time a sub-scope opens (to learn the names in use), which makes a 300-layer model
 * take seconds to build; this scope keeps the names it hands out itself, so it must be the only
 * source of names in its graph.
 *
 * <p>Op names and sub-scope names are counted apart, as in Python TensorFlow: an op {@code
 * conv2d/kernel} and the scope {@code conv2d/kernel/} of its initializer may coexist, and so may
 * {@code separable_conv2d/separable_conv2d} and {@code
 * separable_conv2d/separable_conv2d/depthwise}.
 */
final class KerasOpsScope implements Scope {

  /** The names used directly below one prefix. */
  private static final class Names {
    final Map<String, Integer> ops = new HashMap<>();
    final Map<String, Integer> scopes = new HashMap<>();

    static String unique(Map<String, Integer> used, String name) {
      Integer count = used.get(name);
      if (count == null) {
        used.put(name, 1);
        return name;
      }
      used.put(name, count + 1);
      return name + "_" + count;
    }
  }

  private final Graph graph;
  private final String prefix;
  private final String opName;
  private final Names names;
  private final boolean init;
  private final List<Operation> controls;
  private final String device;

  private KerasOpsScope(
      Graph graph,
      String prefix,
      String opName,
      Names names,
      boolean init,
      List<Operation> controls,
      String device) {
    this.graph = graph;
    this.prefix = prefix;
    this.opName = opName;
    this.names = names;
    this.init = init;
    this.controls = controls;
    this.device = device;
  }

  /** The top-level scope of {@code graph}, which must be empty. */
  static KerasOpsScope root(Graph graph) {
    return new KerasOpsScope(graph, "", null, new Names(), false, List.of(), "");
  }

  @Override
  public ExecutionEnvironment env() {
    return graph;
  }

  @Override
  public KerasOpsScope withSubScope(String childScopeName) {
    checkName(childScopeName);
    String child = Names.unique(names.scopes, opName != null ? opName : childScopeName);
    return new KerasOpsScope(graph, qualify(child), null, new Names(), init, controls, device);
  }

  @Override
  public KerasOpsScope withName(String name) {
    checkName(name);
    return new KerasOpsScope(graph, prefix, name, names, init, controls, device);
  }

  @Override
  public KerasOpsScope withNameAsSubScope(String defaultName) {
    return withSubScope(opName != null ? opName : defaultName);
  }

  @Override
  public KerasOpsScope withDevice(DeviceSpec newDevice) {
    return new KerasOpsScope(graph, prefix, opName, names, init, controls, newDevice.toString());
  }

  @Override
  public KerasOpsScope withInitScope() {
    return new KerasOpsScope(graph, prefix, opName, names, true, List.of(), device);
  }

  @Override
  public String makeOpName(String defaultName) {
    String name = opName != null ? opName : defaultName;
    checkName(name);
    return qualify(Names.unique(names.ops, name));
  }

  @Override
  public String makeUnique(String id) {
    return Names.unique(names.ops, id);
  }

  /** Nothing to do: every name in the graph was handed out by this scope's tree. */
  @Override
  public void refreshNames() {}

  @Override
  public KerasOpsScope withControlDependencyOps(Iterable<Operation> ops) {
    List<Operation> kept = new ArrayList<>();
    for (Operation op : ops) {
      graph.checkInput(op);
      if (init && !graph.isInitializer(op)) {
        throw new IllegalArgumentException("Init scope can not have non-init control dependency.");
      }
      if (init || !graph.isInitializer(op)) {
        kept.add(op);
      }
    }
    return new KerasOpsScope(graph, prefix, opName, names, init, List.copyOf(kept), device);
  }

  @Override
  public OperationBuilder apply(OperationBuilder builder) {
    if (!device.isEmpty()) {
      builder.setDevice(device);
    }
    for (Operation control : controls) {
      builder.addControlInput(control);
    }
    return builder;
  }

  @Override
  public String getDeviceString() {
    return device;
  }

  @Override
  public boolean isInit() {
    return init;
  }

  private String qualify(String name) {
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  private static void checkName(String name) {
    if (!Scope.isValidOpName(name)) {
      throw new IllegalArgumentException("not a valid TensorFlow name: '" + name + "'");
    }
  }
}
