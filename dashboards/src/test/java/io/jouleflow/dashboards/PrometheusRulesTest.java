package io.jouleflow.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped scrape config and rules, checked and unit-tested by Prometheus' own promtool. */
class PrometheusRulesTest {

  private static final String HINT = "apt-get install prometheus (.ci/run does)";

  @Test
  void scrapeConfigAndItsRuleFilesAreValid() throws Exception {
    Path promtool = ExternalTool.require("promtool", HINT);
    var r = ExternalTool.run(ExternalTool.dashboards(), 60,
        List.of(promtool.toString(), "check", "config", "prometheus/prometheus.yml"));
    assertThat(r.exitCode()).as(r.output()).isZero();
    // The config really loads the rules (a config without rule_files would pass as well).
    assertThat(r.output()).contains("rules/jouleflow.rules.yml").contains("SUCCESS: 6 rules found");
  }

  @Test
  void recordingAndAlertingRulesPassTheirUnitTests() throws Exception {
    Path promtool = ExternalTool.require("promtool", HINT);
    var r = ExternalTool.run(ExternalTool.dashboards().resolve("prometheus/rules"), 60,
        List.of(promtool.toString(), "test", "rules", "jouleflow.rules.test.yml"));
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS");
  }

  @Test
  void theUnitTestsCatchAWrongAlertDelay(@TempDir Path dir) throws Exception {
    // The rule tests are only worth something if a broken rule fails them.
    Path promtool = ExternalTool.require("promtool", HINT);
    Path rules = ExternalTool.dashboards().resolve("prometheus/rules");
    Files.writeString(dir.resolve("jouleflow.rules.yml"),
        Files.readString(rules.resolve("jouleflow.rules.yml")).replace("for: 15m", "for: 5m"));
    Files.copy(rules.resolve("jouleflow.rules.test.yml"), dir.resolve("jouleflow.rules.test.yml"));
    var r = ExternalTool.run(dir, 60,
        List.of(promtool.toString(), "test", "rules", "jouleflow.rules.test.yml"));
    assertThat(r.exitCode()).as(r.output()).isNotZero();
    assertThat(r.output()).contains("JouleflowPredictionErrorHigh");
  }
}
