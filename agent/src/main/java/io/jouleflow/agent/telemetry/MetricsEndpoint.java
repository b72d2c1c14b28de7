package io.jouleflow.agent.telemetry;

import io.jouleflow.agent.log.AgentLog;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The Prometheus scrape endpoint: {@code GET /metrics} over a plain server socket.
 *
 * <p>Why not the JDK's {@code com.sun.net.httpserver} (which the OpenTelemetry exporter uses): it
 * reads its configuration ({@code sun.net.httpserver.nodelay} and friends) once per JVM, when its
 * first server starts. An agent that started one first would silently fix that configuration for
 * the application's own HTTP server — measured: 48 ms instead of 6 ms per request for the example
 * service, which sets nodelay at start-up. So the agent stays out of that class entirely.
 *
 * <p>Scrapes are served one at a time on a daemon thread, with read timeouts; the endpoint never
 * blocks anything else in the application.
 */
public final class MetricsEndpoint implements AutoCloseable {

  private static final int TIMEOUT_MILLIS = 10_000;
  private static final int MAX_HEADER_LINES = 100;

  private final ServerSocket server;
  private final PrometheusMetricReader reader;
  private final ExpositionFormats formats;
  private final Thread thread;

  private MetricsEndpoint(ServerSocket server, PrometheusMetricReader reader) {
    this.server = server;
    this.reader = reader;
    this.formats = ExpositionFormats.init();
    this.thread = new Thread(this::serve, "jouleflow-metrics");
    thread.setDaemon(true);
  }

  /** Binds {@code host:port} (throws when it cannot) and starts serving. */
  public static MetricsEndpoint start(String host, int port, PrometheusMetricReader reader)
      throws IOException {
    ServerSocket socket = new ServerSocket();
    try {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), port), 50);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
    MetricsEndpoint endpoint = new MetricsEndpoint(socket, reader);
    endpoint.thread.start();
    return endpoint;
  }

  public int port() {
    return server.getLocalPort();
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket client = server.accept()) {
        client.setSoTimeout(TIMEOUT_MILLIS);
        handle(client);
      } catch (SocketException closed) {
        if (server.isClosed()) {
          return;
        }
      } catch (IOException | RuntimeException e) {
        AgentLog.debug("metrics request failed: " + e);
      }
    }
  }

  private void handle(Socket client) throws IOException {
    BufferedReader in = new BufferedReader(
        new InputStreamReader(client.getInputStream(), StandardCharsets.ISO_8859_1));
    String requestLine = in.readLine();
    if (requestLine == null) {
      return;
    }
    String accept = null;
    String line;
    int lines = 0;
    while ((line = in.readLine()) != null && !line.isEmpty() && lines++ < MAX_HEADER_LINES) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("accept")) {
        accept = line.substring(colon + 1).trim();
      }
    }
    String[] parts = requestLine.split(" ");
    OutputStream out = client.getOutputStream();
    if (parts.length < 2 || !(parts[0].equals("GET") || parts[0].equals("HEAD"))) {
      respond(out, "405 Method Not Allowed", "text/plain; charset=utf-8", bytes("GET /metrics\n"), true);
      return;
    }
    String path = parts[1];
    int query = path.indexOf('?');
    if (query >= 0) {
      path = path.substring(0, query);
    }
    if (!path.equals("/metrics") && !path.equals("/")) {
      respond(out, "404 Not Found", "text/plain; charset=utf-8", bytes("see /metrics\n"), true);
      return;
    }
    ExpositionFormatWriter writer = formats.findWriter(accept);
    ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
    writer.write(body, reader.collect());
    respond(out, "200 OK", writer.getContentType(), body.toByteArray(), !parts[0].equals("HEAD"));
  }

  private static void respond(
      OutputStream out, String status, String contentType, byte[] body, boolean withBody)
      throws IOException {
    String head = "HTTP/1.1 " + status + "\r\n"
        + "Content-Type: " + contentType + "\r\n"
        + "Content-Length: " + body.length + "\r\n"
        + "Connection: close\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    if (withBody) {
      out.write(body);
    }
    out.flush();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "MetricsEndpoint[%s]", server.getLocalSocketAddress());
  }
}
