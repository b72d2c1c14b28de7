package io.jouleflow.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.jouleflow.agent.log.AgentLog;
import io.jouleflow.predictor.model.ModelSet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model set is read beside the worker, which never waits for a file system. */
class LivePredictionsTest {

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

  private List<String> logLines(String containing) {
    return log.toString(StandardCharsets.UTF_8).lines()
        .filter(l -> l.contains(containing)).toList();
  }

  private Path modelSet() {
    Path dir = tmp.resolve("models");
    ModelSet.bundled().orElseThrow().write(dir);
    return dir;
  }

  /** What the worker does between runs, for {@code millis}: each call must return at once. */
  private static void workerLoop(LivePredictions live, long millis) {
    long end = System.nanoTime() + millis * 1_000_000;
    while (System.nanoTime() < end) {
      long t0 = System.nanoTime();
      assertThat(live.predict(null)).isNull(); // no set loaded: predictions are off
      assertThat(live.reloadIfNewer(System.nanoTime())).isFalse();
      assertThat(System.nanoTime() - t0).isLessThan(1_000_000_000L); // a loaded 2-core box
    }
  }

  @Test
  void aForestFileThatIsAFifoNeverBlocksTheWorker() throws Exception {
    Path dir = modelSet();
    Path forest = dir.resolve("Convolutional.forest");
    Files.delete(forest);
    Process mkfifo = new ProcessBuilder("mkfifo", forest.toString()).inheritIO().start();
    assertThat(mkfifo.waitFor()).isZero();
    LivePredictions live = new LivePredictions(dir.toString(), null, Duration.ofMillis(300));
    try {
      assertTimeoutPreemptively(Duration.ofSeconds(10), () -> workerLoop(live, 1_500));
      // ModelSet may refuse a FIFO outright (then no read hangs): one warning of each kind at
      // most; on a loaded machine even the refusal can outlast the 300 ms, and then both come.
      List<String> warnings = logLines("WARN");
      assertThat(warnings).isNotEmpty().hasSizeLessThanOrEqualTo(2).allSatisfy(w ->
          assertThat(w).satisfiesAnyOf(
              x -> assertThat(x).contains("has taken more than 0 s").contains(dir.toString())
                  .contains("predictions are off until it is read"),
              x -> assertThat(x).contains("model set unusable").contains("not a regular file")));
      assertThat(warnings.stream().filter(w -> w.contains("model set unusable"))).hasSizeLessThan(2);
      assertThat(warnings.stream().filter(w -> w.contains("has taken more than"))).hasSizeLessThan(2);
    } finally {
      unblock(forest);
    }
  }

  @Test
  void aReadThatHangsAnywhereNeverBlocksTheWorkerAndIsLoggedOnce() throws Exception {
    Path dir = modelSet();
    // A file system that hangs anywhere: the read waits on a FIFO nobody writes.
    Path fifo = tmp.resolve("hang");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    LivePredictions hanging = new LivePredictions(dir.toString(), null, Duration.ofMillis(300),
        path -> {
          try (var in = Files.newInputStream(fifo)) { // blocks: no writer
            return ModelSet.read(path);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
    try {
      assertTimeoutPreemptively(Duration.ofSeconds(10), () -> workerLoop(hanging, 1_500));
      assertThat(logLines("WARN")).singleElement().asString()
          .contains("has taken more than 0 s").contains("predictions are off until it is read");
    } finally {
      unblock(fifo);
    }
  }

  @Test
  void aSetIsTakenIntoUseOnceTheLoaderHasReadIt() throws Exception {
    Path dir = modelSet();
    LivePredictions live = new LivePredictions(dir.toString(), null);
    List<ModelSet> told = new ArrayList<>();
    live.onLoaded(told::add);
    assertThat(live.predict(null)).isNull(); // starts the loader, waits for nothing
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    boolean fresh = false;
    while (!fresh && System.nanoTime() < deadline) {
      fresh = live.reloadIfNewer(System.nanoTime());
      Thread.sleep(10);
    }
    assertThat(fresh).isTrue();
    assertThat(live.current()).isNotNull();
    assertThat(told).containsExactly(live.current());
    assertThat(live.reloadIfNewer(System.nanoTime())).isFalse();
    assertThat(logLines("predictions from model set")).hasSize(1);
  }

  /** Lets a reader blocked on the FIFO go (a writer opens and closes it). */
  private static void unblock(Path fifo) {
    Thread t = new Thread(() -> {
      try (OutputStream out = Files.newOutputStream(fifo)) {
        out.flush();
      } catch (Exception ignored) {
        // the reader is gone already
      }
    });
    t.setDaemon(true);
    t.start();
  }
}
