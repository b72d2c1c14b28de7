package io.jouleflow.predictor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jouleflow.predictor.measure.LayerCost;
import io.jouleflow.predictor.measure.MeasureReport;
import java.util.Locale;

/** {@code measure}'s JSON (as ARCHITECTURE.md specifies) and CSV output. */
final class MeasureOutput {

  private static final ObjectMapper JSON = new ObjectMapper();

  private MeasureOutput() {}

  static String json(MeasureReport r) {
    ObjectNode root = JSON.createObjectNode();
    root.put("model", r.model());
    root.put("config", r.config());
    root.put("batch", r.batch());
    ArrayNode layers = root.putArray("layers");
    for (LayerCost c : r.layers()) {
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
    if (r.additivityFactor() != null) {
      root.put("additivity_factor", r.additivityFactor());
    }
    return root.toString();
  }

  static String csv(MeasureReport r) {
    StringBuilder s = new StringBuilder("name,type,joules,seconds\n");
    for (LayerCost c : r.layers()) {
      s.append(String.format(Locale.ROOT, "%s,%s,%.9g,%.9g%n", c.layer().id(),
          c.layer().type().label(), c.cost().joules(), c.cost().seconds()));
    }
    s.append(String.format(Locale.ROOT, "_total,Model,%.9g,%.9g%n", r.whole().joules(), r.whole().seconds()));
    return s.toString();
  }
}
