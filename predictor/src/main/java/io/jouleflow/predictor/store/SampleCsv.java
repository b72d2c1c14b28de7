package io.jouleflow.predictor.store;

import io.jouleflow.predictor.layers.LayerFeatures;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Samples as gzipped CSV, the form a dataset is committed and shared in.
 *
 * <p>One header row, then one row per sample; fields are quoted (RFC 4180) only where they hold a
 * comma, a quote or a line break; lines end in {@code \n}. The columns are those of the table
 * ({@link SampleSchema#LAYER_COLUMNS}, {@link SampleSchema#MODEL_COLUMNS}), except that a layer
 * sample's {@code features} become one column {@code feature_<name>} per feature: every name of
 * {@link LayerFeatures#NAMES} in that order, then any other names present, sorted. An unknown
 * number (NaN, no prediction, a feature the layer lacks) is an empty field. Numbers are written
 * exactly: whole numbers without a fraction, others as {@link Double#toString(double)}.
 *
 * <p>Reading finds columns by name, so their order may differ; an empty {@code sample_key} is
 * derived as for a new sample. Files written before schema version 2 lack {@code protocol} (the
 * origin's default then) and the machine-load columns (not recorded).
 */
final class SampleCsv {

  static final String LAYER_FILE = "layer_samples.csv.gz";
  static final String MODEL_FILE = "model_samples.csv.gz";
  static final String HARDWARE_FILE = "hardware_profiles.csv.gz";
  static final String FEATURE_PREFIX = "feature_";

  private SampleCsv() {}

  static void writeLayerSamples(Path file, List<LayerSample> samples) throws IOException {
    Set<String> extra = new TreeSet<>();
    for (LayerSample sample : samples) {
      extra.addAll(sample.features().keySet());
    }
    extra.removeAll(LayerFeatures.NAMES);
    List<String> features = new ArrayList<>(LayerFeatures.NAMES);
    features.addAll(extra);

    List<String> header = new ArrayList<>(SampleSchema.LAYER_COLUMNS);
    header.remove("features");
    features.forEach(name -> header.add(FEATURE_PREFIX + name));
    List<List<String>> rows = new ArrayList<>();
    for (LayerSample s : samples) {
      List<String> row =
          new ArrayList<>(
              List.of(
                  SampleTime.format(s.time()),
                  s.hardwareProfile(),
                  s.meterSource(),
                  s.origin(),
                  s.sampleKey(),
                  s.model(),
                  s.config(),
                  s.layer(),
                  s.layerType(),
                  Integer.toString(s.batchSize()),
                  number(s.joulesPerInference()),
                  number(s.secondsPerInference()),
                  Long.toString(s.runsAveraged()),
                  number(s.predictedJoules()),
                  s.protocol()));
      features.forEach(name -> row.add(number(s.features().get(name))));
      rows.add(row);
    }
    write(file, header, rows);
  }

  static void writeModelSamples(Path file, List<ModelSample> samples) throws IOException {
    List<List<String>> rows = new ArrayList<>();
    for (ModelSample s : samples) {
      rows.add(
          List.of(
              SampleTime.format(s.time()),
              s.hardwareProfile(),
              s.meterSource(),
              s.origin(),
              s.sampleKey(),
              s.model(),
              s.config(),
              Integer.toString(s.batchSize()),
              number(s.joulesPerInference()),
              number(s.secondsPerInference()),
              Long.toString(s.runsAveraged()),
              number(s.predictedJoules()),
              Integer.toString(s.layerCount()),
              number(s.additivityFactor()),
              number(s.sumOfLayerJoules()),
              s.protocol(),
              number(s.machineLoad() == null ? null : s.machineLoad().otherCpuShare()),
              number(s.machineLoad() == null ? null : s.machineLoad().stealShare())));
    }
    write(file, SampleSchema.MODEL_COLUMNS, rows);
  }

  static List<LayerSample> readLayerSamples(Path file) throws IOException {
    List<String> required = new ArrayList<>(SampleSchema.LAYER_COLUMNS);
    required.remove("features");
    required.removeAll(SampleSchema.ADDED_COLUMNS);
    return read(
        file,
        required,
        row -> {
          Map<String, Double> features = new LinkedHashMap<>();
          row.columns()
              .forEach(
                  column -> {
                    if (column.startsWith(FEATURE_PREFIX) && !row.get(column).isEmpty()) {
                      features.put(column.substring(FEATURE_PREFIX.length()), row.number(column));
                    }
                  });
          return new LayerSample(
              row.time(),
              row.get("hardware_profile"),
              row.get("meter_source"),
              row.get("origin"),
              row.get("model"),
              row.get("config"),
              row.get("layer"),
              row.get("layer_type"),
              features,
              row.integer("batch_size"),
              row.number("joules_per_inference"),
              row.number("seconds_per_inference"),
              row.longInteger("runs_averaged"),
              row.numberOrNull("predicted_joules"),
              row.keyOrNull(),
              row.optional("protocol"));
        });
  }

  static List<ModelSample> readModelSamples(Path file) throws IOException {
    return read(
        file,
        SampleSchema.MODEL_COLUMNS.stream()
            .filter(c -> !SampleSchema.ADDED_COLUMNS.contains(c)).toList(),
        row ->
            new ModelSample(
                row.time(),
                row.get("hardware_profile"),
                row.get("meter_source"),
                row.get("origin"),
                row.get("model"),
                row.get("config"),
                row.integer("batch_size"),
                row.number("joules_per_inference"),
                row.number("seconds_per_inference"),
                row.longInteger("runs_averaged"),
                row.numberOrNull("predicted_joules"),
                row.integer("layer_count"),
                row.numberOrNull("additivity_factor"),
                row.numberOrNull("sum_of_layer_joules"),
                row.keyOrNull(),
                row.optional("protocol"),
                row.optional("other_cpu_share") == null ? null
                    : new MachineLoad(row.numberOrNull("other_cpu_share"),
                        row.optional("steal_share") == null ? 0 : row.number("steal_share"))));
  }

  /**
   * The hardware descriptions: {@code hardware_profile}, then a {@code feature_<name>} column per
   * hardware feature (sorted); a profile lacking one has an empty field.
   */
  static void writeHardware(Path file, Map<String, Map<String, Double>> described)
      throws IOException {
    Set<String> names = new TreeSet<>();
    described.values().forEach(f -> names.addAll(f.keySet()));
    List<String> header = new ArrayList<>(List.of("hardware_profile"));
    names.forEach(n -> header.add(FEATURE_PREFIX + n));
    List<List<String>> rows = new ArrayList<>();
    described.forEach((profile, features) -> {
      List<String> row = new ArrayList<>(List.of(profile));
      names.forEach(n -> row.add(number(features.get(n))));
      rows.add(row);
    });
    write(file, header, rows);
  }

  /** The inverse of {@link #writeHardware}; empty where the file is absent (older exports). */
  static Map<String, Map<String, Double>> readHardware(Path file) throws IOException {
    Map<String, Map<String, Double>> described = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return described;
    }
    for (Map.Entry<String, Map<String, Double>> e : read(file, List.of("hardware_profile"),
        row -> {
          Map<String, Double> features = new LinkedHashMap<>();
          row.columns().forEach(column -> {
            if (column.startsWith(FEATURE_PREFIX) && !row.get(column).isEmpty()) {
              features.put(column.substring(FEATURE_PREFIX.length()), row.number(column));
            }
          });
          return Map.entry(row.get("hardware_profile"), features);
        })) {
      described.put(e.getKey(), e.getValue());
    }
    return described;
  }

  /** Whole numbers without a fraction (most features are counts), others exactly; NaN empty. */
  static String number(Double value) {
    if (value == null || value.isNaN()) {
      return "";
    }
    double v = value;
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  /** Writes to a temporary file first, so that a failed export leaves the old file in place. */
  private static void write(Path file, List<String> header, List<List<String>> rows)
      throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path partial = Files.createTempFile(dir, file.getFileName().toString(), ".partial");
    try {
      try (Writer out =
          new BufferedWriter(
              new OutputStreamWriter(
                  new GZIPOutputStream(Files.newOutputStream(partial)), StandardCharsets.UTF_8))) {
        writeRow(out, header);
        for (List<String> row : rows) {
          writeRow(out, row);
        }
      }
      Files.move(
          partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  private static void writeRow(Writer out, List<String> fields) throws IOException {
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      String field = fields.get(i);
      if (field.indexOf(',') >= 0
          || field.indexOf('"') >= 0
          || field.indexOf('\n') >= 0
          || field.indexOf('\r') >= 0) {
        out.write('"');
        out.write(field.replace("\"", "\"\""));
        out.write('"');
      } else {
        out.write(field);
      }
    }
    out.write('\n');
  }

  private static <T> List<T> read(Path file, List<String> required, Function<Row, T> sample)
      throws IOException {
    String text;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<List<String>> records = parse(text, file);
    if (records.isEmpty()) {
      throw new IllegalArgumentException(file.getFileName() + ": no header row");
    }
    Map<String, Integer> index = new LinkedHashMap<>();
    List<String> header = records.get(0);
    for (int i = 0; i < header.size(); i++) {
      if (index.putIfAbsent(header.get(i), i) != null) {
        throw new IllegalArgumentException(
            file.getFileName() + ": column " + header.get(i) + " appears twice");
      }
    }
    Set<String> missing = new LinkedHashSet<>(required);
    missing.remove("sample_key");
    missing.removeAll(index.keySet());
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(file.getFileName() + ": no column " + missing);
    }
    List<T> samples = new ArrayList<>();
    for (int r = 1; r < records.size(); r++) {
      List<String> fields = records.get(r);
      if (fields.size() != header.size()) {
        throw new IllegalArgumentException(
            file.getFileName()
                + " record "
                + r
                + ": "
                + fields.size()
                + " fields, the header has "
                + header.size());
      }
      try {
        samples.add(sample.apply(new Row(index, fields)));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            file.getFileName() + " record " + r + ": " + SampleStore.reason(e), e);
      }
    }
    return samples;
  }

  /** RFC 4180 records; a line break inside quotes belongs to the field. */
  static List<List<String>> parse(String text, Path file) {
    List<List<String>> records = new ArrayList<>();
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean any = false; // whether the current record has begun
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i++);
      if (quoted) {
        if (c == '"') {
          if (i < text.length() && text.charAt(i) == '"') {
            field.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
        any = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
        any = true;
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i < text.length() && text.charAt(i) == '\n') {
          i++;
        }
        if (any || field.length() > 0) {
          fields.add(field.toString());
          records.add(fields);
        }
        fields = new ArrayList<>();
        field.setLength(0);
        any = false;
      } else {
        field.append(c);
        any = true;
      }
    }
    if (quoted) {
      throw new IllegalArgumentException(file.getFileName() + ": a quoted field does not end");
    }
    if (any || field.length() > 0) {
      fields.add(field.toString());
      records.add(fields);
    }
    return records;
  }

  /** One record, read by column name. */
  private record Row(Map<String, Integer> index, List<String> fields) {

    Set<String> columns() {
      return index.keySet();
    }

    String get(String column) {
      return fields.get(index.get(column));
    }

    Instant time() {
      return SampleTime.parse(get("observed_at"));
    }

    int integer(String column) {
      return Integer.parseInt(get(column));
    }

    long longInteger(String column) {
      return Long.parseLong(get(column));
    }

    double number(String column) {
      String text = get(column);
      return text.isEmpty() ? Double.NaN : Double.parseDouble(text);
    }

    Double numberOrNull(String column) {
      String text = get(column);
      return text.isEmpty() ? null : Double.valueOf(text);
    }

    /** A column that files written before it existed lack: null when absent or empty. */
    String optional(String column) {
      Integer at = index.get(column);
      return at == null || fields.get(at).isEmpty() ? null : fields.get(at);
    }

    String keyOrNull() {
      Integer at = index.get("sample_key");
      return at == null || fields.get(at).isEmpty() ? null : fields.get(at);
    }
  }
}
