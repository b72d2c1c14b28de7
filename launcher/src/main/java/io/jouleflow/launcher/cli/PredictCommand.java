package io.jouleflow.launcher.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jouleflow.launcher.graph.GraphModel;
import io.jouleflow.launcher.report.HtmlReport;
import io.jouleflow.meters.Device;
import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.meters.HardwareDescription;
import io.jouleflow.meters.HardwareProfile;
import io.jouleflow.meters.nvml.NvmlEnergyMeter;
import io.jouleflow.meters.nvml.NvmlMeters;
import io.jouleflow.predictor.keras.KerasFormatException;
import io.jouleflow.predictor.keras.KerasImport;
import io.jouleflow.predictor.keras.KerasLayers;
import io.jouleflow.predictor.keras.KerasModel;
import io.jouleflow.predictor.layers.LayerFeatures;
import io.jouleflow.predictor.layers.LayerGraph;
import io.jouleflow.predictor.layers.LayerType;
import io.jouleflow.predictor.model.GraphPrediction.Row;
import io.jouleflow.predictor.model.GraphPrediction;
import io.jouleflow.predictor.model.ModelSet;
import io.jouleflow.predictor.model.ModelSetException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jouleflow predict <model>}: per-layer and total predicted energy per inference from the
 * architecture alone, by a model set's per-layer-type forests. A Keras JSON or zoo model needs no
 * TensorFlow (features come from {@link KerasLayers}); a SavedModel or GraphDef is loaded with
 * TensorFlow to find its layers.
 */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    versionProvider = JouleflowCommand.Version.class,
    description = {
      "Predict a model's energy per inference, layer by layer, from its architecture.",
      "<model>: a Keras JSON file (model.to_json() or TF.js model.json), zoo:NAME, a",
      "SavedModel directory or a GraphDef .pb."
    })
