package io.jouleflow.launcher.keras;

import static io.jouleflow.launcher.keras.KerasGraphBuilderTest.input;
import static io.jouleflow.launcher.keras.KerasGraphBuilderTest.layer;
import static io.jouleflow.launcher.keras.KerasGraphBuilderTest.sequential;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.launcher.keras.KerasGraphBuilder.BuiltModel;
import io.jouleflow.launcher.keras.KerasGraphBuilder.UnsupportedLayerException;
import io.jouleflow.predictor.keras.KerasImport;
import io.jouleflow.predictor.keras.KerasLayers;
import io.jouleflow.predictor.keras.KerasModel;
import io.jouleflow.predictor.layers.Layer;
import io.jouleflow.predictor.layers.LayerDetector;
import io.jouleflow.predictor.layers.LayerGraph;
import io.jouleflow.predictor.layers.LayerType;
import io.jouleflow.predictor.layers.NodeShapes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * The layer classes keras.applications adds (Cropping2D, Normalization, CustomScaleLayer,
 * TFOpLambda) built into real TensorFlow graphs: values against the layers' math, and the graph's
 * detected layer against what the importer predicts from the JSON alone.
 */
class KerasOpsLayersTest {

  @Test
  void cropping2dKeepsTheWindowInsideItsCroppedBorders() {
    KerasModel model =
        sequential(
            new int[] {5, 6, 2},
            layer("cropping2d", "Cropping2D", "{'cropping': [[1, 2], [0, 3]]}"));
    float[] x = ramp(5 * 6 * 2);
    try (BuiltModel built = KerasGraphBuilder.build(model, 1, null, 1)) {
      assertThat(built.outputShapes()).containsExactly(Shape.of(1, 2, 3, 2));
      float[] y = run(built, x);
      for (int h = 0; h < 2; h++) {
        for (int w = 0; w < 3; w++) {
          for (int c = 0; c < 2; c++) {
            assertThat(y[(h * 3 + w) * 2 + c]).isEqualTo(x[((h + 1) * 6 + w) * 2 + c]);
          }
        }
      }
    }
  }

