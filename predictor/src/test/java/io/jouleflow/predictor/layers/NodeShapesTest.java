package io.jouleflow.predictor.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.AllocationDescription;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.NodeOutput;
import org.tensorflow.proto.StepStats;
import org.tensorflow.proto.TensorDescription;

class NodeShapesTest {

  @Test
  void mapBackedShapesAreCopiedAndUnknownIsNull() {
    long[] shape = {-1, 4};
    List<long[]> outputs = new ArrayList<>();
    outputs.add(shape);
    outputs.add(null);
    Map<String, List<long[]>> map = new HashMap<>(Map.of("x", outputs));
    NodeShapes shapes = NodeShapes.of(map);
    shape[1] = 99;
    map.clear();

    assertThat(shapes.outputShape("x", 0)).containsExactly(-1, 4);
    assertThat(shapes.outputShape("x", 1)).isNull();
    assertThat(shapes.outputShape("x", 2)).isNull();
    assertThat(shapes.outputShape("y", 0)).isNull();
    assertThat(NodeShapes.none().outputShape("x", 0)).isNull();
  }

  @Test
  void withBatchReplacesOnlyAnUnknownFirstDimension() {
    NodeShapes shapes =
        NodeShapes.of(
                Map.of(
                    "a", List.of(new long[] {-1, 3, -1}),
                    "b", List.of(new long[] {3, 3}),
                    "c", List.of(new long[] {})))
            .withBatch(8);
    assertThat(shapes.outputShape("a", 0)).containsExactly(8, 3, -1);
    assertThat(shapes.outputShape("b", 0)).containsExactly(3, 3);
    assertThat(shapes.outputShape("c", 0)).isEmpty();
    assertThat(shapes.outputShape("d", 0)).isNull();
    assertThatThrownBy(() -> NodeShapes.none().withBatch(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void orElseFallsBackWhereUnknown() {
    NodeShapes first = NodeShapes.of(Map.of("a", List.of(new long[] {1})));
    NodeShapes second =
        NodeShapes.of(Map.of("a", List.of(new long[] {2}), "b", List.of(new long[] {3})));
    NodeShapes both = first.orElse(second);
    assertThat(both.outputShape("a", 0)).containsExactly(1);
    assertThat(both.outputShape("b", 0)).containsExactly(3);
  }

  @Test
  void stepStatsGiveRuntimeShapesAndArgumentsNameTheirPlaceholder() {
    StepStats stats =
        StepStats.newBuilder()
            .addDevStats(
                DeviceStepStats.newBuilder()
                    .setDevice("/job:localhost/replica:0/task:0/device:CPU:0")
                    .addNodeStats(node("_arg_input_0_0", 0, 4, 16, 16, 3))
                    .addNodeStats(node("conv2d/Relu", 0, 4, 16, 16, 8))
                    .addNodeStats(node("bn/FusedBatchNormV3", 2, 8)))
            .build();
    NodeShapes shapes = NodeShapes.fromStepStats(stats);
    assertThat(shapes.outputShape("input", 0)).containsExactly(4, 16, 16, 3);
    assertThat(shapes.outputShape("_arg_input_0_0", 0)).containsExactly(4, 16, 16, 3);
    assertThat(shapes.outputShape("conv2d/Relu", 0)).containsExactly(4, 16, 16, 8);
    assertThat(shapes.outputShape("bn/FusedBatchNormV3", 0)).isNull();
    assertThat(shapes.outputShape("bn/FusedBatchNormV3", 2)).containsExactly(8);
  }

  private static NodeExecStats node(String name, int slot, long... dims) {
    return NodeExecStats.newBuilder()
        .setNodeName(name)
        .addOutput(
            NodeOutput.newBuilder()
                .setSlot(slot)
                .setTensorDescription(
                    TensorDescription.newBuilder()
                        .setShape(GraphDefs.shape(dims))
                        .setAllocationDescription(AllocationDescription.getDefaultInstance())))
        .build();
  }
}
