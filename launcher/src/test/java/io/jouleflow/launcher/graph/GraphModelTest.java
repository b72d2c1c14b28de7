package io.jouleflow.launcher.graph;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jouleflow.launcher.cli.JouleflowCommand;
import io.jouleflow.launcher.measure.InferenceEnergy;
import io.jouleflow.launcher.measure.MeasureProtocol;
import io.jouleflow.launcher.measure.MeasureReport;
import io.jouleflow.predictor.layers.Layer;
import io.jouleflow.predictor.layers.LayerGraph;
import io.jouleflow.predictor.layers.LayerType;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import picocli.CommandLine;

/**
 * SavedModels and GraphDefs written by real TensorFlow (a small Keras-scoped CNN built with TF
 * Java's ops), loaded, their layers detected and run; {@code measure} on them through the CLI with
 * the estimate meter; and the one-line reasons for bad input.
 */
class GraphModelTest {

  private static final String LAYERS_LINE =
      "measure: layers alone need a Keras architecture (JSON or zoo:); measuring the whole model only";
  private static final String[] FAST = {"--min-seconds", "0.05", "--min-runs", "3", "--warmup", "1"};

  @TempDir Path tmp;

  // ---- SavedModel

  @Test
  void savedModelRunsWithTheBatchAndHasItsKerasLayers() throws Exception {
    Path dir = exportSavedModel(tmp.resolve("tiny_cnn"), Signature.DEFAULT_KEY);
    try (GraphModel model = GraphModel.load(dir, 3, null)) {
      assertThat(model.name()).isEqualTo("tiny_cnn");
      assertThat(model.inputNames()).containsExactly("input");
      assertThat(model.inputShapes()).singleElement().isEqualTo(new long[] {3, 8, 8, 3});
      assertThat(model.outputNames()).containsExactly("softmax/Softmax");
      assertThat(idsAndTypes(model.layers()))
          .containsExactly(
              entry("input", LayerType.INPUT_LAYER),
              entry("conv2d", LayerType.CONVOLUTIONAL),
              entry("max_pooling2d", LayerType.POOLING),
              entry("global_average_pooling2d", LayerType.POOLING),
              entry("dense", LayerType.DENSE),
              entry("softmax", LayerType.ACTIVATION));
      Layer conv = model.layers().layer("conv2d").orElseThrow();
      assertThat(conv.anchorOp()).isEqualTo("Conv2D");
      assertThat(conv.features().batchSize()).isEqualTo(3);
      assertThat(conv.features().inputSize()).isEqualTo(8 * 8 * 3);
      assertThat(conv.features().outputSize()).isEqualTo(8 * 8 * 4);
      assertThat(model.layers().layer("dense").orElseThrow().anchorOp()).isEqualTo("MatMul");

      Runnable inference = model.inference();
      inference.run();
      inference.run();
    }
  }

  @Test
  void savedModelWithoutServingDefaultUsesItsFirstSignature() throws Exception {
    Path dir = exportSavedModel(tmp.resolve("classifier"), "classify");
    try (GraphModel model = GraphModel.load(dir, 1, null)) {
      assertThat(model.inputNames()).containsExactly("input");
      assertThat(model.outputNames()).containsExactly("softmax/Softmax");
      model.inference().run();
    }
  }

  // ---- GraphDef

