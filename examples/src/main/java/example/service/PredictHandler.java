package example.service;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code /predict}: GET classifies {@code batch} random images drawn from {@code
 * java.util.Random(seed)}; POST classifies the posted little-endian float32 images. Answers the
 * three most probable classes per image.
 */
final class PredictHandler implements HttpHandler {

  static final int MAX_BATCH = 256;
  static final int TOP_K = 3;

  private final ImageClassifier classifier;

  PredictHandler(ImageClassifier classifier) {
    this.classifier = classifier;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!HttpResponses.requirePath(exchange, "/predict")) {
        return;
      }
      try {
        String method = exchange.getRequestMethod();
        float[] pixels;
        int batch;
        if ("GET".equals(method)) {
          Map<String, String> query = parseQuery(exchange, Set.of("batch", "seed"));
          batch = batch(query);
          long seed = longParam(query, "seed", 0L);
          pixels = randomImages(batch, seed);
        } else if ("POST".equals(method)) {
          Map<String, String> query = parseQuery(exchange, Set.of("batch"));
          batch = batch(query);
          pixels = postedImages(exchange, batch);
        } else {
          exchange.getResponseHeaders().set("Allow", "GET, POST");
          throw new HttpError(405, "method " + method + " not allowed, use GET or POST");
        }
        List<List<ClassScore>> top = new ArrayList<>(batch);
        for (float[] probabilities : classifier.classify(pixels, batch)) {
          top.add(ClassScore.top(probabilities, TOP_K));
        }
        HttpResponses.send(exchange, 200, HttpResponses.JSON, PredictionJson.predictions(top));
      } catch (HttpError e) {
        HttpResponses.send(
            exchange, e.status, HttpResponses.JSON, PredictionJson.error(e.getMessage()));
      } catch (RuntimeException e) {
        HttpResponses.send(
            exchange, 500, HttpResponses.JSON, PredictionJson.error(String.valueOf(e)));
      }
    }
  }

  private float[] randomImages(int batch, long seed) {
    Random random = new Random(seed);
    float[] pixels = new float[batch * classifier.valuesPerImage()];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = random.nextFloat();
    }
    return pixels;
  }

  private float[] postedImages(HttpExchange exchange, int batch) throws IOException {
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    if (contentType != null && !contentType.startsWith("application/octet-stream")) {
      throw new HttpError(
          415, "expected Content-Type application/octet-stream, got " + contentType);
    }
    long expectedBytes = (long) batch * classifier.valuesPerImage() * Float.BYTES;
    if (expectedBytes >= Integer.MAX_VALUE) {
      throw new HttpError(413, "batch=" + batch + " needs " + expectedBytes + " bytes, too many");
    }
    int expected = (int) expectedBytes;
    // One byte more than needed tells an over-long body apart without buffering all of it;
    // the rest is drained so the connection stays usable.
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readNBytes(expected + 1);
      if (body.length != expected) {
        long received = body.length + in.transferTo(OutputStream.nullOutputStream());
        throw new HttpError(
            400,
            String.format(
                Locale.ROOT,
                "body must be batch*%d*%d*3 float32 = %d bytes for batch=%d, got %d",
                classifier.inputSize(),
                classifier.inputSize(),
                expected,
                batch,
                received));
      }
    }
    float[] pixels = new float[batch * classifier.valuesPerImage()];
    ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(pixels);
    return pixels;
  }

  private static int batch(Map<String, String> query) {
    long batch = longParam(query, "batch", 1L);
    if (batch < 1 || batch > MAX_BATCH) {
      throw new HttpError(400, "batch must be in 1.." + MAX_BATCH + ", got " + batch);
    }
    return (int) batch;
  }

  private static long longParam(Map<String, String> query, String name, long defaultValue) {
    String value = query.get(name);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new HttpError(400, name + " must be an integer, got '" + value + "'");
    }
  }

  private static Map<String, String> parseQuery(HttpExchange exchange, Set<String> allowed) {
    Map<String, String> query = new LinkedHashMap<>();
    String raw = exchange.getRequestURI().getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return query;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      if (!allowed.contains(name)) {
        throw new HttpError(
            400, "unknown parameter '" + name + "', expected one of " + new TreeSet<>(allowed));
      }
      if (query.put(name, value) != null) {
        throw new HttpError(400, "parameter '" + name + "' given twice");
      }
    }
    return query;
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new HttpError(400, "malformed query: " + e.getMessage());
    }
  }

  /** A request the service refuses, with the HTTP status to answer. */
  private static final class HttpError extends RuntimeException {
    final int status;

    HttpError(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }
}
