package io.jouleflow.launcher.graph;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;

/**
 * Where a graph without a signature (a GraphDef {@code .pb}) begins and ends.
 *
 * <p><b>Inputs</b> are the {@code Placeholder} ops nothing feeds: without control inputs, and not
 * the saver's file name ({@code save/...}, {@code saver_filename}). A {@code
 * PlaceholderWithDefault} is no input: it has a value of its own.
 *
 * <p><b>Outputs</b> are the ops with at least one output that no op consumes, neither by data nor
 * by a control edge (something that waits for an op does not make it a result), except ops that
 * hold state or do bookkeeping: {@code NoOp}, {@code Const}, placeholders, variables ({@code
 * VariableV2}, {@code VarHandleOp}, ...), assignments ({@code Assign*}), saving and restoring
 * ({@code SaveV2}, {@code RestoreV2}, ..., and anything under {@code save/}).
 *
 * <p>Both in graph order (the order the ops were added).
 */
final class GraphEnds {

  private static final Set<String> BOOKKEEPING = Set.of(
      "NoOp", "Const", "Placeholder", "PlaceholderWithDefault",
      "Variable", "VariableV2", "VarHandleOp", "VarIsInitializedOp",
      "Save", "SaveV2", "SaveSlices", "Restore", "RestoreV2", "RestoreSlice",
      "MergeV2Checkpoints");

  private GraphEnds() {}

  static List<GraphOperation> inputs(Graph graph) {
    List<GraphOperation> inputs = new ArrayList<>();
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      if (op.type().equals("Placeholder")
          && op.numInputs() == 0
          && op.numControlInputs() == 0
          && !isSaver(op.name())) {
        inputs.add(op);
      }
    }
    return inputs;
  }

  static List<GraphOperation> outputs(Graph graph) {
    List<GraphOperation> outputs = new ArrayList<>();
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      if (op.numOutputs() > 0
          && op.numConsumers() == 0
          && op.numControlConsumers() == 0
          && !BOOKKEEPING.contains(op.type())
          && !op.type().startsWith("Assign")
          && !isSaver(op.name())) {
        outputs.add(op);
      }
    }
    return outputs;
  }

  private static boolean isSaver(String name) {
    return name.startsWith("save/") || name.equals("saver_filename");
  }
}