final class PredictCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "<model>",
      description = "Keras JSON file, zoo:NAME, SavedModel directory or GraphDef .pb")
  String model;

  @Option(names = "--batch", defaultValue = "1", paramLabel = "N", description = "Batch size. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(names = "--input", paramLabel = "HxWxC", description = "Input shape (needed for open shapes).")
  String input;

  @Option(names = "--models", paramLabel = "DIR",
      description = "Model set directory (from jouleflow train). Default: the set bundled with"
          + " the launcher.")
  Path models;

  @Option(names = "--format", defaultValue = "table", paramLabel = "table|json|csv|html",
      description = "Output format (html: one self-contained page with a bar per layer)."
          + " Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--carbon-intensity", paramLabel = "G",
      description = "Grams CO2e per kWh: also print grams per million inferences.")
  Double carbonIntensity;

  @Override
  public Integer call() {
    OutputFormat fmt = parseFormat();
    if (batch < 1 || batch > 4096) {
      throw usage("--batch must be 1 to 4096, not " + batch);
    }
    if (carbonIntensity != null && !(carbonIntensity > 0 && carbonIntensity < 1e5)) {
      throw usage("--carbon-intensity must be grams CO2e per kWh, a positive number");
    }
    PrintWriter err = spec.commandLine().getErr();
    List<String> warnings = new ArrayList<>();
    String name;
    LayerGraph graph;
    String inputText;
    int[] hwc;
    try {
      hwc = ModelArgument.inputShape(input);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    if (ModelArgument.isGraph(model)) {
      try (GraphModel g = ModelArgument.loadGraph(model, batch, hwc)) {
        name = g.name();
        graph = g.layers();
        inputText = g.inputShapes().isEmpty() ? null : shapeText(g.inputShapes().get(0));
      } catch (IllegalArgumentException e) {
        throw usage(JouleflowCommand.firstLine(e.getMessage()));
      }
    } else {
      boolean zoo = model.startsWith("zoo:");
      try {
        KerasModel keras = ModelArgument.resolve(model, zoo && hwc != null ? hwc[0] : null);
        KerasImport imported = KerasLayers.toLayerGraph(keras, batch, zoo ? null : hwc);
        imported.warning().ifPresent(warnings::add);
        name = keras.name();
        graph = imported.graph();
        inputText = keras.inputLayers().isEmpty() ? null
            : shapeText(imported.outputShapes().get(keras.inputLayers().get(0)));
      } catch (KerasFormatException | IllegalArgumentException e) {
        throw usage(JouleflowCommand.firstLine(e.getMessage()));
      }
    }
    ModelSet set = modelSet();
    GraphPrediction prediction = GraphPrediction.of(set, graph, machineProfile());
    prediction.otherHardware().ifPresent(warnings::add);
    List<Row> rows = prediction.rows();
    double total = prediction.totalJoules();
    SortedSet<String> fallbackTypes = prediction.fallbackTypes();
    for (String w : warnings) {
      err.println("warning: " + w);
    }
    err.flush();
    PrintWriter out = spec.commandLine().getOut();
    switch (fmt) {
      case JSON -> out.println(json(name, set, rows, total));
      case CSV -> out.print(csv(rows, total));
      case HTML -> out.print(html(name, inputText, set, rows, total, fallbackTypes, warnings));
      default -> table(out, name, set, rows, total, fallbackTypes);
    }
    out.flush();
    return 0;
  }

  private ModelSet modelSet() {
    if (models != null) {
      try {
        return forThisMachine(ModelSet.read(models));
      } catch (ModelSetException e) {
        throw usage("--models: " + e.getMessage());
      }
    }
    return defaultModelSet();
  }

  /**
   * The set {@code predict} uses without {@code --models}: {@link ModelSet#defaultSet(String)} for
   * this machine's profile (a set {@code calibrate} or {@code train} wrote for it, else the bundled
   * one), the agent's choice too.
   *
   * @throws CommandFailure when there is none or it is corrupt
   */
  static ModelSet defaultModelSet() {
    try {
      return forThisMachine(ModelSet.defaultSet(machineProfile()).orElseThrow(() ->
          new CommandFailure("no model set: none is bundled and none is under "
              + ModelSet.defaultRoot()
              + "; train one with `jouleflow train` or name one with --models DIR")));
    } catch (ModelSetException e) {
      throw new CommandFailure(e.getMessage(), e);
    }
  }

  /** A shape without its batch dimension, {@code 28x28x1}; null when unknown. */
  static String shapeText(List<Long> withBatch) {
    if (withBatch == null || withBatch.size() < 2) {
      return null;
    }
    StringBuilder s = new StringBuilder();
    for (int i = 1; i < withBatch.size(); i++) {
      Long d = withBatch.get(i);
      s.append(i == 1 ? "" : "x").append(d == null || d < 0 ? "?" : d);
    }
    return s.toString();
  }

  static String shapeText(long[] withBatch) {
    List<Long> shape = new ArrayList<>();
    for (long d : withBatch) {
      shape.add(d);
    }
    return shapeText(shape);
  }

  /** The model set as the table's first line names it. */
  static String modelSetFact(ModelSet set) {
    return "model set " + set.location() + " (hardware " + set.hardwareProfile() + ", trained "
        + set.manifest().created() + ")";
  }

  private String html(String name, String inputText, ModelSet set, List<Row> rows, double total,
      SortedSet<String> fallbackTypes, List<String> warnings) {
    List<String> facts = new ArrayList<>();
    facts.add(String.format(Locale.ROOT, "total predicted: %.4f mJ per inference, %d layers%s",
        total * 1e3, rows.stream().filter(r -> r.layer().type() != LayerType.OVERHEAD).count(),
        rows.stream().anyMatch(r -> r.layer().type() == LayerType.OVERHEAD)
            ? " and the run's overhead" : ""));
    facts.add(modelSetFact(set));
    if (!fallbackTypes.isEmpty()) {
      facts.add("fallback (too few samples of the type in the model set): "
          + String.join(", ", fallbackTypes) + "; energy from a per-FLOP, per-byte or per-layer rate");
    }
    if (carbonIntensity != null) {
      facts.add(String.format(Locale.ROOT, "%.4g g CO2e per million inferences at %s g/kWh",
          grams(total), trim(carbonIntensity)));
    }
    warnings.forEach(w -> facts.add("warning: " + w)); // a saved page keeps them; stderr does not
    List<HtmlReport.Row> html = rows.stream().map(r -> new HtmlReport.Row(r.layer().id(),
        r.layer().type().label(), r.prediction().joules(), Double.NaN)).toList();
    return HtmlReport.render(title(name, batch, inputText, "predicted energy per layer"), facts,
        null, html);
  }

  /** The page title: model, batch and input. */
  static String title(String model, int batch, String inputText, String what) {
    return model + ", batch " + batch + (inputText == null ? "" : ", input " + inputText)
        + ": " + what;
  }

  /**
   * This machine's hardware profile id, with its NVIDIA GPUs when NVML answers (a set trained on a
   * GPU host must not look foreign there); without GPUs otherwise.
   */
  static String machineProfile() {
    return machine().id();
  }

  /** This machine's hardware features ({@code hw_…}), for a set trained on several profiles. */
  static Map<String, Double> machineHardwareFeatures() {
    return HardwareDescription.detect(machine()).features();
  }

  /** {@code set} predicting for this machine's hardware (see {@link ModelSet#onHardware}). */
  static ModelSet forThisMachine(ModelSet set) {
    return set.usesHardwareFeatures() ? set.onHardware(machineHardwareFeatures()) : set;
  }

  /** This machine's hardware profile: its CPU and the GPUs NVML finds. */
  static HardwareProfile machine() {
    HardwareProfile known = machine;
    if (known == null) {
      known = detectMachine();
      machine = known;
    }
    return known;
  }

  // One detection per process: NVML is opened for it, and a command asks several times (the
  // default set's profile, the hardware features, the other-hardware warning).
  private static volatile HardwareProfile machine;

  private static HardwareProfile detectMachine() {
    List<Device> gpus = List.of();
    try {
      List<NvmlEnergyMeter> meters = NvmlMeters.openAll();
      gpus = meters.stream().map(EnergyMeter::device).toList();
      meters.forEach(EnergyMeter::close);
    } catch (Exception | LinkageError e) {
      // no NVML, no GPU: the CPU alone is the profile
    }
    return HardwareProfile.detect(gpus);
  }

  private void table(PrintWriter out, String name, ModelSet set, List<Row> rows, double total,
      SortedSet<String> fallbackTypes) {
    out.printf(Locale.ROOT, "model %s, batch %d, model set %s (hardware %s, trained %s)%n", name,
        batch, set.location(), set.hardwareProfile(), set.manifest().created());
    int width = Math.max(24, rows.stream().mapToInt(r -> r.layer().id().length()).max().orElse(0));
    String line = "%-" + width + "s %-14s %-22s %10s %14s %7s%n";
    out.printf(Locale.ROOT, line, "LAYER", "TYPE", "FEATURES", "FLOPS", "mJ/INFERENCE", "SHARE");
    double flops = 0;
    int layers = 0;
    for (Row r : rows) {
      Map<String, Double> f = r.layer().features().asMap();
      boolean overhead = r.layer().type() == LayerType.OVERHEAD; // its features are the model's
      flops += overhead ? 0 : f.getOrDefault(LayerFeatures.FLOPS, 0.0);
      layers += overhead ? 0 : 1;
      out.printf(Locale.ROOT, line, r.layer().id(),
          r.layer().type().label() + (r.prediction().fallback() ? "*" : ""),
          keyFeatures(r.layer().type(), f), human(f.get(LayerFeatures.FLOPS)),
          String.format(Locale.ROOT, "%.4f", r.prediction().joules() * 1e3),
          share(r.prediction().joules(), total));
    }
    out.printf(Locale.ROOT, line, "total", "", layers + " layers", human(flops),
        String.format(Locale.ROOT, "%.4f", total * 1e3), share(total, total));
    if (!fallbackTypes.isEmpty()) {
      out.println("* fallback (too few samples of the type in the model set): "
          + String.join(", ", fallbackTypes) + "; energy from a per-FLOP, per-byte or per-layer rate");
    }
    if (carbonIntensity != null) {
      out.printf(Locale.ROOT, "%.4g g CO2e per million inferences at %s g/kWh%n",
          grams(total), trim(carbonIntensity));
    }
  }

  private String json(String name, ModelSet set, List<Row> rows, double total) {
    ObjectNode root = JSON.createObjectNode();
    root.put("model", name);
    root.put("batch", batch);
    ObjectNode s = root.putObject("model_set");
    s.put("location", set.location());
    s.put("hardware_profile", set.hardwareProfile());
    s.put("created", set.manifest().created());
    ArrayNode layers = root.putArray("layers");
    for (Row r : rows) {
      ObjectNode l = layers.addObject();
      l.put("name", r.layer().id());
      l.put("type", r.layer().type().label());
      l.put("joules", r.prediction().joules());
      if (r.prediction().fallback()) {
        l.put("fallback", true);
      }
      ObjectNode features = l.putObject("features");
      r.layer().features().asMap().forEach(features::put);
    }
    ObjectNode t = root.putObject("total");
    t.put("joules", total);
    if (carbonIntensity != null) {
      t.put("carbon_intensity_g_per_kwh", carbonIntensity);
      t.put("grams_co2e_per_million_inferences", grams(total));
    }
    return root.toString();
  }

  private static String csv(List<Row> rows, double total) {
    StringBuilder s = new StringBuilder("name,type,flops,joules,share,fallback\n");
    double flops = 0;
    for (Row r : rows) {
      Double f = r.layer().features().asMap().get(LayerFeatures.FLOPS);
      flops += f == null ? 0 : f;
      s.append(String.format(Locale.ROOT, "%s,%s,%s,%.9g,%.6f,%s%n", csvField(r.layer().id()),
          r.layer().type().label(), f == null ? "" : String.format(Locale.ROOT, "%.0f", f),
          r.prediction().joules(), total > 0 ? r.prediction().joules() / total : 0,
          r.prediction().fallback()));
    }
    s.append(String.format(Locale.ROOT, "_total,Model,%.0f,%.9g,1,%n", flops, total));
    return s.toString();
  }

  private static String csvField(String value) {
    return value.contains(",") || value.contains("\"")
        ? '"' + value.replace("\"", "\"\"") + '"'
        : value;
  }

  /** Grams CO2e of a million inferences of {@code joules} each: J × 1e6 / 3.6e6 J/kWh × g/kWh. */
  private double grams(double joules) {
    return joules * 1e6 / 3.6e6 * carbonIntensity;
  }

  /** The features that say what a layer is: filters, kernel and stride, units, pool, ... */
  static String keyFeatures(LayerType type, Map<String, Double> f) {
    List<String> parts = new ArrayList<>();
    switch (type) {
      case CONVOLUTIONAL -> {
        add(parts, "f=", f.get(LayerFeatures.FILTERS));
        addWindow(parts, "k=", f.get(LayerFeatures.KERNEL_SIZE));
        add(parts, "s=", f.get(LayerFeatures.STRIDE));
        for (LayerFeatures.Variant v : LayerFeatures.Variant.values()) {
          if (v != LayerFeatures.Variant.STANDARD && f.getOrDefault(v.featureName(), 0.0) == 1.0) {
            parts.add(v.label());
          }
        }
      }
      case DENSE -> add(parts, "units=", f.get(LayerFeatures.HIDDEN_SIZE));
      case POOLING -> {
        addWindow(parts, "pool=", f.get(LayerFeatures.POOL_SIZE));
        add(parts, "s=", f.get(LayerFeatures.STRIDE));
      }
      case DROPOUT -> {
        Double rate = f.get(LayerFeatures.RATE);
        if (rate != null) {
          parts.add("rate=" + trim(rate));
        }
      }
      case RESHAPE -> add(parts, "shape=", f.get(LayerFeatures.TARGET_SHAPE));
      default -> add(parts, "out=", f.get(LayerFeatures.OUTPUT_SIZE));
    }
    return String.join(" ", parts);
  }

  private static void add(List<String> parts, String label, Double value) {
    if (value != null) {
      parts.add(label + trim(value));
    }
  }

  /** A square window as {@code 3x3}, else its element count. */
  private static void addWindow(List<String> parts, String label, Double elements) {
    if (elements == null) {
      return;
    }
    long side = Math.round(Math.sqrt(elements));
    parts.add(label + (side * side == elements && side > 1 ? side + "x" + side : trim(elements)));
  }

  /** An integer as such, else three significant digits without trailing zeros. */
  private static String trim(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
  }

  /** FLOPs with an SI prefix: {@code 1.23 G}. */
  static String human(Double value) {
    if (value == null) {
      return "-";
    }
    String[] prefixes = {"", " k", " M", " G", " T", " P"};
    double v = value;
    int i = 0;
    while (Math.abs(v) >= 1000 && i < prefixes.length - 1) {
      v /= 1000;
      i++;
    }
    return i == 0 ? trim(v) : String.format(Locale.ROOT, "%.3g%s", v, prefixes[i]);
  }

  private static String share(double part, double total) {
    return total > 0 ? String.format(Locale.ROOT, "%.1f %%", 100 * part / total) : "-";
  }

  private OutputFormat parseFormat() {
    return OutputFormat.parse(format, List.of(OutputFormat.values()), spec);
  }

  private ParameterException usage(String reason) {
    return new ParameterException(spec.commandLine(), reason);
  }
}
