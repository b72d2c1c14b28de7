package io.jouleflow.predictor.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A SQLite store knows when its file is no longer at its path (deleted, or replaced). */
class SampleStoreFileGoneTest {

  @TempDir Path dir;

  @Test
  void aStoreWhoseFileIsInPlaceIsNotGone() {
    try (SampleStore store = SampleStore.open("jdbc:sqlite:" + dir.resolve("s.db"))) {
      store.writeModelSamples(List.of(Samples.model("cnn", "b8")));
      assertThat(store.fileGone()).isFalse();
    }
  }

  @Test
  void aDeletedFileIsGone() throws Exception {
    Path file = dir.resolve("s.db");
    try (SampleStore store = SampleStore.open("jdbc:sqlite:" + file)) {
      store.writeModelSamples(List.of(Samples.model("cnn", "b8")));
      Files.delete(file);
      assertThat(store.fileGone()).isTrue();
    }
  }

  @Test
  void aFileReplacedByAnotherIsGone() throws Exception {
    Path file = dir.resolve("sub/s.db");
    try (SampleStore store = SampleStore.open("jdbc:sqlite:" + file + "?busy_timeout=100")) {
      Files.move(file, dir.resolve("old.db"));
      Files.writeString(file, "");
      assertThat(store.fileGone()).isTrue();
    }
  }

  @Test
  void aStoreWithoutAFileIsNeverGone() {
    try (SampleStore store = SampleStore.open("jdbc:sqlite::memory:")) {
      assertThat(store.fileGone()).isFalse();
    }
  }
}
