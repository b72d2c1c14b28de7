package example;

import static org.assertj.core.api.Assertions.assertThat;

import example.eager.EagerCnn;
import example.service.InferenceService;
import example.service.ServiceOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.GraphOperation;
import org.tensorflow.SavedModelBundle;

/**
 * The examples against real TensorFlow: the inference service over real HTTP on an ephemeral port
 * with a freshly exported SavedModel, and the eager CNN. The only test class that loads TensorFlow,
 * so the native library is loaded by one JVM only.
 */
class TensorFlowExamplesTest {

  private static final int INPUT_SIZE = 32;
  private static final Pattern SCORE = Pattern.compile("\\{\"class\":(\\d+),\"p\":(\\d\\.\\d{6})}");
  private static final Pattern PREDICTIONS =
      Pattern.compile("\\{\"batch\":(\\d+),\"top\":\\[(.*)]}");

  @TempDir static Path tempDir;

  private static Path modelDir;
  private static InferenceService service;
  private static String serviceLog;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startService() throws IOException {
    modelDir = tempDir.resolve("model");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    service =
        InferenceService.start(
            options(modelDir), new PrintStream(log, true, StandardCharsets.UTF_8));
    serviceLog = log.toString(StandardCharsets.UTF_8);
  }

  @AfterAll
  static void stopService() {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void firstStartExportsTheModelThenLoadsIt() {
    assertThat(modelDir.resolve("saved_model.pb")).isRegularFile();
    assertThat(serviceLog).contains("exported").contains("loaded SavedModel");
  }

  @Test
  void healthAnswersOk() throws Exception {
    HttpResponse<String> response = get("/health");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ok");
  }

  @Test
  void predictAnswersThreeSortedProbabilitiesPerInput() throws Exception {
    HttpResponse<String> response = get("/predict?batch=5&seed=1");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    List<List<Score>> top = parsePredictions(response.body(), 5);
    for (List<Score> scores : top) {
      assertThat(scores).hasSize(3);
      assertThat(scores)
          .extracting(Score::classIndex)
          .doesNotHaveDuplicates()
          .allMatch(c -> c >= 0 && c < 10);
      assertThat(scores).extracting(Score::p).allMatch(p -> p >= 0 && p <= 1);
      assertThat(scores.get(0).p()).isGreaterThanOrEqualTo(scores.get(1).p());
      assertThat(scores.get(1).p()).isGreaterThanOrEqualTo(scores.get(2).p());
    }
  }

  @Test
  void batchAndSeedHaveDefaults() throws Exception {
    assertThat(get("/predict").body()).isEqualTo(get("/predict?batch=1&seed=0").body());
  }

  @Test
  void sameRequestTwiceGivesIdenticalBodies() throws Exception {
    String first = get("/predict?batch=8&seed=42").body();
    String second = get("/predict?batch=8&seed=42").body();

    assertThat(second).isEqualTo(first);
    assertThat(get("/predict?batch=8&seed=43").body()).isNotEqualTo(first);
  }

  @Test
  void restartOnTheExportedModelGivesIdenticalBodies() throws Exception {
    Path otherDir = tempDir.resolve("restarted");
    String request = "/predict?batch=4&seed=9";
    String fromShared = get(request).body();

    // A second export (same seed, same weights), then a start that only loads it.
    String fromFreshExport;
    try (InferenceService exported = InferenceService.start(options(otherDir), silentLog())) {
      fromFreshExport = get(exported, request).body();
    }
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    String afterRestart;
    try (InferenceService restarted =
        InferenceService.start(
            options(otherDir), new PrintStream(log, true, StandardCharsets.UTF_8))) {
      afterRestart = get(restarted, request).body();
    }

    assertThat(log.toString(StandardCharsets.UTF_8)).doesNotContain("exported").contains("loaded");
    assertThat(fromFreshExport).isEqualTo(fromShared);
    assertThat(afterRestart).isEqualTo(fromShared);
  }

  @Test
  void postClassifiesThePostedFloatsLikeGetWithTheSameRandomValues() throws Exception {
    int batch = 3;
    long seed = 5;
    Random random = new Random(seed);
    ByteBuffer body =
        ByteBuffer.allocate(batch * INPUT_SIZE * INPUT_SIZE * 3 * Float.BYTES)
            .order(ByteOrder.LITTLE_ENDIAN);
    while (body.hasRemaining()) {
      body.putFloat(random.nextFloat());
    }

    HttpResponse<String> posted = post("/predict?batch=" + batch, body.array());

    assertThat(posted.statusCode()).isEqualTo(200);
    parsePredictions(posted.body(), batch);
    assertThat(posted.body()).isEqualTo(get("/predict?batch=" + batch + "&seed=" + seed).body());
  }

  @Test
  void postWithWrongBodyLengthIsRejected() throws Exception {
    HttpResponse<String> response =
        post("/predict?batch=2", new byte[INPUT_SIZE * INPUT_SIZE * 3 * 4]);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).startsWith("{\"error\":\"").contains("bytes").doesNotContain("\n");
  }

  @Test
  void badParametersAreRejectedWithAJsonError() throws Exception {
    for (String query :
        List.of("batch=0", "batch=257", "batch=two", "seed=x", "colour=red", "batch=1&batch=2")) {
      HttpResponse<String> response = get("/predict?" + query);
      assertThat(response.statusCode()).as(query).isEqualTo(400);
      assertThat(response.body()).as(query).matches("\\{\"error\":\".+\"}");
    }
    assertThat(get("/predict?batch=256").statusCode()).isEqualTo(200);
  }

