package io.jouleflow.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jouleflow.agent.it.ExampleService;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain a user builds: the example service under the agent, under load; a real
 * Prometheus with the shipped scrape config and rules scraping it; every query of the shipped
 * dashboards run against that Prometheus returns data for the example model.
 */
class DashboardEndToEndIT {

  private static final String MODEL = "tiny_resnet";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void everyDashboardQueryReturnsDataForTheExampleModel(@TempDir Path dir) throws Exception {
    Path prometheusBin = ExternalTool.require("prometheus", "apt-get install prometheus (.ci/run does)");
    int metricsPort = ExampleService.freePort();
    String agentOptions = "prometheus.port=" + metricsPort + ",trace.every=5,carbon.intensity=400"
        + ",samples=jdbc:sqlite:" + dir.resolve("samples.db");
    try (ExampleService svc = ExampleService.start(dir.resolve(MODEL), agentOptions, List.of())) {
      AtomicBoolean loading = new AtomicBoolean(true);
      AtomicInteger requests = new AtomicInteger();
      Thread load = new Thread(() -> {
        while (loading.get()) {
          try {
            svc.predict(4, requests.getAndIncrement());
          } catch (Exception e) {
            return; // the service went away; the queries below will say what is missing
          }
        }
      }, "load");
      load.start();
      int port = ExampleService.freePort();
      Process prometheus = startPrometheus(prometheusBin, dir, metricsPort, port);
      try {
        awaitReady(prometheus, port, dir.resolve("prometheus.log"));
        Map<String, List<JsonNode>> missing = runAll(port, Duration.ofSeconds(120));
        assertThat(missing).as("queries without data for model %s after %d requests (Prometheus log: %s)",
            MODEL, requests.get(), dir.resolve("prometheus.log")).isEmpty();
      } finally {
        loading.set(false);
        prometheus.destroy();
        prometheus.waitFor();
        load.join(10_000);
      }
    }
  }

  /** The shipped config with the example's agent as the only target, scraped every second. */
  private static Process startPrometheus(Path bin, Path dir, int metricsPort, int port)
      throws Exception {
    Path shipped = ExternalTool.dashboards().resolve("prometheus");
    Path conf = dir.resolve("prometheus");
    Files.createDirectories(conf.resolve("rules"));
    Files.copy(shipped.resolve("rules/jouleflow.rules.yml"), conf.resolve("rules/jouleflow.rules.yml"));
    String config = Files.readString(shipped.resolve("prometheus.yml"));
    String local = config.replace("scrape_interval: 15s", "scrape_interval: 1s")
        .replace("evaluation_interval: 15s", "evaluation_interval: 1s")
        .replace("\"127.0.0.1:9464\"", "\"127.0.0.1:" + metricsPort + "\"");
    assertThat(local).as("the shipped config's shape changed; adapt this test")
        .contains("scrape_interval: 1s", "evaluation_interval: 1s", "127.0.0.1:" + metricsPort);
    Files.writeString(conf.resolve("prometheus.yml"), local);
    return new ProcessBuilder(bin.toString(), "--config.file=" + conf.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
  }

  private static void awaitReady(Process prometheus, int port, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(prometheus.isAlive()).as("prometheus exited: %s", Files.readString(log)).isTrue();
      try {
        var r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(200);
    }
    throw new AssertionError("prometheus not ready in 60 s: " + Files.readString(log));
  }

  /**
   * Runs every dashboard query until each has data for the model (the live comparison is
   * refreshed every 5 s, rates need two scrapes); returns those still without it at the deadline,
   * with what they returned.
   */
  private static Map<String, List<JsonNode>> runAll(int port, Duration patience) throws Exception {
    Map<String, String> values = new LinkedHashMap<>(DashboardPromqlTest.ALL);
    values.put("model", MODEL);
    values.put("__rate_interval", "10s");
    values.put("__range", "1m");
    values.put("__range_s", "60");
    values.put("__interval", "2s");
    Map<String, String> pending = new LinkedHashMap<>();
    for (DashboardQueries d : DashboardQueries.shipped()) {
      for (DashboardQueries.Query q : d.queries()) {
        String expr = DashboardQueries.substitute(q.expr(), values);
        pending.put(d.file().getFileName() + ": " + q.where() + ": " + expr, expr);
      }
    }
    assertThat(pending).hasSizeGreaterThan(10);
    Map<String, List<JsonNode>> last = new LinkedHashMap<>();
    long deadline = System.nanoTime() + patience.toNanos();
    while (!pending.isEmpty() && System.nanoTime() < deadline) {
      last.clear();
      for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
        var e = it.next();
        List<JsonNode> result = query(port, e.getValue());
        if (hasDataForModel(result)) {
          it.remove();
        } else {
          last.put(e.getKey(), result);
        }
      }
      if (!pending.isEmpty()) {
        Thread.sleep(2000);
      }
    }
    return last;
  }

  /**
   * Data: at least one series with a finite value; and every series that carries a model label
   * carries the example model's.
   */
  static boolean hasDataForModel(List<JsonNode> result) {
    boolean finite = result.stream()
        .anyMatch(s -> Double.isFinite(Double.parseDouble(s.path("value").path(1).asText("NaN"))));
    boolean modelOk = result.stream().allMatch(s -> !s.path("metric").has("model")
        || MODEL.equals(s.path("metric").path("model").asText()));
    return finite && modelOk;
  }

  private static List<JsonNode> query(int port, String expr) throws Exception {
    var r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
        + URLEncoder.encode(expr, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode body = new ObjectMapper().readTree(r.body());
    assertThat(body.path("status").asText()).as("%s -> %s", expr, r.body()).isEqualTo("success");
    JsonNode result = body.path("data").path("result");
    List<JsonNode> series = new ArrayList<>();
    if ("scalar".equals(body.path("data").path("resultType").asText())) {
      series.add(new ObjectMapper().createObjectNode().set("value", result));
    } else {
      result.forEach(series::add);
    }
    return series;
  }
}
