package example.service;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writes complete, fixed-length HTTP responses. */
final class HttpResponses {

  static final String JSON = "application/json";
  static final String TEXT = "text/plain; charset=utf-8";

  private HttpResponses() {}

  /**
   * HttpServer routes by path prefix ({@code /predict} also receives {@code /predictx}); answers
   * 404 and returns false unless the request path is exactly {@code path}.
   */
  static boolean requirePath(HttpExchange exchange, String path) throws IOException {
    if (exchange.getRequestURI().getPath().equals(path)) {
      return true;
    }
    send(exchange, 404, TEXT, "not found: " + exchange.getRequestURI().getPath());
    return false;
  }

  static void send(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
