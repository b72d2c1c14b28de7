package io.jouleflow.predictor.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.jouleflow.predictor.layers.LayerFeatures.Variant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.proto.StepStats;
import org.tensorflow.types.TFloat32;

/**
 * Layer detection on real TensorFlow graphs built with TF Java's Ops API, and the mapping of the
 * step stats of a real traced run (this CPU build fuses with oneDNN ops) back to those layers.
 */
class TensorFlowGraphLayersTest {

  private static final List<Long> STRIDE_1 = List.of(1L, 1L, 1L, 1L);
  private static final List<Long> STRIDE_2 = List.of(1L, 2L, 2L, 1L);

  @Test
  void kerasScopedCnnIsOneLayerPerScopeWithTypesFromOpsAndNames() {
    try (Graph g = new Graph()) {
      kerasCnn(g);
      GraphDef def = g.toGraphDef();
      LayerGraph layers = LayerDetector.detect(def, staticShapes(g).withBatch(4));

      assertThat(idsAndTypes(layers))
          .containsExactly(
              entry("input", LayerType.INPUT_LAYER),
              entry("conv2d", LayerType.CONVOLUTIONAL),
              entry("batch_normalization", LayerType.NORMALIZATION),
              entry("re_lu", LayerType.ACTIVATION),
              entry("max_pooling2d", LayerType.POOLING),
              entry("conv2d_1", LayerType.CONVOLUTIONAL),
              entry("activation", LayerType.ACTIVATION),
              entry("flatten", LayerType.RESHAPE),
              entry("dropout", LayerType.DROPOUT),
              entry("dense", LayerType.DENSE),
              entry("softmax", LayerType.ACTIVATION));
      assertThat(layers.scopePrefix()).isEmpty();
      Layer conv = layers.layer("conv2d").orElseThrow();
      assertThat(conv.anchorOp()).isEqualTo("Conv2D");
      assertThat(conv.nodes())
          .containsExactly(
              "conv2d/kernel", "conv2d/Conv2D", "conv2d/bias", "conv2d/BiasAdd", "conv2d/Relu");
      assertThat(layers.layerOfNode("conv2d/Relu")).contains(conv);
      assertThat(layers.layer("max_pooling2d").orElseThrow().nodes())
          .containsExactlyInAnyOrder(
              "max_pooling2d/ksize", "max_pooling2d/strides", "max_pooling2d/MaxPool");
      assertThat(layers.layer("dropout").orElseThrow().anchorOp()).isEqualTo("Identity");

      // conv2d: 3x3x3→8, SAME, stride 1, on 16x16x3, batch 4.
      // FLOPs: Conv2D 2·4·(16·16·8)·(3·3·3) = 442368, BiasAdd and Relu 4·2048 each.
      LayerFeatures f = conv.features();
      assertThat(f.variant()).isEqualTo(Variant.STANDARD);
      assertThat(f.batchSize()).isEqualTo(4);
      assertThat(f.numberOfLayers()).isEqualTo(11);
      assertThat(f.inputSize()).isEqualTo(16 * 16 * 3);
      assertThat(f.outputSize()).isEqualTo(16 * 16 * 8);
      assertThat(f.filters()).isEqualTo(8);
      assertThat(f.kernelSize()).isEqualTo(9);
      assertThat(f.stride()).isEqualTo(1);
      assertThat(f.padding()).isEqualTo(1);
      assertThat(f.parameters()).isEqualTo(3 * 3 * 3 * 8 + 8);
      assertThat(f.flops()).isEqualTo(442368 + 8192 + 8192);
      assertThat(f.bytesMoved()).isEqualTo(4 * (768 + 2048) * 4 + 224 * 4);
      assertThat(f.hiddenSize()).isNaN();

      // conv2d_1: 3x3x8→16, SAME, stride 2: 8x8x8 → 4x4x16.
      LayerFeatures f1 = layers.layer("conv2d_1").orElseThrow().features();
      assertThat(f1.stride()).isEqualTo(2);
      assertThat(f1.outputSize()).isEqualTo(256);
      assertThat(f1.parameters()).isEqualTo(3 * 3 * 8 * 16 + 16);
      assertThat(f1.flops()).isEqualTo(2.0 * 4 * 256 * 9 * 8 + 4 * 256);

      LayerFeatures pool = layers.layer("max_pooling2d").orElseThrow().features();
      assertThat(pool.poolSize()).isEqualTo(4);
      assertThat(pool.stride()).isEqualTo(2);
      assertThat(pool.padding()).isEqualTo(0);
      assertThat(pool.filters()).isEqualTo(1);
      assertThat(pool.parameters()).isZero();
      assertThat(pool.flops()).isEqualTo(4 * 512 * 4);

      LayerFeatures bn = layers.layer("batch_normalization").orElseThrow().features();
      assertThat(bn.parameters()).isEqualTo(4 * 8);
      assertThat(bn.flops()).isEqualTo(2 * 4 * 2048);

      assertThat(layers.layer("flatten").orElseThrow().features().targetShape()).isEqualTo(256);
      LayerFeatures dense = layers.layer("dense").orElseThrow().features();
      assertThat(dense.hiddenSize()).isEqualTo(10);
      assertThat(dense.inputSize()).isEqualTo(256);
      assertThat(dense.parameters()).isEqualTo(256 * 10 + 10);
      assertThat(dense.flops()).isEqualTo(2 * 4 * 256 * 10 + 4 * 10);
      assertThat(dense.asMap())
          .containsEntry("hidden_size", 10.0)
          .doesNotContainKeys("filters", "kernel_size", "variant_standard");
      assertThat(layers.layer("input").orElseThrow().features().inputSize()).isEqualTo(768);
    }
  }

