package io.jouleflow.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every PromQL expression of a Grafana dashboard: the panels' targets (rows' nested panels
 * included) and the selectors inside the query variables' {@code label_values(...)}, with
 * Grafana's variables replaced the way Grafana would before sending them to Prometheus.
 */
record DashboardQueries(Path file, List<DashboardQueries.Query> queries) {

  /** One expression; {@code where} names the panel and refId, or the variable. */
  record Query(String where, String expr, boolean variable) {}

  private static final Pattern LABEL_VALUES =
      Pattern.compile("^\\s*label_values\\((.*),\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)\\s*$", Pattern.DOTALL);

  /** The dashboards shipped in {@code grafana/}. */
  static List<DashboardQueries> shipped() throws IOException {
    try (Stream<Path> files = Files.list(ExternalTool.dashboards().resolve("grafana"))) {
      List<DashboardQueries> all = new ArrayList<>();
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        all.add(read(f));
      }
      return all;
    }
  }

  static DashboardQueries read(Path file) throws IOException {
    JsonNode root = new ObjectMapper().readTree(file.toFile());
    List<Query> queries = new ArrayList<>();
    collectPanels(root.path("panels"), queries);
    for (JsonNode v : root.path("templating").path("list")) {
      if (!"query".equals(v.path("type").asText())) {
        continue;
      }
      JsonNode q = v.path("query");
      String text = q.isObject() ? q.path("query").asText() : q.asText();
      Matcher m = LABEL_VALUES.matcher(text);
      if (m.matches()) {
        queries.add(new Query("variable " + v.path("name").asText(), m.group(1), true));
      } else if (!text.isBlank() && !text.trim().startsWith("label_values(")) {
        queries.add(new Query("variable " + v.path("name").asText(), text, true));
      }
    }
    return new DashboardQueries(file, List.copyOf(queries));
  }

  private static void collectPanels(JsonNode panels, List<Query> into) {
    for (JsonNode p : panels) {
      for (JsonNode t : p.path("targets")) {
        String expr = t.path("expr").asText("");
        if (!expr.isBlank()) {
          into.add(new Query("panel \"" + p.path("title").asText() + "\" " + t.path("refId").asText(),
              expr, false));
        }
      }
      collectPanels(p.path("panels"), into); // collapsed rows keep their panels inside
    }
  }

  /** Replaces {@code $name}, {@code ${name}} and {@code [[name]]} by the given values. */
  static String substitute(String expr, Map<String, String> values) {
    Matcher m = Pattern.compile("\\$\\{([a-zA-Z0-9_]+)(?::[a-z]+)?}|\\$([a-zA-Z0-9_]+)|\\[\\[([a-zA-Z0-9_]+)]]")
        .matcher(expr);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
      String value = values.get(name);
      if (value == null) {
        throw new IllegalArgumentException("unknown variable $" + name + " in: " + expr);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
