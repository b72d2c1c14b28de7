package io.jouleflow.launcher.demo;

import io.jouleflow.launcher.demo.PrometheusText.Sample;
import io.jouleflow.launcher.report.HtmlReport;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What the agent observed for one model after the load, next to the prediction: the summary the
 * demo prints. Observed time and energy per inference come from the agent's counters over the
 * whole run ({@code jouleflow_layer_duration_seconds_total}, {@code
 * jouleflow_layer_energy_joules_total} over {@code jouleflow_layer_samples_total}), so {@code
 * _unattributed} is a row like the others; predicted energy is the agent's live gauge {@code
 * jouleflow_layer_energy_predicted_joules}.
 */
public final class DemoReport {

  public static final String RUNS = "jouleflow_inference_runs_total";
  public static final String DURATION_SUM = "jouleflow_inference_duration_seconds_sum";
  public static final String ENERGY = "jouleflow_inference_energy_joules_total";
  public static final String LAYER_DURATION = "jouleflow_layer_duration_seconds_total";
  public static final String LAYER_ENERGY = "jouleflow_layer_energy_joules_total";
  public static final String LAYER_SAMPLES = "jouleflow_layer_samples_total";
  public static final String OBSERVED = "jouleflow_layer_energy_observed_joules";
  public static final String PREDICTED = "jouleflow_layer_energy_predicted_joules";
  public static final String UNATTRIBUTED = "_unattributed";

  /** One layer as the agent saw it, per inference. */
  public record Row(String layer, String type, double seconds, double joules, Double predicted) {}

  /**
   * The launcher's prediction ({@code jouleflow predict --format csv}): joules per inference per
   * layer, in the model's order, and the total.
   */
  public record Prediction(Map<String, Double> layers, Map<String, String> types, double total) {

    /** Parses {@code name,type,flops,joules,share,fallback} rows and the {@code _total} row. */
    public static Prediction parseCsv(String csv) {
      Map<String, Double> layers = new LinkedHashMap<>();
      Map<String, String> types = new LinkedHashMap<>();
      double total = Double.NaN;
      List<String> lines = csv.lines().filter(l -> !l.isBlank()).toList();
      if (lines.isEmpty() || !lines.get(0).startsWith("name,")) {
        throw new IllegalArgumentException("not the predict CSV: no header 'name,...'");
      }
      for (String line : lines.subList(1, lines.size())) {
        List<String> f = csvFields(line);
        if (f.size() < 4) {
          throw new IllegalArgumentException("predict CSV row with " + f.size() + " fields: " + line);
        }
        double joules = Double.parseDouble(f.get(3));
        if (f.get(0).equals("_total")) {
          total = joules;
        } else {
          layers.put(f.get(0), joules);
          types.put(f.get(0), f.get(1));
        }
      }
      if (Double.isNaN(total)) {
        total = layers.values().stream().mapToDouble(Double::doubleValue).sum();
      }
      return new Prediction(layers, types, total);
    }