  @Test
  void kerasScopedCnnRunsWithEveryRuntimeNodeInAStaticLayer() {
    try (Graph g = new Graph()) {
      kerasCnn(g);
      GraphDef def = g.toGraphDef();
      LayerGraph layers = LayerDetector.detect(def, staticShapes(g));
      StepStats stats = trace(g, "input", Shape.of(4, 16, 16, 3), "softmax/Softmax");

      Map<String, String> mapped = assertEveryRuntimeNodeMaps(layers, stats);
      assertThat(mapped)
          .containsEntry("conv2d/Relu", "conv2d")
          .containsEntry("batch_normalization/FusedBatchNormV3", "batch_normalization")
          .containsEntry("max_pooling2d/MaxPool", "max_pooling2d")
          .containsEntry("dense/BiasAdd", "dense")
          .containsEntry("softmax/Softmax", "softmax")
          .containsEntry("conv2d/kernel", "conv2d")
          // Grappler fused conv2d_1/Conv2D, conv2d_1/BiasAdd and activation/Relu into one node
          // named after the Relu: the convolution's layer runs it.
          .containsEntry("activation/Relu", "conv2d_1")
          .doesNotContainValue("activation");

      LayerGraph runtime = LayerDetector.detect(def, NodeShapes.fromStepStats(stats));
      LayerGraph expected = LayerDetector.detect(def, staticShapes(g).withBatch(4));
      assertThat(runtime.layers()).isEqualTo(expected.layers());
      assertThat(runtime.layer("conv2d").orElseThrow().features().batchSize()).isEqualTo(4);
    }
  }

