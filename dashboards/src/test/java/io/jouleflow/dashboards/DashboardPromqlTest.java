package io.jouleflow.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every PromQL expression of the shipped dashboards parses, checked by promtool. */
class DashboardPromqlTest {

  /** What Grafana puts in for the variables (All selected: a regex matching every value). */
  static final Map<String, String> ALL = Map.of(
      "datasource", "prometheus", "model", ".+", "layer", ".+",
      "__rate_interval", "1m", "__interval", "15s", "__range", "1h", "__range_s", "3600");

  @Test
  void theDashboardHasQueriesForEveryPanelAndVariable() throws Exception {
    List<DashboardQueries> dashboards = DashboardQueries.shipped();
    assertThat(dashboards).isNotEmpty();
    for (DashboardQueries d : dashboards) {
      assertThat(d.queries()).as(d.file().toString()).hasSizeGreaterThan(10);
      assertThat(d.queries()).filteredOn(DashboardQueries.Query::variable)
          .extracting(DashboardQueries.Query::where)
          .contains("variable model", "variable layer");
    }
  }

  @Test
  void everyExpressionParses(@TempDir Path dir) throws Exception {
    Path promtool = ExternalTool.require("promtool", "apt-get install prometheus (.ci/run does)");
    // promtool parses PromQL in rule files: one recording rule per dashboard expression.
    ObjectMapper json = new ObjectMapper();
    ObjectNode file = json.createObjectNode();
    ArrayNode rules = file.putArray("groups").addObject().put("name", "dashboard").putArray("rules");
    List<String> where = new ArrayList<>();
    for (DashboardQueries d : DashboardQueries.shipped()) {
      for (DashboardQueries.Query q : d.queries()) {
        rules.addObject().put("record", "dashboard_query_" + where.size())
            .put("expr", DashboardQueries.substitute(q.expr(), ALL));
        where.add(d.file().getFileName() + ": " + q.where());
      }
    }
    Path rulesFile = dir.resolve("dashboard-queries.yml"); // JSON is YAML
    json.writeValue(rulesFile.toFile(), file);
    var r = ExternalTool.run(dir, 60, List.of(promtool.toString(), "check", "rules", rulesFile.toString()));
    assertThat(r.exitCode()).as("%s\nqueries:\n%s", r.output(), String.join("\n", where)).isZero();
    assertThat(r.output()).contains("SUCCESS: " + where.size() + " rules found");
  }

  @Test
  void promtoolRejectsABrokenExpression(@TempDir Path dir) throws Exception {
    // The check above is only worth something if promtool really parses the expressions.
    Path promtool = ExternalTool.require("promtool", "apt-get install prometheus (.ci/run does)");
    Files.writeString(dir.resolve("bad.yml"), "{\"groups\":[{\"name\":\"d\",\"rules\":[{\"record\":\"x\","
        + "\"expr\":\"sum by (model) (rate(jouleflow_inference_runs_total[1m])\"}]}]}");
    var r = ExternalTool.run(dir, 60, List.of(promtool.toString(), "check", "rules", "bad.yml"));
    assertThat(r.exitCode()).isNotZero();
  }

  @Test
  void substitutionFollowsGrafanasSyntaxes() {
    assertThat(DashboardQueries.substitute(
        "rate(x{model=~\"$model\",layer=~\"${layer}\"}[$__rate_interval]) [[model]]", ALL))
        .isEqualTo("rate(x{model=~\".+\",layer=~\".+\"}[1m]) .+");
  }
}