    private static List<String> csvFields(String line) {
      List<String> fields = new ArrayList<>();
      StringBuilder f = new StringBuilder();
      boolean quoted = false;
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        if (quoted) {
          if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
            f.append('"');
            i++;
          } else if (c == '"') {
            quoted = false;
          } else {
            f.append(c);
          }
        } else if (c == '"') {
          quoted = true;
        } else if (c == ',') {
          fields.add(f.toString());
          f.setLength(0);
        } else {
          f.append(c);
        }
      }
      fields.add(f.toString());
      return fields;
    }
  }

  private final String model;
  private final long runs;
  private final double meanSeconds;
  private final double joulesPerInference;
  private final TreeSet<String> sources;
  private final List<Row> rows;

  private DemoReport(String model, long runs, double meanSeconds, double joulesPerInference,
      TreeSet<String> sources, List<Row> rows) {
    this.model = model;
    this.runs = runs;
    this.meanSeconds = meanSeconds;
    this.joulesPerInference = joulesPerInference;
    this.sources = sources;
    this.rows = rows;
  }

  /** True when the agent has compared observed with predicted energy for {@code model} yet. */
  public static boolean hasComparison(PrometheusText scrape, String model) {
    return !scrape.series(OBSERVED, PrometheusText.labelled("model", model)).isEmpty();
  }

  /** The report for {@code model} from one scrape. */
  public static DemoReport of(PrometheusText scrape, String model) {
    Predicate<Sample> ofModel = PrometheusText.labelled("model", model);
    long runs = Math.round(scrape.sum(RUNS, ofModel));
    double seconds = scrape.sum(DURATION_SUM, ofModel);
    double joules = scrape.sum(ENERGY, ofModel);
    TreeSet<String> sources = new TreeSet<>();
    scrape.series(ENERGY, ofModel).forEach(s -> {
      if (s.label("source") != null) {
        sources.add(s.label("source"));
      }
    });

    Map<String, String> types = new LinkedHashMap<>();
    Map<String, Double> layerSeconds = new LinkedHashMap<>();
    Map<String, Double> layerJoules = new LinkedHashMap<>();
    Map<String, Double> layerSamples = new LinkedHashMap<>();
    Map<String, Double> predicted = new LinkedHashMap<>();
    collect(scrape, LAYER_DURATION, ofModel, types, layerSeconds);
    collect(scrape, LAYER_ENERGY, ofModel, types, layerJoules);
    collect(scrape, LAYER_SAMPLES, ofModel, types, layerSamples);
    collect(scrape, PREDICTED, ofModel, types, predicted);

    List<Row> rows = new ArrayList<>();
    for (String layer : types.keySet()) {
      if (!layerSeconds.containsKey(layer) && !layerJoules.containsKey(layer)) {
        continue; // predicted only: not a layer the agent saw run
      }
      double samples = layerSamples.getOrDefault(layer, (double) runs);
      rows.add(new Row(layer, types.get(layer),
          samples > 0 ? layerSeconds.getOrDefault(layer, 0.0) / samples : 0,
          samples > 0 ? layerJoules.getOrDefault(layer, 0.0) / samples : 0,
          predicted.get(layer)));
    }
    rows.sort(Comparator.comparingDouble(Row::joules).reversed().thenComparing(Row::layer));
    return new DemoReport(model, runs, runs > 0 ? seconds / runs : 0,
        runs > 0 ? joules / runs : 0, sources, rows);
  }

  /** Sums a metric per {@code layer} label (over devices and sources), noting each layer's type. */
  private static void collect(PrometheusText scrape, String metric, Predicate<Sample> ofModel,
      Map<String, String> types, Map<String, Double> into) {
    for (Sample s : scrape.series(metric, ofModel)) {
      String layer = s.label("layer");
      if (layer == null) {
        continue;
      }
      types.putIfAbsent(layer, s.label("layer_type") == null ? "" : s.label("layer_type"));
      into.merge(layer, s.value(), Double::sum);
    }
  }

  /**
   * The rows of the demo's HTML page: the model's layers in its order (observed where the agent
   * saw the layer run, predicted from the agent's gauge, else from the launcher's prediction),
   * then what only the agent has ({@code _unattributed}).
   */
  public List<HtmlReport.Row> htmlRows(Prediction prediction) {
    Map<String, Row> observed = new LinkedHashMap<>();
    rows.forEach(r -> observed.put(r.layer(), r));
    List<HtmlReport.Row> page = new ArrayList<>();
    Map<String, Double> predictedLayers = prediction == null ? Map.of() : prediction.layers();
    for (var e : predictedLayers.entrySet()) {
      Row r = observed.remove(e.getKey());
      double predicted = r != null && r.predicted() != null ? r.predicted() : e.getValue();
      page.add(new HtmlReport.Row(e.getKey(),
          r == null ? prediction.types().getOrDefault(e.getKey(), "") : r.type(), predicted, r == null ? Double.NaN : r.joules()));
    }
    for (Row r : observed.values()) {
      page.add(new HtmlReport.Row(r.layer(), r.type(),
          r.predicted() == null ? Double.NaN : r.predicted(), r.joules()));
    }
    return page;
  }

  /** Device energy per inference over the load (all meters). */
  public double joulesPerInference() {
    return joulesPerInference;
  }

  public long runs() {
    return runs;
  }

  public List<Row> rows() {
    return rows;
  }

  /** The meter sources, joined: {@code estimate}, {@code nvml}, {@code nvml+rapl}. */
  public String source() {
    return sources.isEmpty() ? "none" : String.join("+", sources);
  }

  /**
   * Prints the headline (inferences, latency, energy and its source), the per-layer table with a
   * total row, and the layers that were predicted but have no op of their own at run time.
   *
   * @param prediction the launcher's prediction for the same model and batch, for the total and
   *     the predicted-only layers; null when it is not available
   */
  public void print(PrintWriter out, Prediction prediction) {
    String src = source();
    out.printf(Locale.ROOT,
        "inferences: %d, mean latency %.2f ms, energy %.3f mJ per inference (source: %s%s)%n",
        runs, meanSeconds * 1e3, joulesPerInference * 1e3, src,
        sources.contains("estimate") ? ", an estimate, not a measurement" : "");
    int width = Math.max(24, rows.stream().mapToInt(r -> r.layer().length()).max().orElse(0));
    String line = "%-" + width + "s %-14s %13s %16s %7s %17s%n";
    out.printf(Locale.ROOT, line, "LAYER", "TYPE", "ms/INFERENCE", "OBSERVED mJ/INF", "SHARE",
        "PREDICTED mJ/INF");
    double totalJoules = rows.stream().mapToDouble(Row::joules).sum();
    double totalSeconds = rows.stream().mapToDouble(Row::seconds).sum();
    for (Row r : rows) {
      out.printf(Locale.ROOT, line, r.layer(), r.type(), ms(r.seconds()), mj(r.joules()),
          share(r.joules(), totalJoules), r.predicted() == null ? "-" : mj(r.predicted()));
    }
    Double predictedTotal = prediction != null ? Double.valueOf(prediction.total())
        : rows.stream().anyMatch(r -> r.predicted() != null)
            ? rows.stream().filter(r -> r.predicted() != null).mapToDouble(Row::predicted).sum()
            : null;
    out.printf(Locale.ROOT, line, "total", "", ms(totalSeconds), mj(totalJoules),
        share(totalJoules, totalJoules), predictedTotal == null ? "-" : mj(predictedTotal));
    if (prediction != null) {
      List<String> unseen = new ArrayList<>();
      prediction.layers().forEach((layer, joules) -> {
        if (rows.stream().noneMatch(r -> r.layer().equals(layer))) {
          unseen.add(layer + " " + mj(joules));
        }
      });
      if (!unseen.isEmpty()) {
        out.println("predicted, but no op of their own ran (mJ/inference): "
            + String.join(", ", unseen) + ";");
        out.println(" TensorFlow's graph optimizer fused their ops into a neighbouring layer (an"
            + " activation into the");
        out.println(" batch normalization before it), or they run none (an input): their observed"
            + " energy is in that");
        out.println(" layer's row, their predicted energy only in the predicted total.");
      }
    }
    out.flush();
  }

  private static String ms(double seconds) {
    return String.format(Locale.ROOT, "%.3f", seconds * 1e3);
  }

  private static String mj(double joules) {
    return String.format(Locale.ROOT, "%.3f", joules * 1e3);
  }

  private static String share(double part, double total) {
    return total > 0 ? String.format(Locale.ROOT, "%.1f %%", 100 * part / total) : "-";
  }

  public String model() {
    return model;
  }
}