  @Test
  void leNetWithDefaultNamesIsFoundStructurally() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Weights w = new Weights(tf);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 28, 28, 1)));
      Operand<TFloat32> y =
          tf.nn.relu(tf.nn.biasAdd(tf.nn.conv2d(x, w.of(5, 5, 1, 6), STRIDE_1, "SAME"), w.of(6)));
      y =
          tf.nn.maxPool(
              y, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "VALID");
      y =
          tf.nn.relu(
              tf.nn.biasAdd(tf.nn.conv2d(y, w.of(5, 5, 6, 16), STRIDE_1, "VALID"), w.of(16)));
      y = tf.nn.avgPool(y, STRIDE_2, STRIDE_2, "VALID");
      y = tf.reshape(y, tf.constant(new int[] {-1, 400}));
      y = tf.nn.relu(tf.math.add(tf.linalg.matMul(y, w.of(400, 120)), w.of(120)));
      y = tf.nn.relu(tf.math.add(tf.linalg.matMul(y, w.of(120, 84)), w.of(84)));
      y = tf.nn.softmax(tf.math.add(tf.linalg.matMul(y, w.of(84, 10)), w.of(10)));
      GraphDef def = g.toGraphDef();
      LayerGraph layers = LayerDetector.detect(def, staticShapes(g).withBatch(2));

      assertThat(idsAndTypes(layers))
          .containsExactly(
              entry("Placeholder", LayerType.INPUT_LAYER),
              entry("Conv2d", LayerType.CONVOLUTIONAL),
              entry("MaxPool", LayerType.POOLING),
              entry("Conv2d_1", LayerType.CONVOLUTIONAL),
              entry("AvgPool", LayerType.POOLING),
              entry("Reshape", LayerType.RESHAPE),
              entry("MatMul", LayerType.DENSE),
              entry("MatMul_1", LayerType.DENSE),
              entry("MatMul_2", LayerType.DENSE));
      assertThat(layers.layer("Conv2d").orElseThrow().nodes())
          .containsExactly("Const", "Conv2d", "Const_1", "BiasAdd", "Relu");
      assertThat(layers.layer("MaxPool").orElseThrow().nodes())
          .containsExactly("Const_2", "Const_3", "MaxPool");
      assertThat(layers.layer("MatMul").orElseThrow().nodes())
          .containsExactly("Const_7", "MatMul", "Const_8", "Add", "Relu_2");
      assertThat(layers.layerOfNode("Softmax").map(Layer::id)).contains("MatMul_2");

      LayerFeatures c1 = layers.layer("Conv2d").orElseThrow().features();
      assertThat(c1.kernelSize()).isEqualTo(25);
      assertThat(c1.filters()).isEqualTo(6);
      assertThat(c1.padding()).isEqualTo(1);
      assertThat(c1.parameters()).isEqualTo(156);
      assertThat(c1.flops()).isEqualTo(2.0 * 2 * 4704 * 25 + 2 * 2 * 4704);
      LayerFeatures c2 = layers.layer("Conv2d_1").orElseThrow().features();
      assertThat(c2.padding()).isEqualTo(0);
      assertThat(c2.inputSize()).isEqualTo(14 * 14 * 6);
      assertThat(c2.outputSize()).isEqualTo(10 * 10 * 16);
      assertThat(c2.flops()).isEqualTo(2.0 * 2 * 1600 * 25 * 6 + 2 * 2 * 1600);
      LayerFeatures avg = layers.layer("AvgPool").orElseThrow().features();
      assertThat(avg.poolSize()).isEqualTo(4);
      assertThat(avg.stride()).isEqualTo(2);
      LayerFeatures d = layers.layer("MatMul").orElseThrow().features();
      assertThat(d.hiddenSize()).isEqualTo(120);
      assertThat(d.inputSize()).isEqualTo(400);
      assertThat(d.parameters()).isEqualTo(400 * 120 + 120);
      assertThat(d.flops()).isEqualTo(2.0 * 2 * 400 * 120 + 2 * 2 * 120);

      StepStats stats = trace(g, "Placeholder", Shape.of(2, 28, 28, 1), "Softmax");
      Map<String, String> mapped = assertEveryRuntimeNodeMaps(layers, stats);
      assertThat(mapped).containsEntry("Relu", "Conv2d").containsEntry("Relu_2", "MatMul");
      LayerGraph runtime = LayerDetector.detect(def, NodeShapes.fromStepStats(stats));
      assertThat(runtime.layers()).isEqualTo(layers.layers());
    }
  }

  @Test
  void residualAddOfTwoActivationsIsAnAddLayer() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Weights w = new Weights(tf);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8, 8, 4)));
      Operand<TFloat32> a =
          tf.nn.relu(tf.nn.biasAdd(tf.nn.conv2d(x, w.of(3, 3, 4, 4), STRIDE_1, "SAME"), w.of(4)));
      Operand<TFloat32> b =
          tf.nn.relu(tf.nn.biasAdd(tf.nn.conv2d(a, w.of(3, 3, 4, 4), STRIDE_1, "SAME"), w.of(4)));
      Operand<TFloat32> c =
          tf.nn.relu(tf.nn.biasAdd(tf.nn.conv2d(a, w.of(1, 1, 4, 4), STRIDE_1, "SAME"), w.of(4)));
      Operand<TFloat32> sum = tf.nn.relu(tf.math.add(b, c));
      Operand<TFloat32> out = tf.math.mul(sum, a);
      GraphDef def = g.toGraphDef();
      LayerGraph layers = LayerDetector.detect(def, staticShapes(g).withBatch(3));

      assertThat(idsAndTypes(layers))
          .containsExactly(
              entry("Placeholder", LayerType.INPUT_LAYER),
              entry("Conv2d", LayerType.CONVOLUTIONAL),
              entry("Conv2d_1", LayerType.CONVOLUTIONAL),
              entry("Conv2d_2", LayerType.CONVOLUTIONAL),
              entry("Add", LayerType.ADD),
              entry("Mul", LayerType.MULTIPLY));
      Layer add = layers.layer("Add").orElseThrow();
      assertThat(add.nodes()).containsExactly("Add", "Relu_3");
      assertThat(add.features().inputSize()).isEqualTo(2 * 256);
      assertThat(add.features().outputSize()).isEqualTo(256);
      assertThat(add.features().parameters()).isZero();
      assertThat(add.features().flops()).isEqualTo(2 * 3 * 256);
      assertThat(add.features().bytesMoved()).isEqualTo(3 * (512 + 256) * 4);
      assertThat(layers.layer("Mul").orElseThrow().features().inputSize()).isEqualTo(512);

      StepStats stats = trace(g, "Placeholder", Shape.of(3, 8, 8, 4), out.op().name());
      assertEveryRuntimeNodeMaps(layers, stats);
      assertThat(LayerDetector.detect(def, NodeShapes.fromStepStats(stats)).layers())
          .isEqualTo(layers.layers());
    }
  }

  @Test
  void kerasAddOfThreeBranchesKeepsItsLayerThroughAddOpsRewrite() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Weights w = new Weights(tf);
      var x = tf.withName("input").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8)));
      List<Operand<TFloat32>> branches = new ArrayList<>();
      for (String scope : List.of("dense", "dense_1", "dense_2")) {
        Ops s = tf.withSubScope(scope);
        var mm = s.withName("MatMul").linalg.matMul(x, w.named(s, "kernel", 8, 8));
        branches.add(
            s.withName("Relu")
                .nn
                .relu(s.withName("BiasAdd").nn.biasAdd(mm, w.named(s, "bias", 8))));
      }
      Operand<TFloat32> first = addV2(g, tf, "add/add", branches.get(0), branches.get(1));
      Operand<TFloat32> sum = addV2(g, tf, "add/add_1", first, branches.get(2));
      tf.withSubScope("activation").withName("Tanh").math.tanh(sum);
      GraphDef def = g.toGraphDef();
      LayerGraph layers = LayerDetector.detect(def, staticShapes(g));
      assertThat(layers.layer("add").map(Layer::type)).contains(LayerType.ADD);
      assertThat(layers.layer("add").orElseThrow().features().inputSize()).isEqualTo(24);

      StepStats stats = trace(g, "input", Shape.of(5, 8), "activation/Tanh");
      Map<String, String> mapped = assertEveryRuntimeNodeMaps(layers, stats);
      assertThat(mapped).containsValue("add");
    }
  }

  @Test
  void denseNetConcatenationIsAConcatenateLayer() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Weights w = new Weights(tf);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8, 8, 4)));
      Operand<TFloat32> y =
          tf.nn.relu(tf.nn.biasAdd(tf.nn.conv2d(x, w.of(3, 3, 4, 4), STRIDE_1, "SAME"), w.of(4)));
      Operand<TFloat32> cat = tf.concat(List.of(x, y), tf.constant(3));
      Operand<TFloat32> z =
          tf.nn.relu(tf.nn.biasAdd(tf.nn.conv2d(cat, w.of(1, 1, 8, 4), STRIDE_1, "SAME"), w.of(4)));
      Operand<TFloat32> cat2 = tf.concat(List.of(cat, z), tf.constant(3));
      Operand<TFloat32> padded =
          tf.pad(cat2, tf.constant(new int[][] {{0, 0}, {1, 1}, {1, 1}, {0, 0}}), tf.constant(0f));
      Operand<TFloat32> pooled = tf.math.mean(padded, tf.constant(new int[] {1, 2}));
      GraphDef def = g.toGraphDef();
      LayerGraph layers = LayerDetector.detect(def, staticShapes(g).withBatch(2));

      assertThat(idsAndTypes(layers))
          .containsExactly(
              entry("Placeholder", LayerType.INPUT_LAYER),
              entry("Conv2d", LayerType.CONVOLUTIONAL),
              entry("Concat", LayerType.CONCATENATE),
              entry("Conv2d_1", LayerType.CONVOLUTIONAL),
              entry("Concat_1", LayerType.CONCATENATE),
              entry("Pad", LayerType.PADDING),
              entry("Mean", LayerType.POOLING));
      LayerFeatures cat1 = layers.layer("Concat").orElseThrow().features();
      assertThat(cat1.inputSize()).isEqualTo(256 + 256);
      assertThat(cat1.outputSize()).isEqualTo(512);
      assertThat(cat1.flops()).isEqualTo(2 * 512);
      assertThat(cat1.parameters()).isZero();
      assertThat(layers.layer("Concat_1").orElseThrow().features().outputSize()).isEqualTo(768);
      LayerFeatures pad = layers.layer("Pad").orElseThrow().features();
      assertThat(pad.padding()).isEqualTo(10 * 10 * 12 - 8 * 8 * 12);
      assertThat(pad.parameters()).isZero();
      LayerFeatures gap = layers.layer("Mean").orElseThrow().features();
      assertThat(gap.poolSize()).isEqualTo(100);
      assertThat(gap.outputSize()).isEqualTo(12);
      assertThat(gap.flops()).isEqualTo(2 * 1200);

      StepStats stats = trace(g, "Placeholder", Shape.of(2, 8, 8, 4), pooled.op().name());
      assertEveryRuntimeNodeMaps(layers, stats);
      assertThat(LayerDetector.detect(def, NodeShapes.fromStepStats(stats)).layers())
          .isEqualTo(layers.layers());
    }
  }

  @Test
  void depthwiseAndSeparableConvolutionsAreConvolutionalVariants() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Weights w = new Weights(tf);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8, 8, 3)));
      Operand<TFloat32> y =
          tf.nn.relu6(
              tf.nn.biasAdd(
                  tf.nn.depthwiseConv2dNative(x, w.of(3, 3, 3, 2), STRIDE_1, "SAME"), w.of(6)));
      Ops sep = tf.withSubScope("separable_conv2d");
      var depthwise =
          sep.withSubScope("separable_conv2d")
              .withName("depthwise")
              .nn
              .depthwiseConv2dNative(
                  y, w.named(sep, "depthwise_kernel", 3, 3, 6, 1), STRIDE_2, "SAME");
      var pointwise =
          sep.withName("separable_conv2d")
              .nn
              .conv2d(depthwise, w.named(sep, "pointwise_kernel", 1, 1, 6, 5), STRIDE_1, "VALID");
      var out = sep.withName("BiasAdd").nn.biasAdd(pointwise, w.named(sep, "bias", 5));
      GraphDef def = g.toGraphDef();
      LayerGraph layers = LayerDetector.detect(def, staticShapes(g).withBatch(2));

      assertThat(idsAndTypes(layers))
          .containsExactly(
              entry("Placeholder", LayerType.INPUT_LAYER),
              entry("DepthwiseConv2dNative", LayerType.CONVOLUTIONAL),
              entry("separable_conv2d", LayerType.CONVOLUTIONAL));
      Layer dw = layers.layer("DepthwiseConv2dNative").orElseThrow();
      assertThat(dw.nodes()).contains("Relu6", "BiasAdd");
      LayerFeatures f = dw.features();
      assertThat(f.variant()).isEqualTo(Variant.DEPTHWISE);
      assertThat(f.filters()).isEqualTo(6);
      assertThat(f.kernelSize()).isEqualTo(9);
      assertThat(f.parameters()).isEqualTo(3 * 3 * 3 * 2 + 6);
      // 2·N·(8·8·6)·(3·3) + BiasAdd + Relu6
      assertThat(f.flops()).isEqualTo(2.0 * 2 * 384 * 9 + 2 * 2 * 384);
      assertThat(f.asMap())
          .containsEntry("variant_depthwise", 1.0)
          .containsEntry("variant_standard", 0.0);

      Layer separable = layers.layer("separable_conv2d").orElseThrow();
      assertThat(separable.anchorOp()).isEqualTo("DepthwiseConv2dNative");
      LayerFeatures s = separable.features();
      assertThat(s.variant()).isEqualTo(Variant.SEPARABLE);
      assertThat(s.filters()).isEqualTo(5);
      assertThat(s.kernelSize()).isEqualTo(9);
      assertThat(s.stride()).isEqualTo(2);
      assertThat(s.outputSize()).isEqualTo(4 * 4 * 5);
      assertThat(s.parameters()).isEqualTo(54 + 30 + 5);
      // depthwise 2·2·(4·4·6)·9 + pointwise 2·2·(4·4·5)·6 + BiasAdd 2·80
      assertThat(s.flops()).isEqualTo(2.0 * 2 * 96 * 9 + 2.0 * 2 * 80 * 6 + 2 * 80);

      StepStats stats = trace(g, "Placeholder", Shape.of(2, 8, 8, 3), out.op().name());
      Map<String, String> mapped = assertEveryRuntimeNodeMaps(layers, stats);
      assertThat(mapped).containsValues("DepthwiseConv2dNative", "separable_conv2d");
      assertThat(LayerDetector.detect(def, NodeShapes.fromStepStats(stats)).layers())
          .isEqualTo(layers.layers());
    }
  }

  @Test
  void fusedBatchNormalizationIsANormalizationLayer() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Weights w = new Weights(tf);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 6, 6, 4)));
      var bn =
          tf.nn.fusedBatchNorm(
              x, w.of(4), w.of(4), w.of(4), w.positive(4), FusedBatchNorm.isTraining(false));
      Operand<TFloat32> out = tf.nn.relu(bn.y());
      GraphDef def = g.toGraphDef();
      assertThat(def.getNodeList()).anyMatch(n -> n.getOp().equals("FusedBatchNormV3"));
      LayerGraph layers = LayerDetector.detect(def, staticShapes(g).withBatch(3));

      assertThat(idsAndTypes(layers))
          .containsExactly(
              entry("Placeholder", LayerType.INPUT_LAYER),
              entry("FusedBatchNorm", LayerType.NORMALIZATION));
      Layer layer = layers.layer("FusedBatchNorm").orElseThrow();
      assertThat(layer.anchorOp()).isEqualTo("FusedBatchNormV3");
      assertThat(layer.nodes()).contains("FusedBatchNorm", "Relu");
      assertThat(layer.features().parameters()).isEqualTo(16);
      assertThat(layer.features().inputSize()).isEqualTo(144);
      assertThat(layer.features().outputSize()).isEqualTo(144);
      assertThat(layer.features().flops()).isEqualTo(2 * 3 * 144 + 3 * 144);

      StepStats stats = trace(g, "Placeholder", Shape.of(3, 6, 6, 4), out.op().name());
      assertEveryRuntimeNodeMaps(layers, stats);
      assertThat(LayerDetector.detect(def, NodeShapes.fromStepStats(stats)).layers())
          .isEqualTo(layers.layers());
    }
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * input → conv2d (with relu) → batch_normalization → re_lu → max_pooling2d → conv2d_1 →
   * activation → flatten → dropout → dense → softmax, with Keras layer names.
   */
  private static void kerasCnn(Graph g) {
    Ops tf = Ops.create(g);
    Weights w = new Weights(tf);
    var input =
        tf.withName("input")
            .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 16, 16, 3)));
    Operand<TFloat32> x = kerasConv(tf.withSubScope("conv2d"), w, input, 3, 8, STRIDE_1);
    Ops b = tf.withSubScope("batch_normalization");
    x =
        b.withName("FusedBatchNormV3")
            .nn
            .fusedBatchNorm(
                x,
                w.named(b, "gamma", 8),
                w.named(b, "beta", 8),
                w.named(b, "moving_mean", 8),
                w.positiveNamed(b, "moving_variance", 8),
                FusedBatchNorm.isTraining(false))
            .y();
    x = tf.withSubScope("re_lu").withName("Relu").nn.relu(x);
    Ops p = tf.withSubScope("max_pooling2d");
    x =
        p.withName("MaxPool")
            .nn
            .maxPool(
                x,
                p.withName("ksize").constant(new int[] {1, 2, 2, 1}),
                p.withName("strides").constant(new int[] {1, 2, 2, 1}),
                "VALID");
    Ops c1 = tf.withSubScope("conv2d_1");
    x = c1.withName("Conv2D").nn.conv2d(x, w.named(c1, "kernel", 3, 3, 8, 16), STRIDE_2, "SAME");
    x = c1.withName("BiasAdd").nn.biasAdd(x, w.named(c1, "bias", 16));
    x = tf.withSubScope("activation").withName("Relu").nn.relu(x);
    Ops f = tf.withSubScope("flatten");
    x = f.withName("Reshape").reshape(x, f.withName("Const").constant(new int[] {-1, 256}));
    x = tf.withSubScope("dropout").withName("Identity").identity(x);
    Ops d = tf.withSubScope("dense");
    x = d.withName("MatMul").linalg.matMul(x, w.named(d, "kernel", 256, 10));
    x = d.withName("BiasAdd").nn.biasAdd(x, w.named(d, "bias", 10));
    tf.withSubScope("softmax").withName("Softmax").nn.softmax(x);
  }

  private static Operand<TFloat32> kerasConv(
      Ops scope, Weights w, Operand<TFloat32> x, long in, long out, List<Long> strides) {
    var conv =
        scope
            .withName("Conv2D")
            .nn
            .conv2d(x, w.named(scope, "kernel", 3, 3, in, out), strides, "SAME");
    var bias = scope.withName("BiasAdd").nn.biasAdd(conv, w.named(scope, "bias", out));
    return scope.withName("Relu").nn.relu(bias);
  }

  /** TF Java has no AddV2 wrapper; Keras emits it. {@code name} is used as it is. */
  private static Operand<TFloat32> addV2(
      Graph g, Ops tf, String name, Operand<TFloat32> a, Operand<TFloat32> b) {
    GraphOperation op =
        g.opBuilder("AddV2", name, tf.scope())
            .addInput(a.asOutput())
            .addInput(b.asOutput())
            .build();
    return op.output(0);
  }

  /** Float constants with small reproducible values. */
  private static final class Weights {
    private final Ops tf;
    private final Random random = new Random(7);

    Weights(Ops tf) {
      this.tf = tf;
    }

    Operand<TFloat32> of(long... shape) {
      return tf.constant(Shape.of(shape), DataBuffers.of(values(shape, false)));
    }

    Operand<TFloat32> positive(long... shape) {
      return tf.constant(Shape.of(shape), DataBuffers.of(values(shape, true)));
    }

    Operand<TFloat32> named(Ops scope, String name, long... shape) {
      return scope.withName(name).constant(Shape.of(shape), DataBuffers.of(values(shape, false)));
    }

    Operand<TFloat32> positiveNamed(Ops scope, String name, long... shape) {
      return scope.withName(name).constant(Shape.of(shape), DataBuffers.of(values(shape, true)));
    }

    private float[] values(long[] shape, boolean positive) {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      float[] values = new float[(int) n];
      for (int i = 0; i < values.length; i++) {
        float v = (float) (random.nextGaussian() * 0.1);
        values[i] = positive ? Math.abs(v) + 0.5f : v;
      }
      return values;
    }
  }

  /** The static shapes a live graph knows (batch -1). */
  static NodeShapes staticShapes(Graph g) {
    Map<String, List<long[]>> shapes = new HashMap<>();
    for (Iterator<GraphOperation> it = g.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      List<long[]> outputs = new ArrayList<>();
      for (int i = 0; i < op.numOutputs(); i++) {
        Shape shape = op.output(i).shape();
        outputs.add(shape == null || shape.isUnknown() ? null : shape.asArray());
      }
      shapes.put(op.name(), outputs);
    }
    return NodeShapes.of(shapes);
  }

  /** Runs the graph once, fully traced, on zeros of {@code shape}. */
  private static StepStats trace(Graph g, String feed, Shape shape, String fetch) {
    RunOptions options =
        RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
    try (Session session = new Session(g);
        TFloat32 input = TFloat32.tensorOf(shape);
        Result result =
            session
                .runner()
                .feed(feed, input)
                .fetch(fetch)
                .setOptions(options)
                .runAndFetchMetadata()) {
      return result.getMetadata().orElseThrow().getStepStats();
    }
  }

  /**
   * Every runtime node maps: executor nodes to the pseudo-layer, the others to a static layer whose
   * type {@link RuntimeNodes#typeOf} reports. Returns runtime name → layer id.
   */
  private static Map<String, String> assertEveryRuntimeNodeMaps(
      LayerGraph layers, StepStats stats) {
    RuntimeNodes runtime = new RuntimeNodes(layers);
    Map<String, String> mapped = new LinkedHashMap<>();
    int executed = 0;
    for (DeviceStepStats device : stats.getDevStatsList()) {
      for (NodeExecStats node : device.getNodeStatsList()) {
        String op = RuntimeNodes.opType(node.getTimelineLabel());
        List<String> inputs = RuntimeNodes.inputs(node.getTimelineLabel());
        String id = runtime.layerId(node.getNodeName(), op, inputs);
        String what = node.getNodeName() + " = " + op + " → " + id;
        if (RuntimeNodes.isExecutorNode(node.getNodeName(), op)) {
          assertThat(id).as(what).isEqualTo(LayerGraph.UNATTRIBUTED);
          assertThat(runtime.typeOf(id)).as(what).isEqualTo(LayerType.OVERHEAD);
        } else {
          executed++;
          assertThat(layers.layer(id)).as(what).isPresent();
          assertThat(runtime.typeOf(id)).as(what).isEqualTo(layers.layer(id).orElseThrow().type());
          assertThat(runtime.layerId(node.getNodeName(), op)).as(what + " (by name)").isEqualTo(id);
        }
        mapped.put(node.getNodeName(), id);
      }
    }
    assertThat(executed).isPositive();
    return mapped;
  }

  private static Map<String, LayerType> idsAndTypes(LayerGraph layers) {
    Map<String, LayerType> map = new LinkedHashMap<>();
    for (Layer layer : layers.layers()) {
      map.put(layer.id(), layer.type());
    }
    return map;
  }
}