  @Test
  void cropping2dThatLeavesNothingNamesTheLayer() {
    KerasModel model =
        sequential(new int[] {4, 4, 1}, layer("crop", "Cropping2D", "{'cropping': [2, 0]}"));
    assertThatThrownBy(() -> KerasGraphBuilder.build(model, 1, null, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("layer 'crop' (Cropping2D)")
        .hasMessageContaining("leaves nothing");
  }

  @Test
  void normalizationSubtractsTheMeanAndDividesByTheStandardDeviationPerChannel() {
    float[] x = ramp(2 * 3 * 2);
    KerasModel model =
        sequential(
            new int[] {2, 3, 2},
            layer(
                "normalization",
                "Normalization",
                "{'axis': [3], 'mean': [1.0, -2.0], 'variance': [4.0, 0.25], 'invert': false}"));
    float[] mean = {1f, -2f};
    float[] std = {2f, 0.5f};
    try (BuiltModel built = KerasGraphBuilder.build(model, 1, null, 1)) {
      float[] y = run(built, x);
      for (int i = 0; i < x.length; i++) {
        assertThat((double) y[i]).isCloseTo((x[i] - mean[i % 2]) / std[i % 2], within(1e-5));
      }
    }
    KerasModel inverted =
        sequential(
            new int[] {2, 3, 2},
            layer(
                "normalization",
                "Normalization",
                "{'axis': -1, 'mean': [1.0, -2.0], 'variance': [4.0, 0.25], 'invert': true}"));
    try (BuiltModel built = KerasGraphBuilder.build(inverted, 1, null, 1)) {
      float[] y = run(built, x);
      for (int i = 0; i < x.length; i++) {
        assertThat((double) y[i]).isCloseTo(mean[i % 2] + x[i] * std[i % 2], within(1e-5));
      }
    }
  }

  @Test
  void normalizationWithoutStatisticsHasMeanAndVarianceWeightsThatStartAsIdentity() {
    float[] x = ramp(3 * 3 * 4);
    KerasModel model =
        sequential(
            new int[] {3, 3, 4},
            layer("normalization", "Normalization", "{'axis': [3], 'mean': null}"));
    try (BuiltModel built = KerasGraphBuilder.build(model, 1, null, 1)) {
      assertThat(built.graph().operation("normalization/mean")).isNotNull();
      assertThat(built.graph().operation("normalization/variance").output(0).shape())
          .isEqualTo(Shape.of(4));
      assertThat(run(built, x)).containsExactly(x, org.assertj.core.data.Offset.offset(1e-6f));
    }
  }

  @Test
  void customScaleLayerAddsTheSecondInputScaledToTheFirst() {
    KerasModel model =
        new KerasModel(
            "m",
            List.of(
                input("a", "[null, 2, 2, 3]"),
                input("b", "[null, 2, 2, 3]"),
                layer("block35_1", "CustomScaleLayer", "{'scale': 0.17}", "a", "b")),
            List.of("a", "b"),
            List.of("block35_1"));
    float[] a = ramp(12);
    float[] b = new float[12];
    for (int i = 0; i < b.length; i++) {
      b[i] = 10 - 3 * i;
    }
    try (BuiltModel built = KerasGraphBuilder.build(model, 1, null, 1)) {
      float[] y = run(built, a, b);
      for (int i = 0; i < y.length; i++) {
        assertThat((double) y[i]).isCloseTo(a[i] + b[i] * 0.17, within(1e-5));
      }
    }
  }

  @Test
  void tfOpLambdaWithScalarOperandsComputesHardSigmoidAsMobileNetV3Writes() {
    KerasModel model =
        sequential(
            new int[] {4, 4, 2},
            layer(
                "tf.__operators__.add",
                "TFOpLambda",
                "{'function': '__operators__.add', 'call_kwargs': {'y': 3.0, 'name': null}}"),
            layer("re_lu", "ReLU", "{'max_value': 6.0}"),
            layer(
                "tf.math.multiply",
                "TFOpLambda",
                "{'function': 'math.multiply', 'call_kwargs': {'y': 0.16666666666666666}}"));
    float[] x = new float[32];
    for (int i = 0; i < x.length; i++) {
      x[i] = -4.5f + 0.3f * i;
    }
    try (BuiltModel built = KerasGraphBuilder.build(model, 1, null, 1)) {
      assertThat(ops(built.graph()))
          .containsEntry("tf.__operators__.add/AddV2", "AddV2")
          .containsEntry("tf.math.multiply/Mul", "Mul");
      float[] y = run(built, x);
      for (int i = 0; i < x.length; i++) {
        assertThat((double) y[i])
            .isCloseTo(Math.min(6, Math.max(0, x[i] + 3)) / 6, within(1e-6));
      }
    }
  }

  @Test
  void tfOpLambdaOfTwoTensorsAndOfOneFunctionComputeTheirOps() {
    assertBinary("math.multiply", (a, b) -> a * b);
    assertBinary("__operators__.add", (a, b) -> a + b);
    assertBinary("math.subtract", (a, b) -> a - b);
    KerasModel relu6 =
        sequential(new int[] {8}, layer("tf.nn.relu6", "TFOpLambda", "{'function': 'nn.relu6'}"));
    float[] x = {-1f, 0f, 2f, 5.5f, 6f, 7f, 100f, -100f};
    try (BuiltModel built = KerasGraphBuilder.build(relu6, 1, null, 1)) {
      assertThat(run(built, x)).containsExactly(0f, 0f, 2f, 5.5f, 6f, 6f, 6f, 0f);
    }
  }

  @Test
  void tfOpLambdaOfAnUnknownFunctionOrWithoutOperandIsAOneLineUnsupportedLayer() {
    KerasModel unknown =
        sequential(
            new int[] {4},
            layer("tf.linalg.det", "TFOpLambda", "{'function': 'linalg.det'}"));
    assertThatThrownBy(() -> KerasGraphBuilder.build(unknown, 1, null, 1))
        .isInstanceOf(UnsupportedLayerException.class)
        .hasMessageContaining("'tf.linalg.det' (TFOpLambda)")
        .hasMessageContaining("linalg.det")
        .hasMessageContaining("math.multiply")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    KerasModel noOperand =
        sequential(
            new int[] {4}, layer("tf.math.multiply", "TFOpLambda", "{'function': 'math.multiply'}"));
    assertThatThrownBy(() -> KerasGraphBuilder.build(noOperand, 1, null, 1))
        .isInstanceOf(UnsupportedLayerException.class)
        .hasMessageContaining("operand y");
  }

  /**
   * Each new class is one detected layer in the built graph, and the importer predicts its type,
   * anchor op, parameters, FLOPs and output shape from the JSON alone.
   */
  @Test
  void detectedLayersMatchWhatTheImporterPredicts() {
    KerasModel model =
        new KerasModel(
            "m",
            List.of(
                input("input_1", "[null, 9, 9, 4]"),
                layer("normalization", "Normalization", "{'axis': [3], 'mean': null}", "input_1"),
                layer("normalization_1", "Normalization",
                    "{'axis': -1, 'mean': [0.5, 1, 2, 3], 'variance': [1, 2, 3, 4]}",
                    "normalization"),
                layer("cropping2d", "Cropping2D", "{'cropping': [[1, 0], [1, 0]]}",
                    "normalization_1"),
                layer("conv2d", "Conv2D", "{'filters': 4, 'kernel_size': 1}", "cropping2d"),
                layer("block35_1", "CustomScaleLayer", "{'scale': 0.2}", "cropping2d", "conv2d"),
                layer("tf.__operators__.add", "TFOpLambda",
                    "{'function': '__operators__.add', 'call_kwargs': {'y': 3.0}}", "block35_1"),
                layer("tf.math.multiply", "TFOpLambda",
                    "{'function': 'math.multiply', 'call_kwargs': {'y': 0.5}}",
                    "tf.__operators__.add"),
                layer("tf.math.multiply_1", "TFOpLambda", "{'function': 'math.multiply'}",
                    "tf.math.multiply", "conv2d"),
                layer("tf.nn.relu6", "TFOpLambda", "{'function': 'nn.relu6'}",
                    "tf.math.multiply_1")),
            List.of("input_1"),
            List.of("tf.nn.relu6"));
    Map<String, LayerType> types =
        Map.of(
            "normalization", LayerType.NORMALIZATION,
            "normalization_1", LayerType.NORMALIZATION,
            "cropping2d", LayerType.OTHER,
            "block35_1", LayerType.ADD,
            "tf.__operators__.add", LayerType.RESCALING,
            "tf.math.multiply", LayerType.RESCALING,
            "tf.math.multiply_1", LayerType.MULTIPLY,
            "tf.nn.relu6", LayerType.ACTIVATION);
    KerasImport predicted = KerasLayers.toLayerGraph(model, 2, null);
    assertThat(predicted.unknownClasses()).isEmpty();
    try (BuiltModel built = KerasGraphBuilder.build(model, 2, null, 1)) {
      LayerGraph detected = detect(built);
      assertThat(detected.size()).isEqualTo(model.layers().size());
      for (Layer expected : predicted.graph().layers()) {
        String id = expected.id();
        Layer actual = detected.layer(id).orElseThrow();
        assertThat(actual.type()).as(id).isEqualTo(expected.type());
        if (types.containsKey(id)) {
          assertThat(expected.type()).as(id).isEqualTo(types.get(id));
        }
        assertThat(actual.anchorOp()).as(id).isEqualTo(expected.anchorOp());
        assertThat(actual.features().parameters())
            .as(id)
            .isEqualTo(expected.features().parameters());
        assertThat(actual.features().flops()).as(id).isEqualTo(expected.features().flops());
        long[] shape =
            built.graph().operation(built.layerOutputs().get(id)).output(0).shape().asArray();
        assertThat(shape)
            .as(id)
            .containsExactly(
                predicted.outputShapes().get(id).stream().mapToLong(Long::longValue).toArray());
      }
    }
  }

  private static void assertBinary(String function, DoubleBinaryOperator op) {
    KerasModel model =
        new KerasModel(
            "m",
            List.of(
                input("a", "[null, 6]"),
                input("b", "[null, 6]"),
                layer("tf." + function, "TFOpLambda", "{'function': '" + function + "'}", "a",
                    "b")),
            List.of("a", "b"),
            List.of("tf." + function));
    float[] a = {1f, -2f, 3f, 0.5f, 7f, -1f};
    float[] b = {4f, 4f, -2f, 2f, 0f, -3f};
    try (BuiltModel built = KerasGraphBuilder.build(model, 1, null, 1)) {
      float[] y = run(built, a, b);
      for (int i = 0; i < y.length; i++) {
        assertThat((double) y[i]).as(function).isCloseTo(op.applyAsDouble(a[i], b[i]), within(1e-6));
      }
    }
  }

  private static float[] ramp(int n) {
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = 0.25f * i - 1f;
    }
    return values;
  }

  /** Runs the model on {@code inputs} (one per model input, in order); output 0's values. */
  private static float[] run(BuiltModel built, float[]... inputs) {
    List<TFloat32> tensors = new ArrayList<>();
    try (Session session = built.newSession()) {
      Session.Runner runner = session.runner();
      for (int i = 0; i < inputs.length; i++) {
        TFloat32 t = TFloat32.tensorOf(built.inputShapes().get(i), DataBuffers.of(inputs[i]));
        tensors.add(t);
        runner.feed(built.inputNames().get(i), t);
      }
      try (Result result = runner.fetch(built.outputNames().get(0)).run()) {
        TFloat32 y = (TFloat32) result.get(0);
        float[] values = new float[Math.toIntExact(y.shape().size())];
        y.asRawTensor().data().asFloats().read(values);
        return values;
      }
    } finally {
      tensors.forEach(TFloat32::close);
    }
  }

  private static Map<String, String> ops(Graph g) {
    Map<String, String> ops = new HashMap<>();
    for (Iterator<GraphOperation> it = g.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      ops.put(op.name(), op.type());
    }
    return ops;
  }

  private static LayerGraph detect(BuiltModel built) {
    Map<String, List<long[]>> shapes = new HashMap<>();
    for (Iterator<GraphOperation> it = built.graph().operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      List<long[]> outputs = new ArrayList<>();
      for (int i = 0; i < op.numOutputs(); i++) {
        Shape shape = op.output(i).shape();
        outputs.add(shape == null || shape.isUnknown() ? null : shape.asArray());
      }
      shapes.put(op.name(), outputs);
    }
    return LayerDetector.detect(built.graph().toGraphDef(), NodeShapes.of(shapes));
  }
}
