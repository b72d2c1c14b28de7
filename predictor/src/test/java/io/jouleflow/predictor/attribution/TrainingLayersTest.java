package io.jouleflow.predictor.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.predictor.layers.Layer;
import io.jouleflow.predictor.layers.TrainingGraph;
import io.jouleflow.predictor.layers.TrainingGraph.Role;
import io.jouleflow.predictor.trace.NodeRecord;
import io.jouleflow.predictor.trace.StepStatsParser;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.framework.optimizers.Adam;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Backward and optimizer nodes of real TF Java training graphs (built with the framework's Adam,
 * as tensorflow/java-models does) map to the forward layers they train, in the static graph and
 * in a traced training step.
 */
class TrainingLayersTest {

  private static final int SIZE = 8;

  /** A small CNN, Keras-scoped ({@code conv2d/Conv2D}) or unscoped ({@code Conv2d}), with Adam. */
  private record Net(Graph graph, Placeholder<TFloat32> input, Placeholder<TInt32> labels,
      Operand<TFloat32> loss, Operand<TFloat32> logits, Op minimize) {

    static Net build(boolean scoped) {
      Graph g = new Graph();
      Ops tf = Ops.create(g);
      var input = tf.withName("input").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, SIZE, SIZE, 3)));
      var labels = tf.withName("labels").placeholder(TInt32.class,
          Placeholder.shape(Shape.of(-1)));
      Operand<TFloat32> x = conv(tf, scoped ? "conv2d" : null, input, 3, 4);
      x = (scoped ? tf.withSubScope("max_pooling2d") : tf).nn.maxPool(x,
          tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "VALID");
      x = conv(tf, scoped ? "conv2d_1" : null, x, 4, 4);
      x = (scoped ? tf.withSubScope("flatten") : tf)
          .reshape(x, tf.constant(new int[] {-1, SIZE * SIZE}));
      var w = tf.withName("dense_kernel").variable(tf.random.truncatedNormal(
          tf.constant(new int[] {SIZE * SIZE, 10}), TFloat32.class));
      Operand<TFloat32> logits = (scoped ? tf.withSubScope("dense") : tf).linalg.matMul(x, w);
      Operand<TFloat32> loss = tf.withName("training_loss").math.mean(
          tf.nn.softmaxCrossEntropyWithLogits(logits,
              tf.oneHot(labels, tf.constant(10), tf.constant(1f), tf.constant(0f))).loss(),
          tf.constant(0));
      return new Net(g, input, labels, loss, logits, new Adam(g, 0.01f).minimize(loss));
    }

    private static Operand<TFloat32> conv(Ops tf, String scope, Operand<TFloat32> x, int in,
        int out) {
      Ops s = scope == null ? tf : tf.withSubScope(scope);
      String prefix = scope == null ? "k" + x.op().name().length() : scope;
      var k = tf.withName(prefix + "_kernel").variable(tf.random.truncatedNormal(
          tf.constant(new int[] {3, 3, in, out}), TFloat32.class));
      return s.nn.relu(s.nn.conv2d(x, k, Arrays.asList(1L, 1L, 1L, 1L), "SAME"));
    }

    GraphDef def() {
      return graph.toGraphDef();
    }

    /** One traced step: a training step (target minimize) or an inference step. */
    List<NodeRecord> tracedStep(Session session, boolean training) {
      try (TFloat32 x = TFloat32.tensorOf(Shape.of(2, SIZE, SIZE, 3));
          TInt32 y = TInt32.vectorOf(1, 2)) {
        Session.Runner r = session.runner().feed(input, x)
            .setOptions(RunOptions.newBuilder()
                .setTraceLevel(RunOptions.TraceLevel.SOFTWARE_TRACE).build());
        r = training ? r.feed(labels, y).addTarget(minimize).fetch(loss) : r.fetch(logits);
        try (Result result = r.runAndFetchMetadata()) {
          return StepStatsParser.nodes(StepStatsParser.stepStats(
              result.getMetadata().orElseThrow().toByteArray()));
        }
      }
    }
  }

  @Test
  void pythonStyleBackwardNamesSayWhichForwardOpTheyDifferentiate() {
    assertThat(TrainingGraph.forwardOfName("gradients/conv2d_1/Conv2D_grad/Conv2DBackpropInput"))
        .isEqualTo("conv2d_1/Conv2D");
    assertThat(TrainingGraph.forwardOfName("gradients_1/dense/MatMul_grad/MatMul_1"))
        .isEqualTo("dense/MatMul");
    assertThat(TrainingGraph.forwardOfName("gradients/Conv2DBackpropInput")).isNull();
    assertThat(TrainingGraph.forwardOfName("conv2d/Conv2D_grad/x")).isNull();
    assertThat(TrainingGraph.isBackwardName("gradients_12/AddN")).isTrue();
    assertThat(TrainingGraph.isBackwardName("my_gradients/AddN")).isFalse();
    assertThat(TrainingGraph.isOptimizerOp("ApplyAdam")).isTrue();
    assertThat(TrainingGraph.isOptimizerOp("ResourceApplyGradientDescent")).isTrue();
    assertThat(TrainingGraph.isOptimizerOp("Conv2D")).isFalse();
  }

  @Test
  void tfJavaFlatBackwardNodesMapToTheForwardOpsTheyDifferentiate() {
    Net net = Net.build(true);
    try (Graph g = net.graph()) {
      TrainingGraph training = TrainingGraph.of(net.def());
      assertThat(training.isTraining()).isTrue();
      Map<String, Set<String>> byOp = new TreeMap<>();
      for (var it = g.operations(); it.hasNext(); ) {
        GraphOperation op = (GraphOperation) it.next();
        if (training.role(op.name()) == Role.BACKWARD) {
          String fw = training.differentiated(op.name());
          byOp.computeIfAbsent(op.type(), t -> new HashSet<>()).add(String.valueOf(fw));
        }
      }
      // TF Java names them flat (gradients/Conv2DBackpropInput): structure tells the layer.
      // (TF Java names a Conv2D op "Conv2d" by default; one input convolution needs none.)
      assertThat(byOp.get("Conv2DBackpropInput"))
          .containsExactlyInAnyOrder("conv2d/Conv2d", "conv2d_1/Conv2d");
      assertThat(byOp.get("Conv2DBackpropFilter"))
          .containsExactlyInAnyOrder("conv2d/Conv2d", "conv2d_1/Conv2d");
      assertThat(byOp.get("ReluGrad")).containsExactlyInAnyOrder("conv2d/Relu", "conv2d_1/Relu");
      assertThat(byOp.get("MaxPoolGradV2")).containsExactly("max_pooling2d/MaxPool");
      assertThat(byOp.get("MatMul")).containsExactly("dense/MatMul");
      assertThat(training.role("conv2d_kernel")).isEqualTo(Role.FORWARD);
      assertThat(training.role("training_loss")).isEqualTo(Role.FORWARD);
      assertThat(training.role("conv2d_kernel-m")).isEqualTo(Role.OPTIMIZER);
      assertThat(training.role("beta1_power")).isEqualTo(Role.OPTIMIZER);
      assertThat(training.isLoss("training_loss")).isTrue();
      assertThat(training.isLoss("conv2d/Conv2D")).isFalse();
      assertThat(training.forward().getNodeList())
          .noneMatch(n -> n.getName().startsWith("gradients/") || n.getOp().startsWith("Apply"));
    }
  }

  @Test
  void aTracedTrainingStepGoesToTheModelsLayersTheOptimizerAndTheLoss() {
    Net net = Net.build(true);
    try (Graph g = net.graph(); Session s = new Session(g)) {
      DetectedLayers layers = DetectedLayers.of(net.def());
      assertThat(layers.graph().layers()).extracting(Layer::id)
          .doesNotContain("gradients").noneMatch(id -> id.startsWith("Adam"));
      List<NodeRecord> nodes = net.tracedStep(s, true);
      nodes = net.tracedStep(s, true); // the first ran the initialisers too
      assertThat(TrainingSteps.isTrainingStep(nodes)).isTrue();
      List<LayerRef> refs = layers.resolve(nodes);
      Map<String, List<String>> opsByLayer = new TreeMap<>();
      for (int i = 0; i < nodes.size(); i++) {
        if (refs.get(i) != null) {
          opsByLayer.computeIfAbsent(refs.get(i).id(), k -> new ArrayList<>())
              .add(nodes.get(i).opType());
        }
      }
      assertThat(opsByLayer.keySet()).as(opsByLayer.toString()).isSubsetOf("conv2d", "max_pooling2d", "conv2d_1", "flatten",
          "dense", "_optimizer", "_loss", "_backward");
      assertThat(opsByLayer.get("conv2d_1")).anyMatch(op -> op.contains("Conv2DBackpropInput"));
      assertThat(opsByLayer.get("conv2d")).anyMatch(op -> op.contains("Conv2DBackpropFilter"));
      assertThat(opsByLayer.get("max_pooling2d")).anyMatch(op -> op.contains("MaxPoolGrad"));
      assertThat(opsByLayer.get("_optimizer")).contains("ApplyAdam");
      assertThat(opsByLayer.get("_loss")).as(opsByLayer.toString()).anyMatch(op -> op.contains("SoftmaxCrossEntropy"));
      assertThat(refs).filteredOn(r -> r != null && r.id().equals("conv2d_1"))
          .allSatisfy(r -> assertThat(r.type()).isEqualTo("Convolutional"));
      assertThat(refs).filteredOn(r -> r != null && r.id().equals("_optimizer"))
          .allSatisfy(r -> assertThat(r.type()).isEqualTo("Optimizer"));

      List<NodeRecord> inference = net.tracedStep(s, false);
      assertThat(TrainingSteps.isTrainingStep(inference)).isFalse();
      assertThat(layers.resolve(inference)).filteredOn(r -> r != null)
          .extracting(LayerRef::id).doesNotContain("_optimizer", "_loss", "_backward");
    }
  }

  @Test
  void unscopedGraphsAsInJavaModelsTrainTheirStructuralLayers() {
    Net net = Net.build(false);
    try (Graph g = net.graph(); Session s = new Session(g)) {
      DetectedLayers layers = DetectedLayers.of(net.def());
      net.tracedStep(s, true);
      List<NodeRecord> nodes = net.tracedStep(s, true);
      List<LayerRef> refs = layers.resolve(nodes);
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < nodes.size(); i++) {
        LayerRef r = refs.get(i);
        if (r != null) {
          ids.add(r.id());
        }
        if (nodes.get(i).opType().contains("Conv2DBackprop")) {
          assertThat(r).isNotNull();
          assertThat(r.type()).isEqualTo("Convolutional");
        }
      }
      assertThat(ids).noneMatch(id -> id.startsWith("gradients") || id.startsWith("Adam"))
          .contains("_optimizer", "_loss");
    }
  }

  @Test
  void scopeFallbackUsesBackwardNamesAndOptimizerOps() {
    List<NodeRecord> nodes = List.of(
        node("conv2d_1/Conv2D", "Conv2D"),
        node("gradients/conv2d_1/Conv2D_grad/Conv2DBackpropInput", "Conv2DBackpropInput"),
        node("gradients/AddN", "AddN"),
        node("Adam_94", "ApplyAdam"));
    assertThat(new ScopeLayers().resolve(nodes)).containsExactly(
        new LayerRef("conv2d_1", "Convolutional"), new LayerRef("conv2d_1", "Convolutional"),
        TrainingSteps.BACKWARD, TrainingSteps.OPTIMIZER);
  }

  private static NodeRecord node(String name, String op) {
    return new NodeRecord(name, op, "cpu:0", 0, 1, List.of());
  }
}
