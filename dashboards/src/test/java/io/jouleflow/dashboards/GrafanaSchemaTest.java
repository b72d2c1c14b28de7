package io.jouleflow.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped dashboards type-check against Grafana's published schema types (npm
 * {@code @grafana/schema}, pinned in grafana/schema-check/package-lock.json) with TypeScript, plus
 * the structural checks of check.mjs; and a broken dashboard does not.
 */
class GrafanaSchemaTest {

  private static final String HINT = "install Node.js and npm (.ci/run does)";
  private static Path checker;

  @BeforeAll
  static void installChecker() throws Exception {
    Path npm = ExternalTool.require("npm", HINT);
    checker = ExternalTool.dashboards().resolve("grafana/schema-check");
    if (!Files.isDirectory(checker.resolve("node_modules/@grafana/schema"))) {
      var r = ExternalTool.run(checker, 600,
          List.of(npm.toString(), "ci", "--no-audit", "--no-fund", "--loglevel=error"));
      assertThat(r.exitCode()).as("npm ci in %s:\n%s", checker, r.output()).isZero();
    }
  }

  @Test
  void shippedDashboardsMatchGrafanasSchema() throws Exception {
    Path node = ExternalTool.require("node", HINT);
    var r = ExternalTool.run(checker, 300, List.of(node.toString(), "check.mjs"));
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("jouleflow-energy.json");
  }

  @Test
  void anUnknownKeyAndAWrongEnumValueAreCaught(@TempDir Path dir) throws Exception {
    Path node = ExternalTool.require("node", HINT);
    String json = Files.readString(ExternalTool.dashboards().resolve("grafana/jouleflow-energy.json"));
    assertThat(json).contains("\"graphTooltip\"");
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, json.replaceFirst("\"graphTooltip\"", "\"graphTooltipp\""));
    var r = ExternalTool.run(checker, 300, List.of(node.toString(), "check.mjs", broken.toString()));
    assertThat(r.exitCode()).as(r.output()).isNotZero();
    assertThat(r.output()).contains("graphTooltipp");

    Path badEnum = dir.resolve("bad-enum.json");
    assertThat(json).contains("\"mode\": \"normal\"");
    Files.writeString(badEnum, json.replaceFirst("\"mode\": \"normal\"", "\"mode\": \"nrmal\""));
    r = ExternalTool.run(checker, 300, List.of(node.toString(), "check.mjs", badEnum.toString()));
    assertThat(r.exitCode()).as(r.output()).isNotZero();
    assertThat(r.output()).contains("nrmal");
  }
}
