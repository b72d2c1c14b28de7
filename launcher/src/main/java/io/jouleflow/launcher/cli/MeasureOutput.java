package io.jouleflow.launcher.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jouleflow.launcher.measure.LayerCost;
import io.jouleflow.launcher.measure.MeasureReport;
import io.jouleflow.launcher.report.HtmlReport;
import io.jouleflow.predictor.model.GraphPrediction;
import io.jouleflow.predictor.model.ModelSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code measure}'s JSON ({@code layers}, {@code total}, {@code source}, {@code protocol}, {@code machine_load}, {@code additivity_factor}), CSV and HTML output. */
final class MeasureOutput {

  private static final ObjectMapper JSON = new ObjectMapper();

  private MeasureOutput() {}

  static String json(MeasureReport r) {
    ObjectNode root = JSON.createObjectNode();
    root.put("model", r.model());
    root.put("config", r.config());
    root.put("batch", r.batch());
    ArrayNode layers = root.putArray("layers");
    for (LayerCost c : r.rows()) {
      ObjectNode l = layers.addObject();
      l.put("name", c.layer().id());
      l.put("type", c.layer().type().label());
      l.put("joules", c.cost().joules());
      l.put("seconds", c.cost().seconds());
    }
    ObjectNode total = root.putObject("total");
    total.put("joules", r.whole().joules());
    total.put("seconds", r.whole().seconds());
    total.put("runs", r.whole().runs());
    root.put("source", r.source());
    root.put("protocol", r.protocol());
    if (r.machineLoad() != null) {
      ObjectNode load = root.putObject("machine_load");
      load.put("other_cpu_share", r.machineLoad().otherCpuShare());
      load.put("steal_share", r.machineLoad().stealShare());
      load.put("busy", r.machineLoad().busy());
    }
    if (r.additivityFactor() != null) {
      root.put("additivity_factor", r.additivityFactor());
    }
    return root.toString();
  }

  static String csv(MeasureReport r) {
    StringBuilder s = new StringBuilder("name,type,joules,seconds\n");
    for (LayerCost c : r.rows()) {
      s.append(String.format(Locale.ROOT, "%s,%s,%.9g,%.9g%n", c.layer().id(),
          c.layer().type().label(), c.cost().joules(), c.cost().seconds()));
    }
    s.append(String.format(Locale.ROOT, "_total,Model,%.9g,%.9g%n", r.whole().joules(), r.whole().seconds()));
    return s.toString();
  }

  /**
   * The page: a measured bar per layer, labelled {@code estimate} when the estimate meter gave the
   * energy, and the bar {@code predict} would print for the same layer by {@code set} (null: no
   * predicted bars; a layer the set cannot predict gets none).
   */
  static String html(MeasureReport r, boolean measured, ModelSet set, String machineProfile) {
    String label = measured ? "measured" : HtmlReport.ESTIMATE;
    List<String> facts = new ArrayList<>();
    facts.add("source " + r.source() + (measured ? "" : ": an estimate, not a measurement"));
    facts.add(String.format(Locale.ROOT, "whole model: %.4f mJ and %.4f ms per inference (%s, %d runs)",
        r.whole().joules() * 1e3, r.whole().seconds() * 1e3, label, r.whole().runs()));
    if (!r.layers().isEmpty()) {
      facts.add(r.overhead() != null
          ? String.format(Locale.ROOT, "layers measured in place: %.4f mJ per inference, overhead %.4f"
              + " mJ (%s)", r.sumOfLayerJoules() * 1e3, r.overhead().cost().joules() * 1e3, label)
          : String.format(Locale.ROOT, "sum of layers measured alone: %.4f mJ per inference (%s)",
              r.sumOfLayerJoules() * 1e3, label));
    }
    if (r.additivityFactor() != null) {
      facts.add(String.format(Locale.ROOT, "additivity factor (whole / sum of layers): %.3f",
          r.additivityFactor()));
    }
    long reused = r.layers().stream().filter(LayerCost::reused).count();
    if (reused > 0) {
      facts.add(reused + " layers identical to an earlier one reuse its measurement");
    }
    if (r.layers().isEmpty()) {
      facts.add("whole model only: no layer was measured");
    } else if (set != null) {
      facts.add("predicted by " + PredictCommand.modelSetFact(set));
      GraphPrediction.otherHardware(set, machineProfile).ifPresent(w -> facts.add("warning: " + w));
    }
    List<HtmlReport.Row> rows = new ArrayList<>();
    for (LayerCost c : r.rows()) { // in place, the overhead row too
      rows.add(new HtmlReport.Row(c.layer().id(), c.layer().type().label(), predicted(set, c),
          c.cost().joules()));
    }
    String input = r.config().substring(r.config().indexOf('_') + 1);
    return HtmlReport.render(PredictCommand.title(r.model(), r.batch(), input,
        measured ? "measured energy per layer" : "energy per layer (estimate)"), facts, r.source(),
        rows);
  }

  private static double predicted(ModelSet set, LayerCost c) {
    if (set == null) {
      return Double.NaN;
    }
    try {
      return GraphPrediction.predict(set, c.layer()).joules();
    } catch (RuntimeException e) {
      return Double.NaN; // the page shows what was measured; a prediction is a bonus
    }
  }
}
