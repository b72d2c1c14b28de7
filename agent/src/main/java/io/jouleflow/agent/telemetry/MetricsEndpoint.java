package io.jouleflow.agent.telemetry;

import io.jouleflow.agent.log.AgentLog;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Prometheus scrape endpoint: {@code GET /metrics} over a plain server socket.
 *
 * <p>Why not the JDK's {@code com.sun.net.httpserver} (which the OpenTelemetry exporter uses): it
 * reads its configuration ({@code sun.net.httpserver.nodelay} and friends) once per JVM, when its
 * first server starts. An agent that started one first would silently fix that configuration for
 * the application's own HTTP server — measured: 48 ms instead of 6 ms per request for the example
 * service, which sets nodelay at start-up. So the agent stays out of that class entirely.
 *
 * <p>Scrapes are served one at a time on a daemon thread. A request head is read up to 8 KiB, and
 * each connection has one deadline (10 s) after which a watchdog closes it, so a slow or hostile
 * client can neither grow memory nor hold the endpoint; nothing else in the application waits on
 * it.
 */
public final class MetricsEndpoint implements AutoCloseable {

  static final int DEADLINE_MILLIS = 10_000;
  private static final int MAX_HEAD_BYTES = 8 * 1024;

  private final ServerSocket server;
  private final PrometheusMetricReader reader;
  private final ExpositionFormats formats;
  private final Thread thread;
  private final ScheduledExecutorService watchdog;
  private final int deadlineMillis;

  private MetricsEndpoint(ServerSocket server, PrometheusMetricReader reader, int deadlineMillis) {
    this.deadlineMillis = deadlineMillis;
    this.server = server;
    this.reader = reader;
    this.formats = ExpositionFormats.init();
    this.thread = new Thread(this::serve, "jouleflow-metrics");
    thread.setDaemon(true);
    this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "jouleflow-metrics-watchdog");
      t.setDaemon(true);
      return t;
    });
  }

  /** Binds {@code host:port} (throws when it cannot) and starts serving. */
  public static MetricsEndpoint start(String host, int port, PrometheusMetricReader reader)
      throws IOException {
    return start(host, port, reader, DEADLINE_MILLIS);
  }

  /** As {@link #start(String, int, PrometheusMetricReader)} with a per-connection deadline. */
  static MetricsEndpoint start(String host, int port, PrometheusMetricReader reader, int deadlineMillis)
      throws IOException {
    ServerSocket socket = new ServerSocket();
    try {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), port), 50);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
    MetricsEndpoint endpoint = new MetricsEndpoint(socket, reader, deadlineMillis);
    endpoint.thread.start();
    return endpoint;
  }

  public int port() {
    return server.getLocalPort();
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket client = server.accept()) {
        ScheduledFuture<?> deadline =
            watchdog.schedule(() -> closeQuietly(client), deadlineMillis, TimeUnit.MILLISECONDS);
        try {
          client.setSoTimeout(deadlineMillis);
          handle(client);
        } finally {
          deadline.cancel(false);
        }
      } catch (SocketException closed) {
        if (server.isClosed()) {
          return;
        }
      } catch (Throwable e) {
        // Whatever one request does, the endpoint keeps serving the next.
        AgentLog.debug("metrics request failed: " + e);
      }
    }
  }

  /** The request head (request line and headers), at most {@link #MAX_HEAD_BYTES}; null if longer. */
  private static String readHead(InputStream in) throws IOException {
    byte[] buf = new byte[MAX_HEAD_BYTES];
    int n = 0;
    int b;
    while ((b = in.read()) >= 0) {
      if (n == buf.length) {
        return null;
      }
      buf[n++] = (byte) b;
      if (n >= 2 && buf[n - 1] == '\n'
          && (buf[n - 2] == '\n' || (n >= 4 && buf[n - 2] == '\r' && buf[n - 3] == '\n'))) {
        break;
      }
    }
    return new String(buf, 0, n, StandardCharsets.ISO_8859_1);
  }

  private void handle(Socket client) throws IOException {
    InputStream in = new BufferedInputStream(client.getInputStream());
    OutputStream out = client.getOutputStream();
    String head = readHead(in);
    if (head == null) {
      respond(out, "431 Request Header Fields Too Large", "text/plain; charset=utf-8",
          bytes("request head over " + MAX_HEAD_BYTES + " bytes\n"), true);
      return;
    }
    String[] lines = head.split("\r?\n");
    String requestLine = lines.length == 0 ? "" : lines[0];
    if (requestLine.isEmpty()) {
      return;
    }
    String accept = null;
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0 && lines[i].substring(0, colon).trim().equalsIgnoreCase("accept")) {
        accept = lines[i].substring(colon + 1).trim();
      }
    }
    String[] parts = requestLine.split(" ");
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
    ExpositionFormatWriter writer = writerFor(accept);
    ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
    writer.write(body, reader.collect());
    respond(out, "200 OK", writer.getContentType(), body.toByteArray(), !parts[0].equals("HEAD"));
  }

  /**
   * OpenMetrics when asked for, else the Prometheus text format: for any other Accept header too,
   * and for protobuf, whose writer needs a newer protobuf than the one shaded here (TensorFlow's).
   */
  private ExpositionFormatWriter writerFor(String accept) {
    ExpositionFormatWriter openMetrics = formats.getOpenMetricsTextFormatWriter();
    return accept != null && openMetrics.accepts(accept)
        ? openMetrics : formats.getPrometheusTextFormatWriter();
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

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public void close() {
    watchdog.shutdownNow();
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
