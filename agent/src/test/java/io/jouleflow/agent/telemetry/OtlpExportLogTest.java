package io.jouleflow.agent.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.jouleflow.agent.log.AgentLog;
import io.opentelemetry.api.common.Attributes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** OTLP export failures are logged once when they start and once when export recovers. */
class OtlpExportLogTest {

  private final ByteArrayOutputStream log = new ByteArrayOutputStream();

  @AfterEach
  void restoreLog() {
    AgentLog.redirect(System.err, false);
  }

  private List<String> lines(String text) {
    return log.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(text)).toList();
  }

  @Test
  void aRefusingCollectorCostsOneWarningAndItsRecoveryOneLine() throws Exception {
    // A bound socket that does not listen: connections to its port are refused, and no other
    // process can take the port meanwhile.
    Socket refusing = new Socket();
    refusing.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    int port = refusing.getLocalPort();
    String endpoint = "http://127.0.0.1:" + port + "/v1/metrics";
    AgentLog.redirect(new PrintStream(log, true, StandardCharsets.UTF_8), false);
    try (AgentMetrics metrics = AgentMetrics.start("127.0.0.1", 0, endpoint, 1, new EagerOpStats(), () -> 0)) {
      metrics.recordRun(Attributes.of(AgentMetrics.MODEL, "m"), 0.01, false);
      awaitLines("is failing", 1, Duration.ofSeconds(20));
      Thread.sleep(3_500); // more failed exports (each one retried by the exporter for seconds)
      assertThat(lines("OTLP export to " + endpoint).stream().filter(l -> l.contains("WARN")))
          .singleElement().asString().startsWith("[jouleflow] WARN ").contains("is failing")
          .contains("ConnectException");

      refusing.close();
      HttpServer collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
      collector.createContext("/v1/metrics", exchange -> {
        exchange.getRequestBody().readAllBytes();
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
      });
      collector.start();
      try {
        // the warning says "works again" too: wait for the recovery line itself
        awaitLines(endpoint + " works again", 1, Duration.ofSeconds(30));
        Thread.sleep(2_500); // more successful exports
        List<String> otlp = lines("OTLP export to " + endpoint);
        assertThat(otlp).as("one warning, one recovery line, never one per attempt").hasSize(2);
        assertThat(otlp.get(1)).isEqualTo("[jouleflow] OTLP export to " + endpoint + " works again");
      } finally {
        collector.stop(0);
      }
    }
  }

  private void awaitLines(String text, int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (lines(text).size() < count && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(lines(text)).as("log lines containing '%s'", text).hasSizeGreaterThanOrEqualTo(count);
  }
}
