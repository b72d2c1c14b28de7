package io.jouleflow.agent.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jouleflow.agent.log.AgentLog;
import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.SampleOrigin;
import io.jouleflow.predictor.store.SampleStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The feedback thread against real stores: what it writes, what it logs, when it gives up. */
class FeedbackWriterTest {

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  @TempDir Path tmp;
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();

  @BeforeEach
  void captureLog() {
    AgentLog.redirect(new PrintStream(log, true, StandardCharsets.UTF_8), false);
  }

  @AfterEach
  void restoreLog() {
    AgentLog.redirect(System.err, Boolean.getBoolean("jouleflow.debug"));
  }

  /** One 5 s window's observation of {@code layers} layers. */
  static List<LayerSample> window(int index, int layers) {
    List<LayerSample> batch = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      batch.add(new LayerSample(T0.plusSeconds(5L * index), "profile-a", "rapl",
          SampleOrigin.AGENT, "cnn", "b4_32x32x3", "conv" + i, "Convolutional",
          Map.of("flops", 1e6, "batch_size", 4.0), 4, 0.01, 0.001, 10, 0.012, null));
    }
    return batch;
  }

  private String log() {
    return log.toString(StandardCharsets.UTF_8);
  }

  private List<String> logLines(String containing) {
    return log().lines().filter(l -> l.contains(containing)).toList();
  }

  static void await(BooleanSupplier condition, Duration within, String what) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + within + ": " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void theStoreLineShowsNoPassword() {
    String postgres = System.getenv("JOULEFLOW_TEST_POSTGRES_URL");
    assumeTrue(postgres != null, "no PostgreSQL: .ci/run starts one (JOULEFLOW_TEST_POSTGRES_URL)");
    String url = postgres + (postgres.contains("?") ? "&" : "?") + "password=hunter2";
    try (FeedbackWriter writer = new FeedbackWriter(url)) {
      writer.offer(window(0, 1));
      await(() -> log().contains("observations go to"), Duration.ofSeconds(20), "store line");
    }
    assertThat(logLines("observations go to")).singleElement().asString()
        .contains("password=***").doesNotContain("hunter2");
    assertThat(log()).doesNotContain("hunter2");
  }

  @Test
  void theStoreLearnsWhatHardwareTheSamplesCameFrom() {
    String url = "jdbc:sqlite:" + tmp.resolve("samples.db");
    Map<String, Double> hardware = Map.of("hw_cpu_vendor", 2.0, "hw_cpu_cores", 16.0);
    try (FeedbackWriter writer = new FeedbackWriter(url, "profile-a", hardware)) {
      writer.offer(window(0, 2));
      await(() -> writer.written() == 2, Duration.ofSeconds(20), "2 rows written");
    }
    try (SampleStore store = SampleStore.open(url)) {
      assertThat(store.hardwareDescriptions()).isEqualTo(Map.of("profile-a", hardware));
      assertThat(store.layerSamples()).hasSize(2);
    }
  }

  @Test
  void aUrlNoDriverTakesTurnsFeedbackOffWithOneWarning() {
    try (FeedbackWriter writer = new FeedbackWriter("jdbc:nonsense")) {
      writer.offer(window(0, 3));
      await(() -> log().contains("feedback off"), Duration.ofSeconds(10), "feedback off");
      assertThat(writer.offer(window(1, 3))).isFalse();
      assertThat(writer.dropped()).isEqualTo(6);
    }
    assertThat(logLines("feedback off")).singleElement().asString()
        .startsWith("[jouleflow] WARN ").contains("jdbc:nonsense").contains("no JDBC driver takes this URL");
  }

  @Test
  void aStoreThatRefusesConnectionsIsRetriedAndKeepsTheBatches() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (FeedbackWriter writer =
        new FeedbackWriter("jdbc:postgresql://127.0.0.1:" + port + "/x?user=u")) {
      writer.offer(window(0, 3));
      Thread.sleep(2_500); // two attempts
      assertThat(writer.offer(window(1, 3))).isTrue();
      assertThat(writer.dropped()).isZero();
      assertThat(log()).doesNotContain("feedback off");
      assertThat(logLines("WARN")).singleElement().asString()
          .contains("sample store unavailable").contains("retrying");
    }
  }

  @Test
  void rowsWrittenAfterTheFileWasDeletedAreInTheNewFileAtThePath() throws Exception {
    Path file = tmp.resolve("samples.db");
    String url = "jdbc:sqlite:" + file;
    try (FeedbackWriter writer = new FeedbackWriter(url)) {
      writer.offer(window(0, 3));
      await(() -> writer.written() == 3, Duration.ofSeconds(10), "first window written");
      Files.delete(file); // rm samples.db; its -wal and -shm stay
      writer.offer(window(1, 3));
      await(() -> writer.written() == 6, Duration.ofSeconds(10), "second window written");
      writer.offer(window(2, 3)); // written on close
    }
    try (SampleStore store = SampleStore.open(url)) {
      assertThat(store.layerSamples()).extracting(LayerSample::time)
          .containsOnly(T0.plusSeconds(5), T0.plusSeconds(10)).hasSize(6);
    }
    assertThat(logLines("WARN")).singleElement().asString()
        .contains("sample store file " + file).contains("deleted or replaced");
  }

  @Test
  void rowsWrittenAfterTheDirectoryWasDeletedAreInANewDirectoryAtThePath() throws Exception {
    Path directory = tmp.resolve("store");
    Path file = directory.resolve("samples.db");
    String url = "jdbc:sqlite:" + file;
    try (FeedbackWriter writer = new FeedbackWriter(url)) {
      writer.offer(window(0, 3));
      await(() -> writer.written() == 3, Duration.ofSeconds(10), "first window written");
      deleteTree(directory); // rm -r
      writer.offer(window(1, 3));
      writer.offer(window(2, 3));
    }
    try (SampleStore store = SampleStore.open(url)) {
      assertThat(store.layerSamples()).extracting(LayerSample::time)
          .containsOnly(T0.plusSeconds(5), T0.plusSeconds(10)).hasSize(6);
    }
    assertThat(logLines("WARN")).singleElement().asString().contains("deleted or replaced");
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Test
  void aFullStoreTurnsFeedbackOffNamingTheRealCause() {
    // max_page_count: a database "full" at 12 pages fails like a full disk (SQLITE_FULL)
    String url = "jdbc:sqlite:" + tmp.resolve("full.db") + "?max_page_count=12";
    try (FeedbackWriter writer = new FeedbackWriter(url)) {
      for (int w = 0; w < 200 && !log().contains("feedback off"); w++) {
        writer.offer(window(w, 50));
      }
      await(() -> log().contains("feedback off"), Duration.ofSeconds(20), "feedback off");
    }
    assertThat(logLines("WARN")).singleElement().asString()
        .contains("feedback off").contains("database or disk is full")
        .doesNotContain("no transaction is active");
  }
}
