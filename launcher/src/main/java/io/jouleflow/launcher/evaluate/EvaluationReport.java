package io.jouleflow.launcher.evaluate;

import io.jouleflow.launcher.evaluate.PercentErrors.ErrorSummary;
import io.jouleflow.predictor.layers.LayerType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The results of an {@link Evaluation}, laid out as the paper's results table: one row per method;
 * columns the whole-model RMSPE against the measured model and against the measured sum of layers,
 * the share of models within ±10 % (both ways), and the RMSPE per layer type, for the types the
 * held-out models have (in the paper's order: Dense, Convolutional, Pooling, ...). As Markdown
 * ({@link #toMarkdown()}, {@value #MARKDOWN_FILE}) and CSV ({@link #toCsv()}, {@value #CSV_FILE});
 * all numbers in percent.
 *
 * @param split {@code family} or {@code fraction}
 * @param splitDescription how the folds were made, for people
 * @param hardwareProfile the samples' hardware profile
 * @param folds folds evaluated
 * @param heldOutArchitectures distinct held-out architectures ({@link Splits#architecture}) with
 *     whole-model samples
 * @param heldOutLayers scored held-out layers per type
 * @param methods one result per method, in the order run
 */
public record EvaluationReport(
    String split,
    String splitDescription,
    String hardwareProfile,
    int folds,
    int heldOutArchitectures,
    Map<String, Integer> heldOutLayers,
    List<MethodResult> methods) {

  public static final String MARKDOWN_FILE = "evaluation.md";
  public static final String CSV_FILE = "evaluation.csv";

  /**
   * One method's pooled scores.
   *
   * @param method the regressor's name
   * @param wholeModel predicted sum of layers against the measured whole model
   * @param sumOfLayers predicted sum of layers against the measured sum of layers
   * @param perType per layer type, predicted against measured layer energy
   */
  public record MethodResult(
      String method,
      ErrorSummary wholeModel,
      ErrorSummary sumOfLayers,
      Map<String, ErrorSummary> perType) {
    public MethodResult {
      perType = Map.copyOf(perType);
    }

    /** The RMSPE of a type, NaN if the held-out models had none. */
    public double rmspe(String layerType) {
      ErrorSummary s = perType.get(layerType);
      return s == null ? Double.NaN : s.rmspe();
    }
  }

  public EvaluationReport {
    heldOutLayers = Map.copyOf(heldOutLayers);
    methods = List.copyOf(methods);
  }

  /** Held-out model configurations scored against the measured whole model. */
  public int heldOutModels() {
    return methods.stream().mapToInt(m -> m.wholeModel().count()).max().orElse(0);
  }

  /** The layer types of the columns, in the paper's order, then any others by name. */
  public List<String> layerTypes() {
    List<String> types = new ArrayList<>(heldOutLayers.keySet());
    types.sort(
        Comparator.comparingInt(
                (String t) -> LayerType.fromLabel(t).map(Enum::ordinal).orElse(Integer.MAX_VALUE))
            .thenComparing(Comparator.naturalOrder()));
    return types;
  }

  /** The result of one method. */
  public Optional<MethodResult> method(String name) {
    return methods.stream().filter(m -> m.method().equals(name)).findFirst();
  }

  /** The manifest summary of one method. */
  public EvaluationSummary summary(String method) {
    MethodResult m =
        method(method).orElseThrow(() -> new NoSuchElementException("no method " + method));
    Map<String, Double> perType = new LinkedHashMap<>();
    for (String type : layerTypes()) {
      perType.put(type, m.rmspe(type));
    }
    return new EvaluationSummary(
        m.method(),
        split,
        m.wholeModel().count(),
        m.wholeModel().rmspe(),
        m.sumOfLayers().rmspe(),
        m.wholeModel().withinTenPercent(),
        m.sumOfLayers().withinTenPercent(),
        perType);
  }

  /** The table in Markdown, with a heading line and a line of held-out sample counts. */
  public String toMarkdown() {
    List<String> types = layerTypes();
    StringBuilder md = new StringBuilder();
    md.append(
        String.format(
            Locale.ROOT,
            "Held-out-architecture evaluation: %s; hardware %s; %d held-out model configurations"
                + " of %d architectures. RMSPE in %%, lower is better; ±10 %%: share of held-out"
                + " models predicted within 10 %%.%n%n",
            splitDescription,
            hardwareProfile,
            heldOutModels(),
            heldOutArchitectures));
    List<String> header =
        new ArrayList<>(
            List.of(
                "Method",
                "Whole model (vs measured model)",
                "Whole model (vs sum of layers)",
                "±10 % (vs measured model)",
                "±10 % (vs sum of layers)"));
    header.addAll(types);
    md.append(row(header)).append('\n');
    List<String> rule = new ArrayList<>(List.of("---"));
    for (int i = 1; i < header.size(); i++) {
      rule.add("---:");
    }
    md.append(row(rule)).append('\n');
    for (MethodResult m : methods) {
      List<String> cells = new ArrayList<>();
      cells.add(m.method());
      cells.add(percent(m.wholeModel().rmspe()));
      cells.add(percent(m.sumOfLayers().rmspe()));
      cells.add(share(m.wholeModel().withinTenPercent()));
      cells.add(share(m.sumOfLayers().withinTenPercent()));
      for (String type : types) {
        cells.add(percent(m.rmspe(type)));
      }
      md.append(row(cells)).append('\n');
    }
    StringJoiner counts = new StringJoiner(", ", "\nHeld-out layers scored: ", ".\n");
    for (String type : types) {
      counts.add(type + " " + heldOutLayers.get(type));
    }
    md.append(types.isEmpty() ? "\nHeld-out layers scored: none.\n" : counts.toString());
    return md.toString();
  }

  /** One row per method; numbers in percent with full precision, empty where there is none. */
  public String toCsv() {
    List<String> types = layerTypes();
    List<String> header =
        new ArrayList<>(
            List.of(
                "method",
                "split",
                "folds",
                "held_out_models",
                "rmspe_whole_model_pct",
                "rmspe_sum_of_layers_pct",
                "within_10pct_whole_model_pct",
                "within_10pct_sum_of_layers_pct"));
    for (String type : types) {
      header.add("rmspe_" + type + "_pct");
    }
    StringBuilder csv = new StringBuilder(String.join(",", header)).append('\n');
    for (MethodResult m : methods) {
      List<String> cells = new ArrayList<>();
      cells.add(csvText(m.method()));
      cells.add(csvText(split));
      cells.add(String.valueOf(folds));
      cells.add(String.valueOf(m.wholeModel().count()));
      cells.add(csvNumber(m.wholeModel().rmspe()));
      cells.add(csvNumber(m.sumOfLayers().rmspe()));
      cells.add(csvNumber(m.wholeModel().withinTenPercent()));
      cells.add(csvNumber(m.sumOfLayers().withinTenPercent()));
      for (String type : types) {
        cells.add(csvNumber(m.rmspe(type)));
      }
      csv.append(String.join(",", cells)).append('\n');
    }
    return csv.toString();
  }

  /**
   * Writes {@value #MARKDOWN_FILE} and {@value #CSV_FILE} into {@code dir} (created if missing),
   * replacing them.
   *
   * @return the two files
   */
  public List<Path> write(Path dir) {
    try {
      Files.createDirectories(dir);
      Path md = dir.resolve(MARKDOWN_FILE);
      Path csv = dir.resolve(CSV_FILE);
      Files.writeString(md, toMarkdown(), StandardCharsets.UTF_8);
      Files.writeString(csv, toCsv(), StandardCharsets.UTF_8);
      return List.of(md, csv);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the evaluation to " + dir + ": " + e.getMessage(), e);
    }
  }

  /** A fraction as a percent with two decimals ({@code 12.26}), {@code –} for NaN. */
  static String percent(double fraction) {
    return Double.isNaN(fraction) ? "–" : String.format(Locale.ROOT, "%.2f", fraction * 100);
  }

  private static String share(double fraction) {
    return Double.isNaN(fraction) ? "–" : String.format(Locale.ROOT, "%.1f %%", fraction * 100);
  }

  private static String row(List<String> cells) {
    return "| " + String.join(" | ", cells) + " |";
  }

  private static String csvNumber(double fraction) {
    return Double.isNaN(fraction) ? "" : String.valueOf(fraction * 100);
  }

  private static String csvText(String s) {
    return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
  }
}
