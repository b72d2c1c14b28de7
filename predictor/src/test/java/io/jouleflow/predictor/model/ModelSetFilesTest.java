package io.jouleflow.predictor.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files of a model set directory that {@link ModelSet#read} refuses before reading them:
 * devices, FIFOs, files over the size limit. A copy of the bundled set is the healthy set.
 */
class ModelSetFilesTest {

  private static final Duration FAST = Duration.ofSeconds(5);
  private static final Path BUNDLED =
      Path.of("src/main/resources/io/jouleflow/predictor/modelset/default");

  @TempDir Path tmp;

  @Test
  void theCopyOfTheBundledSetReads() throws IOException {
    assertThat(ModelSet.read(copy("ok")).manifest().types()).isNotEmpty();
  }

  @Test
  void aForestThatIsADeviceIsRefusedInOneLine() throws IOException {
    Path set = copy("zero");
    Files.delete(set.resolve("Dense.forest"));
    Files.createSymbolicLink(set.resolve("Dense.forest"), Path.of("/dev/zero"));

    assertRefused(set, "Dense.forest: not a regular file");
  }

  @Test
  void aForestThatIsAFifoIsRefusedWithoutWaitingForAWriter() throws Exception {
    Path set = copy("fifo");
    Files.delete(set.resolve("Dense.forest"));
    mkfifo(set.resolve("Dense.forest"));

    assertRefused(set, "Dense.forest: not a regular file");
  }

  @Test
  void aManifestThatIsADeviceOrFifoIsRefusedInOneLine() throws Exception {
    Path zero = copy("manifest-zero");
    Files.delete(zero.resolve(ModelSet.MANIFEST));
    Files.createSymbolicLink(zero.resolve(ModelSet.MANIFEST), Path.of("/dev/zero"));
    assertRefused(zero, "manifest.json: not a regular file");

    Path fifo = copy("manifest-fifo");
    Files.delete(fifo.resolve(ModelSet.MANIFEST));
    mkfifo(fifo.resolve(ModelSet.MANIFEST));
    assertRefused(fifo, "manifest.json: not a regular file");
  }

  @Test
  void filesOverTheLimitsAreRefusedBeforeTheyAreRead() throws IOException {
    Path forest = copy("big-forest");
    sparse(forest.resolve("Dense.forest"), (512L << 20) + 1);
    assertRefused(forest, "Dense.forest: 536870913 bytes, more than the 512 MiB");

    Path manifest = copy("big-manifest");
    sparse(manifest.resolve(ModelSet.MANIFEST), (16L << 20) + 1);
    assertRefused(manifest, "manifest.json: 16777217 bytes, more than the 16 MiB");
  }

  private void assertRefused(Path set, String part) {
    assertTimeoutPreemptively(FAST, () -> assertThatThrownBy(() -> ModelSet.read(set))
        .isInstanceOf(ModelSetException.class)
        .hasMessageContaining(part)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n")));
  }

  private Path copy(String name) throws IOException {
    Path to = Files.createDirectories(tmp.resolve(name));
    try (var files = Files.list(BUNDLED)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    return to;
  }

  private static void sparse(Path file, long length) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(length);
    }
  }

  static Path mkfifo(Path path) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
    assertThat(p.waitFor()).isZero();
    return path;
  }
}
