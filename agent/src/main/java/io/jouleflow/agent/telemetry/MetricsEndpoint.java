package io.jouleflow.agent.telemetry;

import io.jouleflow.agent.log.AgentLog;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * The Prometheus scrape endpoint: {@code GET /metrics} over a plain server socket.
 *
 * <p>Why not the JDK's {@code com.sun.net.httpserver} (which the OpenTelemetry exporter uses): it
 * reads its configuration ({@code sun.net.httpserver.nodelay} and friends) once per JVM, when its
 * first server starts. An agent that started one first would silently fix that configuration for
 * the application's own HTTP server — measured: 48 ms instead of 6 ms per request for the example
 * service, which sets nodelay at start-up. So the agent stays out of that class entirely.
 *
 * <p>One daemon thread serves every connection with a {@link Selector}: request heads are read
 * without blocking, so a connection that sends nothing holds no one up — a scrape is answered
 * while others sit idle. A request head is read up to 8 KiB; a connection gets one deadline
 * (10 s) for its request and response, after which it is closed; and at most {@link
 * #MAX_CONNECTIONS} are open, the oldest dropped when another arrives. A slow or hostile client
 * can neither grow memory nor hold the endpoint, and nothing in the application waits on it.
 */
public final class MetricsEndpoint implements AutoCloseable {

  static final int DEADLINE_MILLIS = 10_000;
  static final int MAX_CONNECTIONS = 128;
  private static final int MAX_HEAD_BYTES = 8 * 1024;

  private final ServerSocketChannel server;
  private final Selector selector;
  private final PrometheusMetricReader reader;
  private final ExpositionFormats formats;
  private final Thread thread;
  private final long deadlineNanos;
  /** Open connections, oldest first (so also by deadline). */
  private final Set<Connection> connections = new LinkedHashSet<>();
  private volatile boolean closed;

  /** One client connection: its request head so far, then its response. */
  private static final class Connection {
    final SocketChannel channel;
    final long deadline;
    final ByteBuffer head = ByteBuffer.allocate(MAX_HEAD_BYTES);
    ByteBuffer response;

    Connection(SocketChannel channel, long deadline) {
      this.channel = channel;
      this.deadline = deadline;
    }
  }

  private MetricsEndpoint(
      ServerSocketChannel server, Selector selector, PrometheusMetricReader reader, int deadlineMillis) {
    this.server = server;
    this.selector = selector;
    this.reader = reader;
    this.deadlineNanos = deadlineMillis * 1_000_000L;
    this.formats = ExpositionFormats.init();
    this.thread = new Thread(this::serve, "jouleflow-metrics");
    thread.setDaemon(true);
  }

  /** Binds {@code host:port} (throws when it cannot) and starts serving. */
  public static MetricsEndpoint start(String host, int port, PrometheusMetricReader reader)
      throws IOException {
    return start(host, port, reader, DEADLINE_MILLIS);
  }

  /** As {@link #start(String, int, PrometheusMetricReader)} with a per-connection deadline. */
  static MetricsEndpoint start(String host, int port, PrometheusMetricReader reader, int deadlineMillis)
      throws IOException {
    ServerSocketChannel channel = ServerSocketChannel.open();
    Selector selector = null;
    try {
      channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      channel.bind(new InetSocketAddress(InetAddress.getByName(host), port), MAX_CONNECTIONS);
      channel.configureBlocking(false);
      selector = Selector.open();
      channel.register(selector, SelectionKey.OP_ACCEPT);
    } catch (IOException | RuntimeException e) {
      channel.close();
      if (selector != null) {
        selector.close();
      }
      throw e;
    }
    MetricsEndpoint endpoint = new MetricsEndpoint(channel, selector, reader, deadlineMillis);
    endpoint.thread.start();
    return endpoint;
  }

  public int port() {
    return server.socket().getLocalPort();
  }

  private void serve() {
    try {
      while (!closed) {
        try {
          selector.select(this::ready, 1_000);
          closeExpired();
        } catch (IOException | RuntimeException e) {
          // Whatever one connection does, the endpoint keeps serving the next.
          AgentLog.debug("metrics endpoint: " + e);
          if (e instanceof ClosedSelectorException) {
            return; // nothing left to serve with
          }
          LockSupport.parkNanos(10_000_000L); // a failure that repeats must not spin a core
        }
      }
    } finally {
      connections.forEach(MetricsEndpoint::closeQuietly);
      connections.clear();
      try {
        selector.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }

  private void ready(SelectionKey key) {
    Connection c = (Connection) key.attachment();
    try {
      if (c == null) {
        if (key.isAcceptable()) {
          acceptAll();
        }
      } else if (key.isReadable()) {
        read(key, c);
      } else if (key.isWritable()) {
        write(c);
      }
    } catch (IOException | RuntimeException | LinkageError e) {
      AgentLog.debug("metrics request failed: " + e);
      if (c != null) {
        close(c);
      }
    }
  }

  private void acceptAll() {
    try {
      SocketChannel channel;
      while ((channel = server.accept()) != null) {
        if (connections.size() >= MAX_CONNECTIONS) {
          close(connections.iterator().next()); // the oldest: the one nearest its deadline
        }
        channel.configureBlocking(false);
        Connection c = new Connection(channel, System.nanoTime() + deadlineNanos);
        channel.register(selector, SelectionKey.OP_READ, c);
        connections.add(c);
      }
    } catch (IOException e) {
      AgentLog.debug("metrics accept failed: " + e);
    }
  }

  private void read(SelectionKey key, Connection c) throws IOException {
    int n = c.channel.read(c.head);
    if (n < 0) {
      close(c);
      return;
    }
    byte[] response;
    if (headComplete(c.head)) {
      response = respond(new String(c.head.array(), 0, c.head.position(), StandardCharsets.ISO_8859_1));
      if (response == null) {
        close(c);
        return;
      }
    } else if (!c.head.hasRemaining()) {
      response = response("431 Request Header Fields Too Large", "text/plain; charset=utf-8",
          bytes("request head over " + MAX_HEAD_BYTES + " bytes\n"), true);
    } else {
      return;
    }
    c.response = ByteBuffer.wrap(response);
    key.interestOps(SelectionKey.OP_WRITE);
    write(c);
  }

  private void write(Connection c) throws IOException {
    c.channel.write(c.response);
    if (!c.response.hasRemaining()) {
      close(c);
    }
  }

  /** Whether the head read so far ends with an empty line (CRLF CRLF, or bare LF LF). */
  private static boolean headComplete(ByteBuffer head) {
    byte[] b = head.array();
    int n = head.position();
    return n >= 2 && b[n - 1] == '\n'
        && (b[n - 2] == '\n' || (n >= 4 && b[n - 2] == '\r' && b[n - 3] == '\n'));
  }

  private void closeExpired() {
    long now = System.nanoTime();
    Iterator<Connection> oldestFirst = connections.iterator();
    while (oldestFirst.hasNext()) {
      Connection c = oldestFirst.next();
      if (c.deadline - now > 0) {
        return;
      }
      oldestFirst.remove();
      closeQuietly(c);
    }
  }

  private void close(Connection c) {
    connections.remove(c);
    closeQuietly(c);
  }

  private static void closeQuietly(Connection c) {
    try {
      c.channel.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  /** The whole response to a request head; null for an empty request (closed unanswered). */
  private byte[] respond(String head) throws IOException {
    String[] lines = head.split("\r?\n");
    String requestLine = lines.length == 0 ? "" : lines[0];
    if (requestLine.isEmpty()) {
      return null;
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
      return response("405 Method Not Allowed", "text/plain; charset=utf-8", bytes("GET /metrics\n"), true);
    }
    String path = parts[1];
    int query = path.indexOf('?');
    if (query >= 0) {
      path = path.substring(0, query);
    }
    if (!path.equals("/metrics") && !path.equals("/")) {
      return response("404 Not Found", "text/plain; charset=utf-8", bytes("see /metrics\n"), true);
    }
    ExpositionFormatWriter writer = writerFor(accept);
    ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
    writer.write(body, reader.collect());
    return response("200 OK", writer.getContentType(), body.toByteArray(), !parts[0].equals("HEAD"));
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

  private static byte[] response(String status, String contentType, byte[] body, boolean withBody) {
    byte[] head = ("HTTP/1.1 " + status + "\r\n"
        + "Content-Type: " + contentType + "\r\n"
        + "Content-Length: " + body.length + "\r\n"
        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    if (!withBody) {
      return head;
    }
    byte[] all = new byte[head.length + body.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    return all;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close(); // frees the port now; the serving thread closes the connections
    } catch (IOException ignored) {
      // closing
    }
    selector.wakeup();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "MetricsEndpoint[%s]", server.socket().getLocalSocketAddress());
  }
}