  @Test
  void concurrentRequestsFromFourThreadsAllSucceed() throws Exception {
    Map<Integer, String> expected = new HashMap<>();
    for (int seed = 0; seed < 4; seed++) {
      expected.put(seed, get("/predict?batch=2&seed=" + seed).body());
    }
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Boolean>> tasks = new ArrayList<>();
      for (int thread = 0; thread < 4; thread++) {
        int seed = thread;
        tasks.add(
            () -> {
              for (int i = 0; i < 25; i++) {
                HttpResponse<String> response = get("/predict?batch=2&seed=" + seed);
                if (response.statusCode() != 200 || !response.body().equals(expected.get(seed))) {
                  return false;
                }
              }
              return true;
            });
      }
      for (Future<Boolean> result : clients.invokeAll(tasks)) {
        assertThat(result.get()).isTrue();
      }
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void savedModelGraphHasKerasScopedOperations() {
    Map<String, String> typeByName = new HashMap<>();
    try (SavedModelBundle bundle = SavedModelBundle.load(modelDir.toString(), "serve")) {
      for (Iterator<GraphOperation> it = bundle.graph().operations(); it.hasNext(); ) {
        GraphOperation op = it.next();
        typeByName.put(op.name(), op.type());
      }
    }

    assertThat(typeByName)
        .containsEntry("input", "Placeholder")
        .containsEntry("conv2d/Conv2D", "Conv2D")
        .containsEntry("conv2d/BiasAdd", "BiasAdd")
        .containsEntry("batch_normalization/FusedBatchNormV3", "FusedBatchNormV3")
        .containsEntry("activation/Relu", "Relu")
        .containsEntry("max_pooling2d/MaxPool", "MaxPool")
        .containsEntry("conv2d_1/Conv2D", "Conv2D")
        .containsEntry("batch_normalization_1/FusedBatchNormV3", "FusedBatchNormV3")
        .containsEntry("activation_1/Relu", "Relu")
        .containsEntry("conv2d_2/Conv2D", "Conv2D")
        .containsEntry("batch_normalization_2/FusedBatchNormV3", "FusedBatchNormV3")
        .containsEntry("add/AddV2", "AddV2")
        .containsEntry("activation_2/Relu", "Relu")
        .containsEntry("global_average_pooling2d/Mean", "Mean")
        .containsEntry("dense/MatMul", "MatMul")
        .containsEntry("dense/BiasAdd", "BiasAdd")
        .containsEntry("softmax/Softmax", "Softmax");
  }

  @Test
  void eagerCnnRunsAndItsChecksumIsDeterministic() {
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    EagerCnn.Options options = new EagerCnn.Options(10, 2, 16);

    EagerCnn.Summary first =
        EagerCnn.run(options, new PrintStream(progress, true, StandardCharsets.UTF_8));
    EagerCnn.Summary second = EagerCnn.run(options, silentLog());

    assertThat(first.iterations()).isEqualTo(10);
    assertThat(first.line())
        .matches("done iterations=10 ms_per_iteration=\\d+\\.\\d{3} checksum=-?\\d+\\.\\d{6}");
    assertThat(second.checksum()).isEqualTo(first.checksum());
    // Softmax rows sum to one, so the class-weighted sum of a batch of 2 lies within [2, 20].
    assertThat(first.checksum()).isBetween(2.0, 20.0);
    assertThat(progress.toString(StandardCharsets.UTF_8)).startsWith("iteration 10/10 ");
  }

  private record Score(int classIndex, double p) {}

  /** Checks the body's shape and returns the scores of each input. */
  private static List<List<Score>> parsePredictions(String body, int batch) {
    Matcher whole = PREDICTIONS.matcher(body);
    assertThat(whole.matches()).as(body).isTrue();
    assertThat(Integer.parseInt(whole.group(1))).isEqualTo(batch);
    String lists = whole.group(2);
    assertThat(lists).startsWith("[").endsWith("]");
    String[] perInput = lists.substring(1, lists.length() - 1).split("],\\[");
    assertThat(perInput).hasSize(batch);
    List<List<Score>> top = new ArrayList<>();
    for (String entries : perInput) {
      List<Score> scores = new ArrayList<>();
      Matcher score = SCORE.matcher(entries);
      int end = 0;
      while (score.find()) {
        assertThat(score.start()).as(entries).isEqualTo(end == 0 ? 0 : end + 1);
        scores.add(new Score(Integer.parseInt(score.group(1)), Double.parseDouble(score.group(2))));
        end = score.end();
      }
      assertThat(end).as(entries).isEqualTo(entries.length());
      top.add(scores);
    }
    return top;
  }

  private static ServiceOptions options(Path dir) {
    return new ServiceOptions(0, dir, 4, INPUT_SIZE);
  }

  private static PrintStream silentLog() {
    return new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
  }

  private static HttpResponse<String> get(String pathAndQuery)
      throws IOException, InterruptedException {
    return get(service, pathAndQuery);
  }

  private static HttpResponse<String> get(InferenceService target, String pathAndQuery)
      throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(uri(target, pathAndQuery)).GET().build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String pathAndQuery, byte[] body)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(uri(service, pathAndQuery))
            .header("Content-Type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(InferenceService target, String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + target.port() + pathAndQuery);
  }
}
