package io.jouleflow.agent.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class MetricsEndpointTest {

  private PrometheusMetricReader reader;
  private SdkMeterProvider provider;
  private MetricsEndpoint endpoint;

  @BeforeEach
  void setUp() throws Exception {
    reader = PrometheusMetricReader.create();
    provider = SdkMeterProvider.builder().registerMetricReader(reader).build();
    provider.get("test").counterBuilder("jouleflow.test.things").setUnit("{thing}").build().add(3);
    endpoint = MetricsEndpoint.start("127.0.0.1", 0, reader, 1_000);
  }

  @AfterEach
  void tearDown() {
    endpoint.close();
    provider.shutdown();
  }

  private String request(String raw) throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), endpoint.port())) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void servesTheMetricsInPrometheusTextFormat() throws Exception {
    String response = request("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200 OK").contains("jouleflow_test_things_total{otel_scope_name=\"test\"} 3.0");
  }

  @Test
  void aProtobufScrapeGetsTheTextFormat() throws Exception {
    // What Prometheus asks for with native histograms; the shaded protobuf cannot write it.
    String response = request("GET /metrics HTTP/1.1\r\nAccept: application/vnd.google.protobuf;"
        + "proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,"
        + "text/plain;version=0.0.4;q=0.3\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200 OK").contains("Content-Type: text/plain")
        .contains("jouleflow_test_things_total{otel_scope_name=\"test\"} 3.0");
    response = request("GET /metrics HTTP/1.1\r\nAccept: application/vnd.google.protobuf;"
        + "proto=io.prometheus.client.MetricFamily;encoding=delimited\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200 OK").contains("Content-Type: text/plain")
        .contains("jouleflow_test_things_total{otel_scope_name=\"test\"} 3.0");
  }

  @Test
  void aGarbageAcceptHeaderGetsTheTextFormat() throws Exception {
    for (String accept : new String[] {"\u00ff\u0001;;;=", "application/json", "*/*;q=x", "", ";"}) {
      String response = request("GET /metrics HTTP/1.1\r\nAccept: " + accept + "\r\n\r\n");
      assertThat(response).as(accept).startsWith("HTTP/1.1 200 OK")
          .contains("Content-Type: text/plain")
          .contains("jouleflow_test_things_total{otel_scope_name=\"test\"} 3.0");
    }
  }

  @Test
  void otherPathsAndMethodsAreRefused() throws Exception {
    assertThat(request("GET /other HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 404");
    assertThat(request("POST /metrics HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 405");
  }

  @Test
  void anOversizedRequestHeadIsRefusedAndTheNextScrapeWorks() throws Exception {
    String huge = "GET /metrics HTTP/1.1\r\nX-Junk: " + "a".repeat(20_000) + "\r\n\r\n";
    assertThat(request(huge)).startsWith("HTTP/1.1 431");
    assertThat(request("GET /metrics HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 200");
  }

  @Test
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aScrapeAnswersWithinOneSecondWhile500IdleConnectionsAreOpen() throws Exception {
    List<Socket> idle = new ArrayList<>();
    try {
      for (int i = 0; i < 500; i++) {
        Socket s = new Socket();
        idle.add(s);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), endpoint.port()), 2_000);
        if (i % 2 == 0) {
          s.getOutputStream().write("GET /metr".getBytes(StandardCharsets.ISO_8859_1)); // half a request
        }
      }
      for (int i = 0; i < 3; i++) {
        long t0 = System.nanoTime();
        String response = request("GET /metrics HTTP/1.1\r\n\r\n");
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(response).startsWith("HTTP/1.1 200");
        assertThat(tookMillis).as("scrape %d took", i).isLessThan(1_000);
      }
    } finally {
      for (Socket s : idle) {
        s.close();
      }
    }
  }

  @Test
  void aClientThatSendsNothingIsCutOffAtTheDeadline() throws Exception {
    try (Socket idle = new Socket(InetAddress.getLoopbackAddress(), endpoint.port())) {
      idle.getOutputStream().write("GET /metr".getBytes(StandardCharsets.ISO_8859_1));
      long t0 = System.nanoTime();
      String response = request("GET /metrics HTTP/1.1\r\n\r\n"); // queued behind the idle one
      long waitedMillis = (System.nanoTime() - t0) / 1_000_000;
      assertThat(response).startsWith("HTTP/1.1 200");
      assertThat(waitedMillis).isLessThan(4_000); // the 1 s deadline freed the endpoint
    }
  }
}
