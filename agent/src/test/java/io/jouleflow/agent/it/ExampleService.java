package io.jouleflow.agent.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The example inference service in a child JVM, and a client for it. */
public final class ExampleService implements AutoCloseable {

  public static final String MAIN = "example.service.InferenceService";
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public final ChildJvm jvm;
  public final int port;

  private ExampleService(ChildJvm jvm, int port) {
    this.jvm = jvm;
    this.port = port;
  }

  /** Starts the service ({@code agentOptions} null: without the agent) and waits until it serves. */
  public static ExampleService start(Path modelDir, String agentOptions, List<String> extraJvmArgs)
      throws Exception {
    return startWithEnvironment(modelDir, agentOptions, extraJvmArgs, Map.of());
  }

  /** As {@link #start}, with extra environment variables for the child. */
  public static ExampleService startWithEnvironment(
      Path modelDir, String agentOptions, List<String> extraJvmArgs, Map<String, String> env)
      throws Exception {
    List<String> jvmArgs = new ArrayList<>(extraJvmArgs);
    if (agentOptions != null) {
      jvmArgs.add(ChildJvm.javaagent(agentOptions));
    }
    ChildJvm jvm = ChildJvm.start(jvmArgs, ChildJvm.applicationClassPath(), MAIN,
        List.of("--port", "0", "--model-dir", modelDir.toString(), "--input-size", "32"), env);
    return attachTo(jvm);
  }

  /** Waits for the service's "listening" line of an already started JVM. */
  public static ExampleService attachTo(ChildJvm jvm) throws Exception {
    var m = jvm.awaitLine("listening on http://127\\.0\\.0\\.1:(\\d+)", Duration.ofSeconds(90));
    return new ExampleService(jvm, Integer.parseInt(m.group(1)));
  }

  public String predict(int batch, int seed) throws IOException, InterruptedException {
    HttpResponse<String> r = CLIENT.send(
        HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/predict?batch=" + batch + "&seed=" + seed))
            .timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("predict answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    jvm.close();
  }
}
