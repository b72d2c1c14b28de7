package io.jouleflow.predictor.keras;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Reads a Keras architecture from its JSON into a flat {@link KerasModel}.
 *
 * <p>Accepted: {@code model.to_json()} output ({@code {"class_name": "Sequential" | "Functional" |
 * "Model", "config": ...}}), the same object under {@code "model_config"}, and TF.js {@code
 * model.json} ({@code {"modelTopology": ..., "format": "layers-model"}}, where {@code
 * modelTopology} is that object or {@code {"model_config": that object}}). Keras 2 and Keras 3
 * links are read alike: Keras 2 {@code inbound_nodes} list nodes as lists of {@code [layer, node,
 * tensor, kwargs]}, Keras 3 as {@code {"args": [...], "kwargs": {...}}} holding {@code
 * __keras_tensor__} objects with a {@code keras_history}; either may nest the tensors (the list an
 * {@code Add} takes). Tensors in a Keras 2 reference's own kwargs are ignored, except a
 * TFOpLambda's (a TensorFlow function called on Keras tensors), whose kwargs hold its further
 * operands: their tensors are inbound after the first, their other values (a scalar {@code y}) go
 * into the layer's config as {@code call_kwargs}.
 *
 * <p>What the flat model looks like:
 *
 * <ul>
 *   <li><b>Sequential</b> layers are chained. When the first layer is not an {@code InputLayer}
 *       (old Keras puts {@code batch_input_shape} on it) an InputLayer is synthesized with the name
 *       Keras 2 itself gives it, {@code <first layer>_input} (so {@code conv2d_input}, the name of
 *       the placeholder in the TensorFlow graph), and a config holding {@code batch_input_shape}
 *       when the file states the shape ({@code batch_input_shape}, {@code batch_shape}, {@code
 *       input_shape}, Keras 3's {@code build_config}, the model's {@code build_input_shape}).
 *   <li><b>Nested models</b> (a Sequential or Functional used as a layer) are expanded: their
 *       layers join the outer model, their InputLayers disappear (consumers read the outer tensors
 *       the nested model is called on), and consumers of the nested model read its output layers. A
 *       nested layer keeps its name unless the name is taken; then it becomes {@code <nested
 *       model>/<layer>}.
 *   <li><b>Shared layers</b> (one layer called on several inputs) become one layer per call: call 0
 *       keeps the name, call {@code n} is {@code <layer>@n}; the layers of a nested model called a
 *       second time are all named {@code <nested model>@1/<layer>}.
 *   <li>Layers come out in topological order, inputs first, ties in file order.
 * </ul>
 *
 * <p>Everything wrong with the file is a {@link KerasFormatException} with a one-line message:
 * also a file that is not a regular file (a device such as {@code /dev/zero}, a FIFO, a directory;
 * symlinks are followed), one over {@value #MAX_FILE_MIB} MiB, and text that is not UTF-8.
 */
public final class KerasJson {

  /**
   * The largest Keras JSON read, in MiB: real ones are far smaller (ResNet50's {@code to_json()}
   * is a few hundred KB, a TF.js {@code model.json} with its weight manifest a few MB).
   */
  public static final int MAX_FILE_MIB = 64;

  private static final long MAX_FILE_BYTES = (long) MAX_FILE_MIB << 20;

  private static final ObjectMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder()
                  // The limit holds for text and for files that grow or lie about their size.
                  .streamReadConstraints(
                      StreamReadConstraints.builder().maxDocumentLength(MAX_FILE_BYTES).build())
                  .build())
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS) // Python's json writes NaN
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private static final Set<String> MODEL_CLASSES = Set.of("Sequential", "Functional", "Model");
  private static final String INPUT_LAYER = "InputLayer";
  private static final String TF_OP_LAMBDA = "TFOpLambda";

  private KerasJson() {}

  /**
   * The model in {@code file}; its name is {@code config.name}, else the file name without its
   * extension. Format errors carry the file name: {@code model.json: not valid JSON: ...}.
   *
   * @throws IOException if the file cannot be read
   * @throws KerasFormatException if it is not a Keras model this importer understands, not a
   *     regular file, larger than {@value #MAX_FILE_MIB} MiB or not UTF-8 text
   */
  public static KerasModel parse(Path file) throws IOException {
    String fileName = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    int dot = fileName.lastIndexOf('.');
    String stem = dot > 0 ? fileName.substring(0, dot) : fileName;
    // Checked before opening: a FIFO would block the open, /dev/zero would never end.
    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
    if (!attributes.isRegularFile()) {
      throw new KerasFormatException(fileName + ": not a regular file ("
          + (attributes.isDirectory() ? "a directory" : "a device, FIFO or socket") + ")");
    }
    if (attributes.size() > MAX_FILE_BYTES) {
      throw new KerasFormatException(fileName + ": " + attributes.size() + " bytes, more than the "
          + MAX_FILE_MIB + " MiB a Keras JSON may have");
    }
    // A decoder that reports bad bytes instead of replacing them.
    try (Reader reader = new InputStreamReader(
        Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder())) {
      return parse(readTree(reader), stem);
    } catch (CharacterCodingException e) {
      throw new KerasFormatException(fileName + ": not UTF-8 text (UTF-16 or Latin-1?): save the"
          + " JSON as UTF-8", e);
    } catch (KerasFormatException e) {
      throw new KerasFormatException(fileName + ": " + e.getMessage(), e);
    }
  }

  /**
   * The model in {@code json}.
   *
   * @param fallbackName the model's name when the file states none (an old Sequential list)
   * @throws KerasFormatException if it is not a Keras model this importer understands
   */
  public static KerasModel parse(String json, String fallbackName) {
    try {
      return parse(readTree(new StringReader(json)), fallbackName);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringReader does not fail
    }
  }

  /** The JSON tree of {@code reader}; JSON errors and the size limit as one-line messages. */
  private static JsonNode readTree(Reader reader) throws IOException {
    try {
      return MAPPER.readTree(reader);
    } catch (StreamConstraintsException e) {
      throw new KerasFormatException(
          "more than the " + MAX_FILE_MIB + " MiB a Keras JSON may have", e);
    } catch (JsonProcessingException e) {
      throw new KerasFormatException("not valid JSON: " + describe(e), e);
    }
  }

  /** The model in the JSON tree {@code root}. */
  private static KerasModel parse(JsonNode root, String fallbackName) {
    if (root == null || root.isMissingNode()) {
      throw new KerasFormatException("not a Keras model JSON: the text is empty");
    }
    if (!root.isObject()) {
      throw new KerasFormatException(
          "not a Keras model JSON: expected an object at top level, found " + kind(root));
    }
    JsonNode model = root;
    if (root.has("modelTopology")) {
      if ("graph-model".equals(root.path("format").asText())) {
        throw new KerasFormatException(
            "TF.js graph model (\"format\": \"graph-model\") has no Keras layers;"
                + " convert the Keras model as a layers model");
      }
      model = root.get("modelTopology");
      if (model.has("model_config")) {
        model = model.get("model_config");
      }
      if (!model.isObject()) {
        throw new KerasFormatException(
            "not a TF.js layers model: \"modelTopology\" is " + kind(model) + ", not an object");
      }
    } else if (root.has("model_config") && !root.has("class_name")) {
      model = root.get("model_config");
    }
    if (!model.hasNonNull("class_name")) {
      throw new KerasFormatException("not a Keras model JSON: missing \"class_name\" at top level");
    }
    String className = model.get("class_name").asText();
    if (!MODEL_CLASSES.contains(className)) {
      throw new KerasFormatException(
          "not a Keras model JSON: top-level \"class_name\" is \""
              + className
              + "\", not Sequential, Functional or Model");
    }
    Flattener flattener = new Flattener();
    Flat flat = flattener.model(model, fallbackName, null, null);
    return new KerasModel(
        flat.name(), topological(flattener.layers, flat.name()), flat.inputs(), flat.outputs());
  }

  // ---------------------------------------------------------------------------------------------

  /** A tensor reference: output {@code tensor} of call {@code node} of layer {@code layer}. */
  private record Ref(String layer, int node, int tensor) {}

  /** A model level after flattening: its name, its InputLayers and its output layers. */
  private record Flat(String name, List<String> inputs, List<String> outputs) {}

  /** One layer entry of a Functional config. */
  private record Entry(String name, String className, JsonNode json, List<List<Ref>> nodes) {
    boolean isModel() {
      return MODEL_CLASSES.contains(className);
    }
  }

  /** Expands one file into flat layers; names are unique over the whole flat model. */
  private static final class Flattener {
    final List<KerasLayer> layers = new ArrayList<>();
    final Set<String> used = new HashSet<>();

    /** Above 0 while a nested model's second (or later) call is expanded: prefixes are forced. */
    int forcing;

    /**
     * Flattens a model object ({@code class_name} and {@code config}).
     *
     * @param prefix null at top level; else the nested model's name (call 0) or {@code name@n}
     * @param bound null at top level; else the flat ids of the tensors the nested model is called
     *     on, in the order of its inputs
     */
    Flat model(JsonNode model, String fallbackName, String prefix, List<String> bound) {
      String className = model.path("class_name").asText();
      JsonNode config = model.get("config");
      String name = fallbackName;
      if (config != null && config.isObject() && config.hasNonNull("name")) {
        name = config.get("name").asText();
      }
      if (config == null || config.isNull()) {
        throw new KerasFormatException(
            "not a Keras model JSON: missing \"config\" of the " + className + " model");
      }
      return className.equals("Sequential")
          ? sequential(config, name, prefix, bound)
          : functional(config, name, prefix, bound);
    }

    private Flat sequential(JsonNode config, String name, String prefix, List<String> bound) {
      JsonNode entries = config.isArray() ? config : config.get("layers");
      if (entries == null || !entries.isArray()) {
        throw new KerasFormatException(
            "Sequential model \"" + name + "\": missing \"layers\" (a list of layers)");
      }
      if (entries.isEmpty()) {
        throw new KerasFormatException("Sequential model \"" + name + "\" has no layers");
      }
      if (bound != null && bound.size() != 1) {
        throw new KerasFormatException(
            "nested Sequential model \"" + name + "\" is called on " + bound.size() + " inputs");
      }
      List<String> names = new ArrayList<>();
      for (int i = 0; i < entries.size(); i++) {
        JsonNode entry = entries.get(i);
        String layerName = text(entry.path("config"), "name");
        if (layerName == null) {
          layerName = text(entry, "name");
        }
        if (layerName == null) {
          throw new KerasFormatException(
              "Sequential model \"" + name + "\": layer " + i + " has no \"name\" in its config");
        }
        classOf(entry, layerName);
        names.add(layerName);
      }
      // Reserve the model's own names before nested models take theirs.
      Map<Integer, String> ids = new HashMap<>();
      for (int i = 0; i < entries.size(); i++) {
        String cls = classOf(entries.get(i), names.get(i));
        boolean boundInput = i == 0 && bound != null && cls.equals(INPUT_LAYER);
        if (!MODEL_CLASSES.contains(cls) && !boundInput) {
          ids.put(i, reserve(names.get(i), prefix));
        }
      }
      List<String> inputs = new ArrayList<>();
      String previous;
      int start = 0;
      JsonNode first = entries.get(0);
      if (bound != null) {
        previous = bound.get(0);
        start = classOf(first, names.get(0)).equals(INPUT_LAYER) ? 1 : 0;
      } else if (classOf(first, names.get(0)).equals(INPUT_LAYER)) {
        previous = ids.get(0);
        layers.add(new KerasLayer(previous, INPUT_LAYER, configOf(first), List.of()));
        inputs.add(previous);
        start = 1;
      } else {
        previous = reserve(names.get(0) + "_input", prefix);
        layers.add(
            new KerasLayer(
                previous, INPUT_LAYER, synthesizedInput(previous, first, config), List.of()));
        inputs.add(previous);
      }
      for (int i = start; i < entries.size(); i++) {
        JsonNode entry = entries.get(i);
        String cls = classOf(entry, names.get(i));
        if (MODEL_CLASSES.contains(cls)) {
          String nestedPrefix = prefix == null ? names.get(i) : prefix + "/" + names.get(i);
          Flat nested = model(entry, names.get(i), nestedPrefix, List.of(previous));
          if (nested.outputs().size() != 1) {
            throw new KerasFormatException(
                "Sequential model \""
                    + name
                    + "\": nested model \""
                    + names.get(i)
                    + "\" has "
                    + nested.outputs().size()
                    + " outputs; a Sequential layer must have one");
          }
          previous = nested.outputs().get(0);
        } else {
          String id = ids.get(i);
          layers.add(new KerasLayer(id, cls, configOf(entry), List.of(previous)));
          previous = id;
        }
      }
      return new Flat(name, inputs, List.of(previous));
    }

    private Flat functional(JsonNode config, String name, String prefix, List<String> bound) {
      String where = "model \"" + name + "\"";
      JsonNode entries = config.get("layers");
      if (entries == null || !entries.isArray()) {
        throw new KerasFormatException(where + ": missing \"layers\" (a list of layers)");
      }
      Map<String, Entry> byName = new LinkedHashMap<>();
      for (int i = 0; i < entries.size(); i++) {
        JsonNode json = entries.get(i);
        String layerName = text(json, "name");
        if (layerName == null) {
          layerName = text(json.path("config"), "name");
        }
        if (layerName == null) {
          throw new KerasFormatException(where + ": layer " + i + " has no \"name\"");
        }
        String cls = classOf(json, layerName);
        JsonNode inbound = json.get("inbound_nodes");
        if (inbound == null || !inbound.isArray()) {
          throw new KerasFormatException(
              where + ": layer \"" + layerName + "\" has no \"inbound_nodes\" list");
        }
        List<List<Ref>> nodes = new ArrayList<>();
        for (JsonNode node : inbound) {
          List<Ref> refs = new ArrayList<>();
          collectRefs(node, refs, layerName);
          if (cls.equals(TF_OP_LAMBDA)) {
            kwargRefs(node, refs, layerName);
          }
          nodes.add(refs);
        }
        if (byName.put(layerName, new Entry(layerName, cls, json, nodes)) != null) {
          throw new KerasFormatException(where + ": two layers are named \"" + layerName + "\"");
        }
      }
      List<Ref> inputRefs = requiredRefs(config, "input_layers", where);
      List<Ref> outputRefs = requiredRefs(config, "output_layers", where);
      return new Level(this, name, byName, prefix, bound, inputRefs).flatten(outputRefs);
    }

    private static List<Ref> requiredRefs(JsonNode config, String field, String where) {
      JsonNode node = config.get(field);
      if (node == null || node.isNull()) {
        throw new KerasFormatException(where + ": missing \"" + field + "\"");
      }
      List<Ref> refs = new ArrayList<>();
      collectRefs(node, refs, field);
      if (refs.isEmpty()) {
        throw new KerasFormatException(where + ": \"" + field + "\" names no layer");
      }
      return refs;
    }

    /** A flat name for {@code name}: itself where free (and not forced), else prefixed. */
    String reserve(String name, String prefix) {
      String id = name;
      if ((forcing > 0 || used.contains(id)) && prefix != null) {
        id = prefix + "/" + name;
      }
      String candidate = id;
      for (int k = 1; used.contains(candidate); k++) {
        candidate = id + "_" + k;
      }
      used.add(candidate);
      return candidate;
    }
  }

  /** One Functional model level being flattened. */
  private static final class Level {
    private final Flattener flattener;
    private final String name;
    private final String where;
    private final Map<String, Entry> entries;
    private final String prefix;
    private final Map<String, String> boundInputs = new HashMap<>();
    private final Map<Ref, String> ids = new HashMap<>();
    private final Map<String, Flat> nestedCalls = new HashMap<>();
    private final Set<String> inProgress = new HashSet<>();
    private final List<String> inputs = new ArrayList<>();

    Level(
        Flattener flattener,
        String name,
        Map<String, Entry> entries,
        String prefix,
        List<String> bound,
        List<Ref> inputRefs) {
      this.flattener = flattener;
      this.name = name;
      this.where = "model \"" + name + "\"";
      this.entries = entries;
      this.prefix = prefix;
      for (Ref ref : inputRefs) {
        if (!entries.containsKey(ref.layer())) {
          throw new KerasFormatException(
              where + ": input layer \"" + ref.layer() + "\" is not among its layers");
        }
      }
      if (bound != null) {
        if (bound.size() != inputRefs.size()) {
          throw new KerasFormatException(
              "nested "
                  + where
                  + " takes "
                  + inputRefs.size()
                  + " inputs but is called on "
                  + bound.size());
        }
        for (int i = 0; i < bound.size(); i++) {
          boundInputs.put(inputRefs.get(i).layer(), bound.get(i));
        }
      }
    }

    Flat flatten(List<Ref> outputRefs) {
      // Names of this level's own calls first, so that nested models yield on clashes.
      for (Entry entry : entries.values()) {
        if (entry.isModel() || boundInputs.containsKey(entry.name())) {
          continue;
        }
        int calls = callCount(entry);
        for (int n = 0; n < calls; n++) {
          String base = n == 0 ? entry.name() : entry.name() + "@" + n;
          ids.put(new Ref(entry.name(), n, 0), flattener.reserve(base, prefix));
        }
      }
      for (Entry entry : entries.values()) {
        if (boundInputs.containsKey(entry.name())) {
          continue;
        }
        if (entry.isModel()) {
          for (int n = 0; n < entry.nodes().size(); n++) {
            nested(entry, n);
          }
          continue;
        }
        JsonNode config = configOf(entry.json());
        boolean lambda = entry.className().equals(TF_OP_LAMBDA);
        if (entry.nodes().isEmpty()) {
          if (entry.className().equals(INPUT_LAYER)) {
            String id = ids.get(new Ref(entry.name(), 0, 0));
            flattener.layers.add(new KerasLayer(id, INPUT_LAYER, config, List.of()));
            inputs.add(id);
          }
          continue; // a layer never called computes nothing
        }
        for (int n = 0; n < entry.nodes().size(); n++) {
          List<String> inbound = new ArrayList<>();
          for (Ref ref : entry.nodes().get(n)) {
            inbound.add(resolve(ref, entry.name()));
          }
          String id = ids.get(new Ref(entry.name(), n, 0));
          JsonNode called = lambda ? withCallKwargs(config, entry.json(), n) : config;
          flattener.layers.add(new KerasLayer(id, entry.className(), called, inbound));
          if (inbound.isEmpty() && entry.className().equals(INPUT_LAYER)) {
            inputs.add(id);
          }
        }
      }
      List<String> outputs = new ArrayList<>();
      for (Ref ref : outputRefs) {
        outputs.add(resolve(ref, "output_layers"));
      }
      return new Flat(name, inputs, outputs);
    }

    private static int callCount(Entry entry) {
      return Math.max(1, entry.nodes().size());
    }

    /** The flat id of the layer that produces tensor {@code ref}. */
    private String resolve(Ref ref, String consumer) {
      String bound = boundInputs.get(ref.layer());
      if (bound != null) {
        return bound;
      }
      Entry target = entries.get(ref.layer());
      if (target == null) {
        throw new KerasFormatException(
            where
                + ": layer \""
                + consumer
                + "\" takes input from \""
                + ref.layer()
                + "\", which is not one of its layers");
      }
      int calls = target.isModel() ? target.nodes().size() : callCount(target);
      if (ref.node() < 0 || ref.node() >= calls) {
        throw new KerasFormatException(
            where
                + ": layer \""
                + consumer
                + "\" takes input from call "
                + ref.node()
                + " of \""
                + ref.layer()
                + "\", which is called "
                + calls
                + " time(s)");
      }
      if (!target.isModel()) {
        return ids.get(new Ref(ref.layer(), ref.node(), 0));
      }
      List<String> outputs = nested(target, ref.node()).outputs();
      if (ref.tensor() < 0 || ref.tensor() >= outputs.size()) {
        throw new KerasFormatException(
            where
                + ": layer \""
                + consumer
                + "\" takes output "
                + ref.tensor()
                + " of nested model \""
                + ref.layer()
                + "\", which has "
                + outputs.size());
      }
      return outputs.get(ref.tensor());
    }

    /** Expands call {@code n} of a nested model once; later references reuse it. */
    private Flat nested(Entry entry, int n) {
      String key = entry.name() + "@" + n;
      Flat done = nestedCalls.get(key);
      if (done != null) {
        return done;
      }
      if (!inProgress.add(key)) {
        throw new KerasFormatException(
            where + ": nested model \"" + entry.name() + "\" takes its own output as input");
      }
      List<String> bound = new ArrayList<>();
      for (Ref ref : entry.nodes().get(n)) {
        bound.add(resolve(ref, entry.name()));
      }
      String nestedPrefix = n == 0 ? entry.name() : entry.name() + "@" + n;
      String qualified = prefix == null ? nestedPrefix : prefix + "/" + nestedPrefix;
      Flat flat = flattenNested(entry, qualified, bound, n > 0);
      inProgress.remove(key);
      nestedCalls.put(key, flat);
      return flat;
    }

    private Flat flattenNested(Entry entry, String nestedPrefix, List<String> bound, boolean copy) {
      if (!copy) {
        return flattener.model(entry.json(), entry.name(), nestedPrefix, bound);
      }
      // A second call of a nested model: all of its layers get the call's prefix.
      flattener.forcing++;
      try {
        return flattener.model(entry.json(), entry.name(), nestedPrefix, bound);
      } finally {
        flattener.forcing--;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static String classOf(JsonNode entry, String layerName) {
    String cls = text(entry, "class_name");
    if (cls == null) {
      throw new KerasFormatException("layer \"" + layerName + "\" has no \"class_name\"");
    }
    return cls;
  }

  private static JsonNode configOf(JsonNode entry) {
    JsonNode config = entry.get("config");
    return config != null && config.isObject() ? config : JsonNodeFactory.instance.objectNode();
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node == null ? null : node.get(field);
    return value != null && value.isTextual() ? value.asText() : null;
  }

  /**
   * Tensor references anywhere below {@code node}: Keras 2 {@code [name, node, tensor, ...]} lists
   * and Keras 3 {@code __keras_tensor__} objects, in document order.
   */
  private static void collectRefs(JsonNode node, List<Ref> out, String owner) {
    if (node == null || node.isNull()) {
      return;
    }
    if (node.isObject()) {
      if ("__keras_tensor__".equals(text(node, "class_name"))) {
        JsonNode history = node.path("config").path("keras_history");
        if (!isRef(history)) {
          throw new KerasFormatException(
              "layer \""
                  + owner
                  + "\": a __keras_tensor__ has no keras_history [layer, node, tensor]");
        }
        out.add(refOf(history));
        return;
      }
      node.elements().forEachRemaining(value -> collectRefs(value, out, owner));
    } else if (node.isArray()) {
      if (isRef(node)) {
        out.add(refOf(node));
        return;
      }
      node.elements().forEachRemaining(value -> collectRefs(value, out, owner));
    }
  }

  /**
   * The tensors a Keras 2 TFOpLambda call takes as kwargs ({@code x + y} of two Keras tensors is
   * {@code ["x", 0, 0, {"y": ["y", 0, 0]}]}): its further operands, after the positional one.
   */
  private static void kwargRefs(JsonNode node, List<Ref> out, String owner) {
    for (JsonNode ref : keras2Refs(node)) {
      if (ref.size() > 3 && ref.get(3).isObject()) {
        collectRefs(ref.get(3), out, owner);
      }
    }
  }

  /**
   * The {@code [layer, node, tensor, kwargs]} references of a Keras 2 call: a TFOpLambda writes its
   * one reference as the call itself ({@code "inbound_nodes": [["re_lu", 0, 0, {"y": 3.0}]]}),
   * other layers a list of them.
   */
  private static List<JsonNode> keras2Refs(JsonNode node) {
    List<JsonNode> refs = new ArrayList<>();
    if (node != null && isRef(node)) {
      refs.add(node);
    } else if (node != null && node.isArray()) {
      node.forEach(ref -> {
        if (isRef(ref)) {
          refs.add(ref);
        }
      });
    }
    return refs;
  }

  /**
   * {@code config} with the non-tensor kwargs of call {@code n} as {@code call_kwargs}: a Keras 2
   * TFOpLambda keeps its scalar operands there ({@code x + 3.0} is {@code {"y": 3.0}}).
   */
  private static JsonNode withCallKwargs(JsonNode config, JsonNode layer, int n) {
    JsonNode node = layer.path("inbound_nodes").path(n);
    JsonNode kwargs = null;
    if (node.isArray()) {
      for (JsonNode ref : keras2Refs(node)) {
        if (ref.size() > 3 && ref.get(3).isObject()) {
          kwargs = ref.get(3);
          break;
        }
      }
    } else if (node.isObject() && node.path("kwargs").isObject()) {
      kwargs = node.get("kwargs");
    }
    if (kwargs == null) {
      return config;
    }
    ObjectNode values = JsonNodeFactory.instance.objectNode();
    kwargs
        .fields()
        .forEachRemaining(
            e -> {
              List<Ref> refs = new ArrayList<>();
              collectRefs(e.getValue(), refs, "kwargs");
              if (refs.isEmpty()) {
                values.set(e.getKey(), e.getValue());
              }
            });
    ObjectNode copy = ((ObjectNode) config).deepCopy();
    copy.set("call_kwargs", values);
    return copy;
  }

  private static boolean isRef(JsonNode node) {
    return node.isArray()
        && node.size() >= 3
        && node.get(0).isTextual()
        && node.get(1).isIntegralNumber()
        && node.get(2).isIntegralNumber();
  }

  private static Ref refOf(JsonNode node) {
    return new Ref(node.get(0).asText(), node.get(1).asInt(), node.get(2).asInt());
  }

  /** The config of the InputLayer Keras 2 would have put before a Sequential's first layer. */
  private static ObjectNode synthesizedInput(String id, JsonNode first, JsonNode sequential) {
    ObjectNode config = JsonNodeFactory.instance.objectNode();
    config.put("name", id);
    JsonNode firstConfig = first.path("config");
    JsonNode shape = null;
    for (String field : List.of("batch_input_shape", "batch_shape")) {
      if (firstConfig.path(field).isArray()) {
        shape = firstConfig.get(field);
        break;
      }
    }
    if (shape == null && firstConfig.path("input_shape").isArray()) {
      ArrayNode withBatch = JsonNodeFactory.instance.arrayNode().addNull();
      firstConfig.get("input_shape").forEach(withBatch::add);
      shape = withBatch;
    }
    if (shape == null && first.path("build_config").path("input_shape").isArray()) {
      shape = first.path("build_config").get("input_shape");
    }
    if (shape == null && sequential.path("build_input_shape").isArray()) {
      shape = sequential.get("build_input_shape");
    }
    if (shape != null) {
      config.set("batch_input_shape", shape.deepCopy());
    }
    JsonNode dtype = firstConfig.get("dtype");
    if (dtype != null && !dtype.isNull()) {
      config.set("dtype", dtype.deepCopy());
    }
    return config;
  }

  /** The layers in data-flow order; among layers ready together, the one found first. */
  private static List<KerasLayer> topological(List<KerasLayer> layers, String modelName) {
    Map<String, KerasLayer> byId = new LinkedHashMap<>();
    Map<String, Integer> position = new HashMap<>();
    for (KerasLayer layer : layers) {
      position.put(layer.name(), position.size());
      byId.put(layer.name(), layer);
    }
    Map<String, Integer> pending = new HashMap<>();
    Map<String, List<String>> consumers = new HashMap<>();
    PriorityQueue<String> ready = new PriorityQueue<>(Comparator.comparing(position::get));
    for (KerasLayer layer : layers) {
      Set<String> producers = new LinkedHashSet<>(layer.inbound());
      pending.put(layer.name(), producers.size());
      for (String producer : producers) {
        consumers.computeIfAbsent(producer, p -> new ArrayList<>()).add(layer.name());
      }
      if (producers.isEmpty()) {
        ready.add(layer.name());
      }
    }
    List<KerasLayer> sorted = new ArrayList<>(layers.size());
    Set<String> done = new HashSet<>();
    while (!ready.isEmpty()) {
      String id = ready.poll();
      sorted.add(byId.get(id));
      done.add(id);
      for (String consumer : consumers.getOrDefault(id, List.of())) {
        if (pending.merge(consumer, -1, Integer::sum) == 0) {
          ready.add(consumer);
        }
      }
    }
    if (sorted.size() < layers.size()) {
      throw new KerasFormatException(
          "model \"" + modelName + "\": layers form a cycle: " + cycle(byId, done));
    }
    return sorted;
  }

  /** One cycle among the layers not sorted, as {@code a → b → a}. */
  private static String cycle(Map<String, KerasLayer> byId, Set<String> done) {
    String start = null;
    for (String id : byId.keySet()) {
      if (!done.contains(id)) {
        start = id;
        break;
      }
    }
    // Walk inbound links among unsorted layers until a layer repeats.
    List<String> path = new ArrayList<>();
    String current = start;
    while (current != null && !path.contains(current)) {
      path.add(current);
      String next = null;
      for (String in : byId.get(current).inbound()) {
        if (!done.contains(in) && byId.containsKey(in)) {
          next = in;
          break;
        }
      }
      current = next;
    }
    if (current == null) {
      return String.join(", ", path);
    }
    List<String> loop = new ArrayList<>(path.subList(path.indexOf(current), path.size()));
    loop.add(current);
    Collections.reverse(loop);
    return String.join(" → ", loop);
  }

  private static String describe(JsonProcessingException e) {
    String message =
        e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
    message = message.replaceAll("\\s*\\R\\s*", " ").trim();
    JsonLocation location = e.getLocation();
    if (location != null && location.getLineNr() > 0) {
      message += " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
    return message;
  }

  private static String kind(JsonNode node) {
    if (node.isArray()) {
      return "a list";
    }
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isNumber()) {
      return "a number";
    }
    if (node.isNull()) {
      return "null";
    }
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }
}
