package example.service;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;

/**
 * {@code GET /health}: answers {@code ok} once the model is loaded and the server accepts requests.
 */
final class HealthHandler implements HttpHandler {

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!HttpResponses.requirePath(exchange, "/health")) {
        return;
      }
      if (!"GET".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "GET");
        HttpResponses.send(exchange, 405, HttpResponses.TEXT, "method not allowed");
        return;
      }
      HttpResponses.send(exchange, 200, HttpResponses.TEXT, "ok");
    }
  }
}
