package io.jouleflow.launcher.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Sequential {@code GET /predict?batch=B&seed=n} requests against the example service for a fixed
 * time, one after the other (one request in flight, as one client would send them).
 */
public final class LoadDriver {

  /** What has been sent so far. */
  public record Progress(long requests, double elapsedSeconds, double secondsLeft) {
    public double requestsPerSecond() {
      return elapsedSeconds > 0 ? requests / elapsedSeconds : 0;
    }

    /** {@code 1234 requests, 152.3 req/s, 22 s left}. */
    public String line() {
      return String.format(Locale.ROOT, "%d requests, %.1f req/s, %d s left", requests,
          requestsPerSecond(), (long) Math.ceil(Math.max(0, secondsLeft)));
    }
  }

  /** A request that failed: the message says which and why. */
  public static final class RequestFailed extends Exception {
    RequestFailed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);

  private final HttpClient client = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private final String baseUrl;
  private final int batch;

  /**
   * @param baseUrl {@code http://127.0.0.1:<port>}
   * @param batch images per request
   */
  public LoadDriver(String baseUrl, int batch) {
    this.baseUrl = baseUrl;
    this.batch = batch;
  }

  /** The URL of request {@code seed}. */
  public String url(long seed) {
    return baseUrl + "/predict?batch=" + batch + "&seed=" + seed;
  }

  /**
   * Sends requests for {@code duration}, calling {@code progress} about once a second.
   *
   * @param serviceAlive checked after a failed request, to tell a dead service from a bad answer
   * @return the totals at the end
   * @throws RequestFailed at the first request that does not answer 200
   */
  public Progress run(Duration duration, Consumer<Progress> progress, BooleanSupplier serviceAlive)
      throws RequestFailed, InterruptedException {
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    long nextReport = start + PROGRESS_EVERY.toNanos();
    long n = 0;
    long now = start;
    while (now < end) {
      send(n, serviceAlive);
      n++;
      now = System.nanoTime();
      if (now >= nextReport && now < end) {
        progress.accept(new Progress(n, (now - start) / 1e9, (end - now) / 1e9));
        nextReport += PROGRESS_EVERY.toNanos();
      }
    }
    return new Progress(n, (now - start) / 1e9, 0);
  }

  private void send(long seed, BooleanSupplier serviceAlive)
      throws RequestFailed, InterruptedException {
    String url = url(seed);
    HttpRequest request = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(30))
        .GET()
        .build();
    HttpResponse<String> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      String why = serviceAlive.getAsBoolean()
          ? e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
          : "the service has exited";
      throw new RequestFailed("request " + (seed + 1) + " (" + url + ") failed: " + why, e);
    }
    if (response.statusCode() != 200) {
      String body = response.body().strip().lines().findFirst().orElse("");
      throw new RequestFailed("request " + (seed + 1) + " (" + url + ") answered HTTP "
          + response.statusCode() + (body.isEmpty() ? "" : ": " + body), null);
    }
  }
}
