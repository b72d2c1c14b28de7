package io.jouleflow.predictor.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several writers on one WAL file: no row lost, none written twice, nobody fails. */
class SampleStoreConcurrencyTest {

  private static final int BATCHES = 40;
  private static final int PER_BATCH = 25;

  @TempDir Path dir;

  @Test
  void twoStoresOnOneFileWritingAtOnceLoseNothing() throws Exception {
    String url = "jdbc:sqlite:" + dir.resolve("shared.db");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (SampleStore a = SampleStore.open(url);
        SampleStore b = SampleStore.open(url)) {
      // Both write model "shared" (the same keys: each of its rows must be inserted by exactly
      // one of them) and a model of their own; the counts are layer and model rows together.
      CyclicBarrier start = new CyclicBarrier(2);
      Future<Integer> fromA = pool.submit(writer(a, "a", start));
      Future<Integer> fromB = pool.submit(writer(b, "b", start));
      int inserted = fromA.get(60, TimeUnit.SECONDS) + fromB.get(60, TimeUnit.SECONDS);

      int distinct = 3 * BATCHES * PER_BATCH;
      assertThat(inserted).isEqualTo(distinct + 3 * BATCHES);
      assertThat(a.count(SampleStore.LAYER_SAMPLES)).isEqualTo(distinct);
      assertThat(b.count(SampleStore.MODEL_SAMPLES)).isEqualTo(3 * BATCHES);
      assertThat(a.layerSamples(SampleFilter.ALL.withModel("shared"))).hasSize(BATCHES * PER_BATCH);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void twoJvmsOnOneFileWritingAtOnceLoseNothing() throws Exception {
    String url = "jdbc:sqlite:" + dir.resolve("shared.db");
    List<Process> processes = new ArrayList<>();
    List<BufferedReader> outputs = new ArrayList<>();
    try {
      for (String name : List.of("a", "b")) {
        Process process =
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    ConcurrentWriter.class.getName(),
                    url,
                    name,
                    String.valueOf(BATCHES),
                    String.valueOf(PER_BATCH))
                .redirectErrorStream(true)
                .start();
        processes.add(process);
        outputs.add(
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)));
      }
      // Both have opened the store (and created its tables at once) before either writes.
      for (BufferedReader output : outputs) {
        assertThat(output.readLine()).isEqualTo("ready");
      }
      for (Process process : processes) {
        process.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
      }
      int inserted = 0;
      for (int i = 0; i < processes.size(); i++) {
        String output = outputs.get(i).lines().reduce("", (all, line) -> all + line + "\n").strip();
        assertThat(processes.get(i).waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(processes.get(i).exitValue()).as(output).isZero();
        inserted += Integer.parseInt(output);
      }
      int distinct = 3 * BATCHES * PER_BATCH;
      assertThat(inserted).isEqualTo(distinct + 3 * BATCHES);
      try (SampleStore store = SampleStore.open(url)) {
        assertThat(store.count(SampleStore.LAYER_SAMPLES)).isEqualTo(distinct);
        assertThat(store.count(SampleStore.MODEL_SAMPLES)).isEqualTo(3 * BATCHES);
      }
    } finally {
      processes.forEach(Process::destroyForcibly);
    }
  }

  private static Callable<Integer> writer(SampleStore store, String name, CyclicBarrier start) {
    return () -> {
      start.await();
      return ConcurrentWriter.write(store, name, BATCHES, PER_BATCH);
    };
  }
}
