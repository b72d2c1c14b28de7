package io.jouleflow.launcher.graph;

import io.jouleflow.predictor.layers.LayerDetector;
import io.jouleflow.predictor.layers.LayerGraph;
import io.jouleflow.predictor.layers.NodeShapes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.types.TFloat32;

/**
 * A model given as a TensorFlow graph, loaded with its weights and ready to run at one batch size:
 * a SavedModel directory (tag {@code serve}) or a binary GraphDef {@code .pb}.
 *
 * <p><b>Inputs and outputs.</b> A SavedModel's come from its {@code serving_default} signature, or
 * where it has none, from the signature first by key; both sorted by their signature keys. A
 * GraphDef's follow {@link GraphEnds}: its free placeholders, and the ops whose results nothing
 * consumes.
 *
 * <p><b>Shapes.</b> An input's shape is its static shape in the graph, with {@code batch} for an
 * unknown dimension 0 and, for a rank-4 (NHWC) input, {@code inputHWC} for unknown H, W and C (an
 * input of unknown rank is taken as NHWC). Known dimensions are kept; a known batch other than
 * {@code batch} is an error. Layer features use TensorFlow's shape inference on the graph, the
 * inputs pinned to these shapes (the GraphDef's placeholders are rewritten before import; a
 * SavedModel's graph is imported once more, aside, for the shapes only), and {@code batch} for any
 * dimension 0 still unknown.
 *
 * <p>Bad input throws {@link IllegalArgumentException} with a one-line reason. Not thread-safe.
 */
public final class GraphModel implements AutoCloseable {

  private static final long SEED = 42;

  /** Protobuf's limit on one message, 2 GiB less a byte: a larger GraphDef cannot be parsed. */
  private static final long MAX_GRAPHDEF_BYTES = Integer.MAX_VALUE;

  private final String name;
  private final int batch;
  private final Session session;
  private final List<AutoCloseable> resources;
  private final List<Output<?>> inputs;
  private final List<long[]> inputShapes;
  private final List<Output<?>> outputs;
  private final LayerGraph layers;
  private List<TFloat32> feeds;
  private boolean closed;

  private GraphModel(
      String name,
      int batch,
      Session session,
      List<AutoCloseable> resources,
      List<Output<?>> inputs,
      List<long[]> inputShapes,
      List<Output<?>> outputs,
      LayerGraph layers) {
    this.name = name;
    this.batch = batch;
    this.session = session;
    this.resources = resources;
    this.inputs = List.copyOf(inputs);
    this.inputShapes = List.copyOf(inputShapes);
    this.outputs = List.copyOf(outputs);
    this.layers = layers;
  }

