package io.jouleflow.predictor.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full store says so. SQLite's {@code max_page_count} makes a database "full" at a few pages,
 * which fails a write exactly as a full disk does (SQLITE_FULL).
 */
class SampleStoreDiskFullTest {

  @TempDir Path dir;

  static List<LayerSample> window(int index, int layers) {
    List<LayerSample> batch = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      batch.add(new LayerSample(Instant.EPOCH.plusSeconds(5L * index), "p", "rapl",
          SampleOrigin.AGENT, "cnn", "b4", "conv" + i, "Convolutional", Map.of("flops", 1e6), 4,
          0.01, 0.001, 10, 0.01, null));
    }
    return batch;
  }

  @Test
  void aWriteIntoAFullStoreFailsWithTheRealCauseAndIsPermanent() {
    String url = "jdbc:sqlite:" + dir.resolve("s.db") + "?max_page_count=14"; // the empty schema takes most of them
    try (SampleStore store = SampleStore.open(url)) {
      SampleStoreException e = catchThrowableOfType(() -> {
        for (int w = 0; w < 1_000; w++) {
          store.writeLayerSamples(window(w, 50));
        }
      }, SampleStoreException.class);
      assertThat(e).as("the store filled up").isNotNull()
          .hasMessage("cannot write layer samples to sample store " + url
              + ": database or disk is full");
      assertThat(e.permanent()).isTrue();
      // the rows committed before are intact, and the store still reads
      assertThat(store.count(SampleStore.LAYER_SAMPLES)).isPositive();
    }
  }
}
