package io.jouleflow.launcher.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoadDriverTest {

  private HttpServer server;
  private final List<String> queries = new CopyOnWriteArrayList<>();

  private String serve(int failAt) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/predict", exchange -> {
      queries.add(exchange.getRequestURI().getQuery());
      boolean fail = queries.size() == failAt;
      byte[] body = (fail ? "model not loaded\nmore" : "[0.1]").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(fail ? 500 : 200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void sendsSequentialRequestsWithIncreasingSeedsAndReportsProgressAboutOnceASecond()
      throws Exception {
    LoadDriver load = new LoadDriver(serve(-1), 4);
    List<LoadDriver.Progress> progress = new CopyOnWriteArrayList<>();

    LoadDriver.Progress total = load.run(Duration.ofMillis(2300), progress::add, () -> true);

    assertThat(total.requests()).isEqualTo(queries.size()).isPositive();
    assertThat(queries.subList(0, 3)).containsExactly("batch=4&seed=0", "batch=4&seed=1",
        "batch=4&seed=2");
    assertThat(total.elapsedSeconds()).isBetween(2.3, 10.0);
    assertThat(progress).hasSizeBetween(1, 2);
    assertThat(progress.get(0).line()).matches("\\d+ requests, \\d+\\.\\d req/s, [12] s left");
  }

  @Test
  void aFailedRequestStopsTheLoadWithOneLineNamingItAndTheAnswer() throws Exception {
    LoadDriver load = new LoadDriver(serve(3), 4);

    assertThatThrownBy(() -> load.run(Duration.ofSeconds(30), p -> { }, () -> true))
        .isInstanceOf(LoadDriver.RequestFailed.class)
        .hasMessageEndingWith("/predict?batch=4&seed=2) answered HTTP 500: model not loaded")
        .hasMessageStartingWith("request 3 (http://127.0.0.1:");
  }

  @Test
  void aServiceThatIsGoneIsNamedAsSuch() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    LoadDriver load = new LoadDriver("http://127.0.0.1:" + port, 4);

    assertThatThrownBy(() -> load.run(Duration.ofSeconds(30), p -> { }, () -> false))
        .isInstanceOf(LoadDriver.RequestFailed.class)
        .hasMessageEndingWith("failed: the service has exited");
  }

  @Test
  void aBusyPortIsNotFree() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThat(ServiceProcess.portFree(s.getLocalPort())).isFalse();
    }
  }

  @Test
  void tensorFlowsNativeLogLinesAreToldFromTheVerbsOwn() {
    assertThat(PredictRun.nativeLogLine(
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"))
        .isTrue();
    assertThat(PredictRun.nativeLogLine("I0000 00:00:1795738525.843161   23709"
        + " mlir_graph_optimization_pass.cc:401] MLIR V1 optimization pass is not enabled")).isTrue();
    assertThat(PredictRun.nativeLogLine("2026-11-27 00:10:51.732607: I"
        + " tensorflow/cc/saved_model/reader.cc:83] Reading SavedModel from: /x")).isTrue();
    assertThat(PredictRun.nativeLogLine("warning: the model set was trained on hardware profile"
        + " a, this machine is b")).isFalse();
    assertThat(PredictRun.nativeLogLine("jouleflow: no such file")).isFalse();
  }
}
