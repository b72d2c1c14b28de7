package io.jouleflow.launcher.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.launcher.keras.KerasGraphBuilder;
import io.jouleflow.launcher.keras.KerasGraphBuilder.BuiltModel;
import io.jouleflow.predictor.keras.KerasImport;
import io.jouleflow.predictor.keras.KerasLayer;
import io.jouleflow.predictor.keras.KerasLayers;
import io.jouleflow.predictor.keras.KerasModel;
import io.jouleflow.predictor.layers.Layer;
import io.jouleflow.predictor.layers.LayerDetector;
import io.jouleflow.predictor.layers.LayerGraph;
import io.jouleflow.predictor.layers.NodeShapes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * Every zoo application builds as a TensorFlow graph at batch 1 and its smallest input, so that
 * every family can be measured. The families that need the classes keras.applications adds
 * (EfficientNet, MobileNetV3, NASNet, InceptionResNetV2) also run, in their smallest member, to a
 * softmax over 1000 classes, and their layers of those classes are detected in the graph as the
 * importer predicts them. One test: TensorFlow loads once. (Running all 23 took 100 s on 2 cores,
 * mostly TensorFlow optimising each graph at its first run; the other families run in collect's and
 * measure's own tests.)
 */
class ZooInTensorFlowTest {

  private static final Set<String> NEW_CLASSES =
      Set.of("Normalization", "Cropping2D", "CustomScaleLayer", "TFOpLambda");

  private static final List<String> RUN =
      List.of("EfficientNetB0", "MobileNetV3Small", "NASNetMobile", "InceptionResNetV2");

  @Test
  void everyZooApplicationBuildsAndTheNewFamiliesRunToAThousandClassSoftmax() {
    List<String> built = new ArrayList<>();
    for (String name : ModelZoo.names()) {
      KerasModel model = ModelZoo.build(name, ModelZoo.minInputSize(name));
      try (BuiltModel graph = KerasGraphBuilder.build(model, 1, null, 7)) {
        assertThat(graph.outputShapes()).as(name).containsExactly(Shape.of(1, 1000));
        boolean usesNewClasses =
            model.layers().stream().anyMatch(l -> NEW_CLASSES.contains(l.className()));
        if (RUN.contains(name)) {
          assertThat(usesNewClasses).as(name).isTrue();
          assertRunsToASoftmax(name, graph);
          assertNewLayersDetectedAsPredicted(name, model, graph);
        }
        built.add(name);
      }
    }
    assertThat(built).hasSize(23).containsExactlyElementsOf(ModelZoo.names());
  }

  private static void assertRunsToASoftmax(String name, BuiltModel graph) {
    try (Session session = graph.newSession();
        TFloat32 x = graph.randomInput(0, 1);
        Result result =
            session
                .runner()
                .feed(graph.inputNames().get(0), x)
                .fetch(graph.outputNames().get(0))
                .run()) {
      TFloat32 y = (TFloat32) result.get(0);
      double sum = 0;
      for (int i = 0; i < 1000; i++) {
        float p = y.getFloat(0, i);
        assertThat(Float.isFinite(p) && p >= 0).as("%s class %d: %s", name, i, p).isTrue();
        sum += p;
      }
      assertThat(sum).as(name).isCloseTo(1.0, within(1e-3));
    }
  }

  /** Type, anchor op, parameters and FLOPs of each new-class layer: graph equals importer. */
  private static void assertNewLayersDetectedAsPredicted(
      String name, KerasModel model, BuiltModel graph) {
    KerasImport predicted = KerasLayers.toLayerGraph(model, 1, null);
    assertThat(predicted.unknownClasses()).as(name).isEmpty();
    LayerGraph detected = detect(graph);
    int compared = 0;
    for (KerasLayer layer : model.layers()) {
      if (!NEW_CLASSES.contains(layer.className())) {
        continue;
      }
      String what = name + " " + layer.name();
      Layer expected = predicted.graph().layer(layer.name()).orElseThrow();
      Layer actual = detected.layer(graph.layerScopes().get(layer.name())).orElseThrow();
      assertThat(actual.type()).as(what).isEqualTo(expected.type());
      assertThat(actual.anchorOp()).as(what).isEqualTo(expected.anchorOp());
      assertThat(actual.features().parameters())
          .as(what)
          .isEqualTo(expected.features().parameters());
      assertThat(actual.features().flops()).as(what).isEqualTo(expected.features().flops());
      compared++;
    }
    assertThat(compared).as(name).isPositive();
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