  @Test
  void graphDefWithAnOpenShapeNeedsTheInputShapeAndThenKnowsEveryShape() throws Exception {
    Path pb = tmp.resolve("open_cnn.pb");
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      cnn(tf, tf.withName("input").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, -1, -1, 3))));
      tf.withName("unused").constant(1f); // a dangling constant is no output
      tf.withName("barrier").noOp();
      Files.write(pb, g.toGraphDef().toByteArray());
    }

    assertThatThrownBy(() -> GraphModel.load(pb, 2, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("input \"input\" has an open shape [-1, -1, -1, 3]; pass --input HxWxC");

    try (GraphModel model = GraphModel.load(pb, 2, new int[] {10, 12, 3})) {
      assertThat(model.name()).isEqualTo("open_cnn");
      assertThat(model.inputNames()).containsExactly("input");
      assertThat(model.inputShapes()).singleElement().isEqualTo(new long[] {2, 10, 12, 3});
      assertThat(model.outputNames()).containsExactly("softmax/Softmax");
      assertThat(model.layers().layer("conv2d")).isPresent();
      assertThat(model.layers().layer("dense").orElseThrow().type()).isEqualTo(LayerType.DENSE);
      // The placeholder was pinned before import: shapes downstream are known, not -1.
      Layer conv = model.layers().layer("conv2d").orElseThrow();
      assertThat(conv.features().inputSize()).isEqualTo(10 * 12 * 3);
      assertThat(conv.features().outputSize()).isEqualTo(10 * 12 * 4);
      assertThat(model.layers().layer("max_pooling2d").orElseThrow().features().outputSize())
          .isEqualTo(5 * 6 * 4);
      model.inference().run();
    }
  }

  @Test
  void graphMeasurerMeasuresTheWholeModelWithoutLayers() throws Exception {
    Path dir = exportSavedModel(tmp.resolve("tiny_cnn"), Signature.DEFAULT_KEY);
    List<String> progress = new ArrayList<>();
    try (GraphModel model = GraphModel.load(dir, 2, null);
        InferenceEnergy energy =
            InferenceEnergy.open("estimate", OptionalDouble.of(5.0), tmp, l -> {})) {
      MeasureReport report = new GraphMeasurer(energy, new MeasureProtocol(1, 0.05, 3),
          progress::add).measure(model);
      assertThat(report.model()).isEqualTo("tiny_cnn");
      assertThat(report.config()).isEqualTo("b2_8x8x3");
      assertThat(report.batch()).isEqualTo(2);
      assertThat(report.layers()).isEmpty();
      assertThat(report.layerCount()).isEqualTo(5);
      assertThat(report.additivityFactor()).isNull();
      assertThat(report.whole().joules()).isPositive();
      assertThat(report.whole().runs()).isGreaterThanOrEqualTo(3);
    }
    assertThat(progress).singleElement().asString().contains("whole model");
  }

  // ---- bad input

  @Test
  void badInputIsAOneLineReason() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Path corruptSavedModel = Files.createDirectories(tmp.resolve("corrupt_sm"));
    Files.writeString(corruptSavedModel.resolve("saved_model.pb"), "x");
    Path truncated = Files.write(tmp.resolve("truncated.pb"), new byte[] {0x0A, (byte) 0xFF});
    Path noNodes = Files.write(tmp.resolve("no_nodes.pb"), new byte[0]);
    Path unknownOp = Files.write(tmp.resolve("unknown_op.pb"), GraphDef.newBuilder()
        .addNode(NodeDef.newBuilder().setName("x").setOp("NoSuchOp")).build().toByteArray());
    Path unsigned = savedModelWithoutSignatures(tmp.resolve("unsigned"));
    Path ints = tmp.resolve("ints.pb");
    Path fixedBatch = tmp.resolve("fixed_batch.pb");
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var ids = tf.withName("ids").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, 4)));
      tf.withName("scaled").math.mul(tf.dtypes.cast(ids, TFloat32.class), tf.constant(2f));
      Files.write(ints, g.toGraphDef().toByteArray());
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      cnn(tf, tf.withName("input").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(1, 8, 8, 3))));
      Files.write(fixedBatch, g.toGraphDef().toByteArray());
    }

    Map<Path, String> expected = new LinkedHashMap<>();
    expected.put(tmp.resolve("missing"), "no such file or directory: " + tmp.resolve("missing"));
    expected.put(empty, empty + " is not a SavedModel (no saved_model.pb)");
    expected.put(corruptSavedModel, corruptSavedModel + " is not a SavedModel: ");
    expected.put(truncated, truncated + " is not a GraphDef: ");
    expected.put(noNodes, noNodes + " is not a GraphDef: it has no nodes");
    expected.put(unknownOp, unknownOp + " is not a GraphDef: ");
    expected.put(unsigned, unsigned + " is a SavedModel without signatures");
    expected.put(ints, "input \"ids\" is int32, not float32");
    expected.put(fixedBatch, "input \"input\" has a fixed batch of 1; pass --batch 1");
    expected.forEach((path, start) ->
        assertThatThrownBy(() -> GraphModel.load(path, 3, null))
            .as(path.toString())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith(start)
            .message().doesNotContain("\n"));
  }

  // ---- the CLI

  @Test
  void measureOnASavedModelIsTheWholeModelAndSaysLayersNeedKeras() throws Exception {
    Path dir = exportSavedModel(tmp.resolve("tiny_cnn"), Signature.DEFAULT_KEY);

    Cli run = cli("measure", dir.toString(), FAST[0], FAST[1], FAST[2], FAST[3], FAST[4], FAST[5],
        "--format", "json");
    assertThat(run.code()).as(run.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(run.out());
    assertThat(json.get("model").asText()).isEqualTo("tiny_cnn");
    assertThat(json.get("config").asText()).isEqualTo("b1_8x8x3");
    assertThat(json.get("layers").isArray()).isTrue();
    assertThat(json.get("layers")).isEmpty();
    assertThat(json.get("total").get("joules").asDouble()).isPositive();
    assertThat(json.has("additivity_factor")).isFalse();
    assertThat(run.err().lines().filter(LAYERS_LINE::equals)).hasSize(1);

    Cli whole = cli("measure", dir.toString(), "--no-layers", "--batch", "2", FAST[0], FAST[1],
        FAST[2], FAST[3], FAST[4], FAST[5], "--format", "csv");
    assertThat(whole.code()).as(whole.err()).isZero();
    assertThat(whole.out().lines()).hasSize(2).last().asString().startsWith("_total,Model,");
    assertThat(whole.err()).doesNotContain("layers alone");
  }

  @Test
  void measureOnAGraphDefNeedsInputForAnOpenShapeAndSaysSoInOneLine() throws Exception {
    Path pb = tmp.resolve("open_cnn.pb");
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      cnn(tf, tf.withName("input").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, -1, -1, 3))));
      Files.write(pb, g.toGraphDef().toByteArray());
    }
    Cli open = cli("measure", pb.toString(), "--no-layers");
    assertThat(open.code()).isEqualTo(2);
    assertThat(open.err().lines().toList()).containsExactly("jouleflow: input \"input\" has an open"
        + " shape [-1, -1, -1, 3]; pass --input HxWxC (see --help)");

    Cli closed = cli("measure", pb.toString(), "--no-layers", "--input", "6x6x3", FAST[0], FAST[1],
        FAST[2], FAST[3], FAST[4], FAST[5], "--format", "json");
    assertThat(closed.code()).as(closed.err()).isZero();
    assertThat(new ObjectMapper().readTree(closed.out()).get("config").asText())
        .isEqualTo("b1_6x6x3");
  }

  // ---- the model

  /** Exports the CNN for 8x8x3 inputs as a SavedModel with one signature, {@code key}. */
  private static Path exportSavedModel(Path dir, String key) throws Exception {
    try (Graph g = new Graph();
        Session session = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> input = tf.withName("input").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, 8, 8, 3)));
      Operand<TFloat32> probabilities = cnn(tf, input);
      Signature signature = Signature.builder(key).input("image", input)
          .output("probabilities", probabilities).build();
      SavedModelBundle.exporter(dir.toString()).withFunction(session.function(signature)).export();
    }
    return dir;
  }

  /**
   * conv2d (3x3, 4 filters, SAME, ReLU) → max_pooling2d (2x2) → global_average_pooling2d → dense
   * (2 units) → softmax, under the scopes Keras gives these layers.
   */
  private static Operand<TFloat32> cnn(Ops tf, Operand<TFloat32> input) {
    Random weights = new Random(7);
    Ops conv = tf.withSubScope("conv2d");
    Operand<TFloat32> x = conv.withName("Conv2D").nn.conv2d(input,
        conv.withName("kernel").constant(Shape.of(3, 3, 3, 4), floats(weights, 3 * 3 * 3 * 4)),
        List.of(1L, 1L, 1L, 1L), "SAME");
    x = conv.withName("BiasAdd").nn.biasAdd(x,
        conv.withName("bias").constant(Shape.of(4), floats(weights, 4)));
    x = conv.withName("Relu").nn.relu(x);

    Ops pool = tf.withSubScope("max_pooling2d");
    x = pool.withName("MaxPool").nn.maxPool(x, pool.withName("ksize").constant(new int[] {1, 2, 2, 1}),
        pool.withName("strides").constant(new int[] {1, 2, 2, 1}), "VALID");

    Ops gap = tf.withSubScope("global_average_pooling2d");
    x = gap.withName("Mean").math.mean(x, gap.withName("reduction_indices").constant(new int[] {1, 2}));

    Ops dense = tf.withSubScope("dense");
    x = dense.withName("MatMul").linalg.matMul(x,
        dense.withName("kernel").constant(Shape.of(4, 2), floats(weights, 8)));
    x = dense.withName("BiasAdd").nn.biasAdd(x,
        dense.withName("bias").constant(Shape.of(2), floats(weights, 2)));
    return tf.withSubScope("softmax").withName("Softmax").nn.softmax(x);
  }

  private static FloatDataBuffer floats(Random random, int count) {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = (float) random.nextGaussian() * 0.3f;
    }
    return DataBuffers.of(values, true, false);
  }

  /** A SavedModel whose one MetaGraph (tag serve) has a graph but no SignatureDef. */
  private static Path savedModelWithoutSignatures(Path dir) throws Exception {
    GraphDef graph;
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      cnn(tf, tf.withName("input").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, 8, 8, 3))));
      graph = g.toGraphDef();
    }
    SavedModel saved = SavedModel.newBuilder()
        .setSavedModelSchemaVersion(1)
        .addMetaGraphs(MetaGraphDef.newBuilder()
            .setMetaInfoDef(MetaGraphDef.MetaInfoDef.newBuilder().addTags("serve"))
            .setGraphDef(graph))
        .build();
    Files.createDirectories(dir);
    Files.write(dir.resolve("saved_model.pb"), saved.toByteArray());
    return dir;
  }

  private static Map<String, LayerType> idsAndTypes(LayerGraph layers) {
    Map<String, LayerType> out = new LinkedHashMap<>();
    for (Layer layer : layers.layers()) {
      out.put(layer.id(), layer.type());
    }
    return out;
  }

  // ---- running jouleflow in process

  private record Cli(int code, String out, String err) {}

  /** Runs {@code jouleflow} as its main would, with an empty environment (estimate meter). */
  private static Cli cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = JouleflowCommand.commandLine(Map.of());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Cli(code, out.toString(), err.toString());
  }
}
