package io.jouleflow.agent.it;

import io.jouleflow.launcher.demo.PrometheusText.Sample;
import io.jouleflow.launcher.demo.PrometheusText;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * One scrape of a real Prometheus text endpoint: the launcher's parser ({@link PrometheusText},
 * which rejects malformed lines) plus the text, for assertion messages.
 */
public record PrometheusScrape(PrometheusText parsed, String text) {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /**
   * Scrapes {@code port}; while nothing listens there yet, tries again for up to 10 s: the agent
   * opens its endpoint at the application's first TensorFlow call, on a thread of its own.
   */
  public static PrometheusScrape of(int port) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    HttpResponse<String> r;
    while (true) {
      try {
        r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        break;
      } catch (ConnectException refused) {
        if (System.nanoTime() > deadline) {
          throw refused;
        }
        Thread.sleep(100);
      }
    }
    if (r.statusCode() != 200) {
      throw new IOException("scrape answered " + r.statusCode());
    }
    return parse(r.body());
  }

  public static PrometheusScrape parse(String text) {
    return new PrometheusScrape(PrometheusText.parse(text), text);
  }

  public List<Sample> series(String name) {
    return parsed.series(name);
  }

  public List<Sample> series(String name, Predicate<Sample> filter) {
    return parsed.series(name, filter);
  }

  public double sum(String name) {
    return parsed.sum(name, s -> true);
  }

  public double sum(String name, Predicate<Sample> filter) {
    return parsed.sum(name, filter);
  }
}