  /**
   * Loads a SavedModel directory or a GraphDef {@code .pb} file.
   *
   * @param batch the batch size every inference runs with
   * @param inputHWC H, W and C for the open dimensions of rank-4 inputs; null if none are open
   * @throws IllegalArgumentException with a one-line reason for a missing or unreadable model, a
   *     SavedModel without signatures, inputs other than float32, or open input shapes that
   *     {@code inputHWC} does not close
   */
  public static GraphModel load(Path path, int batch, int[] inputHWC) {
    Objects.requireNonNull(path, "path");
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be positive: " + batch);
    }
    if (inputHWC != null
        && (inputHWC.length != 3 || Arrays.stream(inputHWC).anyMatch(d -> d < 1))) {
      throw new IllegalArgumentException(
          "input shape must be three positive numbers H, W, C: " + Arrays.toString(inputHWC));
    }
    if (!Files.exists(path)) {
      throw new IllegalArgumentException("no such file or directory: " + path);
    }
    return Files.isDirectory(path)
        ? loadSavedModel(path, batch, inputHWC)
        : loadGraphDef(path, batch, inputHWC);
  }

  /** The directory's name, or the file's without its extension. */
  public String name() {
    return name;
  }

  /** The batch size the inputs are shaped for. */
  public int batch() {
    return batch;
  }

  /** The session that runs the model (owned by this model: closed with it). */
  public Session session() {
    return session;
  }

  /** The input tensors' names: the op name, with {@code :index} for an output other than 0. */
  public List<String> inputNames() {
    return inputs.stream().map(GraphModel::tensorName).toList();
  }

  /** The inputs' full shapes, batch included, in {@link #inputNames()} order (copies). */
  public List<long[]> inputShapes() {
    return inputShapes.stream().map(long[]::clone).toList();
  }

  /** The output tensors' names, as {@link #inputNames()} names them. */
  public List<String> outputNames() {
    return outputs.stream().map(GraphModel::tensorName).toList();
  }

  /** The model's layers, found by {@link LayerDetector} with the shapes at this batch size. */
  public LayerGraph layers() {
    return layers;
  }

  /**
   * One inference: feeds the inputs random float32 values (drawn once, reused by every run) and
   * fetches the outputs, which it discards.
   */
  public Runnable inference() {
    List<TFloat32> tensors = feeds();
    return () -> {
      Session.Runner runner = session.runner();
      for (int i = 0; i < inputs.size(); i++) {
        runner.feed(inputs.get(i), tensors.get(i));
      }
      outputs.forEach(runner::fetch);
      try (Result result = runner.run()) {
        // the results are discarded: the run is what is measured
      }
    };
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (feeds != null) {
      feeds.forEach(TFloat32::close);
    }
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        // TF's close methods throw nothing checked; keep closing the rest
      }
    }
  }

  private List<TFloat32> feeds() {
    if (closed) {
      throw new IllegalStateException("model " + name + " is closed");
    }
    if (feeds == null) {
      List<TFloat32> created = new ArrayList<>();
      for (int i = 0; i < inputShapes.size(); i++) {
        created.add(randomTensor(inputShapes.get(i), SEED + i));
      }
      feeds = List.copyOf(created);
    }
    return feeds;
  }

  // ---- SavedModel

  private static GraphModel loadSavedModel(Path dir, int batch, int[] inputHWC) {
    if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
      throw bad(dir + " is not a SavedModel (no saved_model.pb)");
    }
    SavedModelBundle bundle;
    try {
      bundle = SavedModelBundle.load(dir.toString(), SavedModelBundle.DEFAULT_TAG);
    } catch (RuntimeException e) {
      throw bad(dir + " is not a SavedModel: " + reason(e));
    }
    try {
      Signature signature = servingSignature(bundle, dir);
      Graph graph = bundle.graph();
      List<Output<?>> inputs = tensors(graph, signature, signature.getInputs(), "input", dir);
      List<Output<?>> outputs = tensors(graph, signature, signature.getOutputs(), "output", dir);
      checkFloat(inputs);
      List<long[]> shapes = fullShapes(inputs, batch, inputHWC);
      GraphDef def = bundle.metaGraphDef().getGraphDef();
      NodeShapes nodeShapes = StaticShapes.of(graph, batch);
      Map<String, long[]> pins = pins(inputs, shapes);
      if (!pins.isEmpty()) {
        NodeShapes pinned = shapesAside(StaticShapes.pinned(def, pins), batch);
        if (pinned != null) {
          nodeShapes = pinned.orElse(nodeShapes);
        }
      }
      LayerGraph layers = LayerDetector.detect(def, nodeShapes);
      return new GraphModel(name(dir, false), batch, bundle.session(), List.of(bundle), inputs,
          shapes, outputs, layers);
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  /** {@code serving_default}, else the first signature by key. */
  private static Signature servingSignature(SavedModelBundle bundle, Path dir) {
    List<Signature> signatures = bundle.signatures();
    if (signatures.isEmpty()) {
      throw bad(dir + " is a SavedModel without signatures: its inputs and outputs are unknown");
    }
    return signatures.stream()
        .filter(s -> s.key().equals(Signature.DEFAULT_KEY))
        .findFirst()
        .orElseGet(() -> signatures.stream().min(Comparator.comparing(Signature::key)).get());
  }

  private static List<Output<?>> tensors(
      Graph graph,
      Signature signature,
      Map<String, Signature.TensorDescription> described,
      String what,
      Path dir) {
    if (described.isEmpty()) {
      throw bad(dir + ": signature \"" + signature.key() + "\" has no " + what);
    }
    List<Output<?>> tensors = new ArrayList<>();
    for (Map.Entry<String, Signature.TensorDescription> e : new TreeMap<>(described).entrySet()) {
      Output<?> output = graph.output(e.getValue().name);
      if (output == null) {
        throw bad(dir + ": signature " + what + " \"" + e.getKey() + "\" names \""
            + e.getValue().name + "\", which is not in the graph");
      }
      tensors.add(output);
    }
    return tensors;
  }

  /** Shape inference on a graph of its own, closed again; null if it does not import. */
  private static NodeShapes shapesAside(GraphDef def, int batch) {
    try (Graph aside = new Graph()) {
      aside.importGraphDef(def);
      return StaticShapes.of(aside, batch);
    } catch (RuntimeException e) {
      return null; // the live graph's shapes, with open dimensions, are used instead
    }
  }

  // ---- GraphDef

  private static GraphModel loadGraphDef(Path file, int batch, int[] inputHWC) {
    // Checked before reading: a FIFO would block, /dev/zero would never end.
    if (!Files.isRegularFile(file)) {
      throw bad(file + " is not a regular file (a device, FIFO or socket)");
    }
    GraphDef def;
    try {
      if (Files.size(file) > MAX_GRAPHDEF_BYTES) {
        throw bad(file + " has " + Files.size(file) + " bytes, more than a GraphDef can have"
            + " (protobuf's 2 GiB)");
      }
      def = GraphDef.parseFrom(Files.readAllBytes(file));
    } catch (IOException e) { // InvalidProtocolBufferException included
      throw bad(file + " is not a GraphDef: " + reason(e));
    }
    if (def.getNodeCount() == 0) {
      throw bad(file + " is not a GraphDef: it has no nodes");
    }
    Graph graph = imported(def, file + " is not a GraphDef: ");
    try {
      List<GraphOperation> inputOps = GraphEnds.inputs(graph);
      List<GraphOperation> outputOps = GraphEnds.outputs(graph);
      if (inputOps.isEmpty()) {
        throw bad(file + " has no inputs (no Placeholder that nothing feeds)");
      }
      if (outputOps.isEmpty()) {
        throw bad(file + " has no outputs (no op whose result nothing consumes)");
      }
      List<Output<?>> inputs = inputOps.stream().<Output<?>>map(op -> op.output(0)).toList();
      checkFloat(inputs);
      List<long[]> shapes = fullShapes(inputs, batch, inputHWC);
      Map<String, long[]> pins = pins(inputs, shapes);
      if (!pins.isEmpty()) {
        // Import again with the inputs pinned, so that shape inference knows every shape.
        def = StaticShapes.pinned(def, pins);
        Graph pinned = imported(def, "input shapes " + render(shapes) + " do not fit " + file + ": ");
        inputOps = byName(pinned, inputOps);
        outputOps = byName(pinned, outputOps);
        graph.close();
        graph = pinned;
      }
      LayerGraph layers = LayerDetector.detect(def, StaticShapes.of(graph, batch));
      Session session = new Session(graph);
      return new GraphModel(name(file, true), batch, session, List.of(session, graph),
          inputOps.stream().<Output<?>>map(op -> op.output(0)).toList(), shapes,
          everyOutput(outputOps), layers);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  private static Graph imported(GraphDef def, String failure) {
    Graph graph = new Graph();
    try {
      graph.importGraphDef(def);
      return graph;
    } catch (RuntimeException e) {
      graph.close();
      throw bad(failure + reason(e));
    }
  }

  /** Every output of each op, in order: a GraphDef's outputs are whole ops. */
  private static List<Output<?>> everyOutput(List<GraphOperation> ops) {
    List<Output<?>> outputs = new ArrayList<>();
    for (GraphOperation op : ops) {
      for (int i = 0; i < op.numOutputs(); i++) {
        outputs.add(op.output(i));
      }
    }
    return outputs;
  }

  private static List<GraphOperation> byName(Graph graph, List<GraphOperation> ops) {
    return ops.stream().map(op -> graph.operationOrThrow(op.name())).toList();
  }

  // ---- inputs

  private static void checkFloat(List<Output<?>> inputs) {
    for (Output<?> input : inputs) {
      if (input.dataType() != DataType.DT_FLOAT) {
        throw bad("input \"" + tensorName(input) + "\" is " + typeName(input.dataType())
            + ", not float32: only float inputs can be fed random values");
      }
    }
  }

  /** The inputs' shapes with the batch and {@code inputHWC} in place of unknown dimensions. */
  private static List<long[]> fullShapes(List<Output<?>> inputs, int batch, int[] inputHWC) {
    List<long[]> shapes = new ArrayList<>();
    for (Output<?> input : inputs) {
      String name = tensorName(input);
      long[] declared = StaticShapes.dims(input.shape());
      if (declared == null) {
        if (inputHWC == null) {
          throw bad("input \"" + name + "\" has an open shape (unknown rank); pass --input HxWxC");
        }
        declared = new long[] {-1, -1, -1, -1};
      }
      long[] full = declared.clone();
      if (full.length > 0) {
        if (full[0] < 0) {
          full[0] = batch;
        } else if (full[0] != batch) {
          throw bad("input \"" + name + "\" has a fixed batch of " + full[0] + "; pass --batch "
              + full[0]);
        }
      }
      if (full.length == 4 && inputHWC != null) {
        for (int d = 1; d < 4; d++) {
          if (full[d] < 0) {
            full[d] = inputHWC[d - 1];
          }
        }
      }
      if (Arrays.stream(full).anyMatch(d -> d < 0)) {
        throw bad("input \"" + name + "\" has an open shape " + Arrays.toString(declared)
            + "; pass --input HxWxC");
      }
      shapes.add(full);
    }
    return shapes;
  }

  /** The inputs whose declared shape is open, by op name, with the shapes they are fed. */
  private static Map<String, long[]> pins(List<Output<?>> inputs, List<long[]> shapes) {
    Map<String, long[]> pins = new HashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      Output<?> input = inputs.get(i);
      long[] declared = StaticShapes.dims(input.shape());
      if (input.index() == 0 && !Arrays.equals(declared, shapes.get(i))) {
        pins.put(input.op().name(), shapes.get(i));
      }
    }
    return pins;
  }

  private static TFloat32 randomTensor(long[] shape, long seed) {
    long count = 1;
    for (long d : shape) {
      count = Math.multiplyExact(count, d);
    }
    if (count > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("an input of shape " + Arrays.toString(shape)
          + " is too large to feed");
    }
    float[] values = new float[(int) count];
    Random random = new Random(seed);
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextFloat();
    }
    return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(values, true, false));
  }

  // ---- names and messages

  private static String tensorName(Output<?> output) {
    return output.index() == 0 ? output.op().name() : output.op().name() + ":" + output.index();
  }

  private static String name(Path path, boolean dropExtension) {
    Path file = path.toAbsolutePath().normalize().getFileName();
    String name = file == null ? "model" : file.toString();
    int dot = name.lastIndexOf('.');
    return dropExtension && dot > 0 ? name.substring(0, dot) : name;
  }

  private static String typeName(DataType type) {
    String name = type.name();
    return (name.startsWith("DT_") ? name.substring(3) : name).toLowerCase(Locale.ROOT);
  }

  private static String render(List<long[]> shapes) {
    return shapes.stream().map(Arrays::toString).toList().toString();
  }

  private static String reason(Exception e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return e.getClass().getSimpleName();
    }
    String line = message.strip().lines().findFirst().orElse("").strip();
    int sentence = line.indexOf(". ");
    return sentence > 0 ? line.substring(0, sentence + 1) : line; // TF's advice that follows is long
  }

  private static IllegalArgumentException bad(String oneLine) {
    return new IllegalArgumentException(oneLine);
  }
}
