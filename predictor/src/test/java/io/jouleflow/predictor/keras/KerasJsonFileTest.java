package io.jouleflow.predictor.keras;

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
 * What {@link KerasJson#parse(Path)} refuses before reading: anything but a regular file (after
 * symlinks), and files over the size limit. A refused file is one line and never read whole.
 */
class KerasJsonFileTest {

  private static final Duration FAST = Duration.ofSeconds(5);

  @TempDir Path tmp;

  @Test
  void aDeviceIsRefusedInOneLineWithoutReadingIt() throws IOException {
    Path zero = Files.createSymbolicLink(tmp.resolve("model.json"), Path.of("/dev/zero"));
    Path random = Files.createSymbolicLink(tmp.resolve("random.json"), Path.of("/dev/urandom"));

    for (Path device : new Path[] {zero, random, Path.of("/dev/zero")}) {
      assertTimeoutPreemptively(FAST, () -> assertThatThrownBy(() -> KerasJson.parse(device))
          .isInstanceOf(KerasFormatException.class)
          .hasMessageContaining(device.getFileName() + ": not a regular file")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n")));
    }
  }

  @Test
  void aFifoIsRefusedWithoutWaitingForAWriter() throws Exception {
    Path fifo = mkfifo(tmp.resolve("model.json"));

    assertTimeoutPreemptively(FAST, () -> assertThatThrownBy(() -> KerasJson.parse(fifo))
        .isInstanceOf(KerasFormatException.class)
        .hasMessageContaining("model.json: not a regular file"));
  }

  @Test
  void aDirectoryIsRefusedInOneLine() {
    assertThatThrownBy(() -> KerasJson.parse(tmp))
        .isInstanceOf(KerasFormatException.class)
        .hasMessageContaining("not a regular file");
  }

  @Test
  void aFileOverTheLimitIsRefusedBeforeItIsRead() throws IOException {
    Path big = tmp.resolve("big.json");
    try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
      file.setLength((64L << 20) + 1); // sparse: nothing is written
    }

    assertTimeoutPreemptively(FAST, () -> assertThatThrownBy(() -> KerasJson.parse(big))
        .isInstanceOf(KerasFormatException.class)
        .hasMessage("big.json: 67108865 bytes, more than the 64 MiB a Keras JSON may have"));
  }

  @Test
  void aLongJsonTextIsRefusedByTheSameLimit() {
    String padded = "{\"class_name\": \"Sequential\", \"config\": []}" + " ".repeat((64 << 20) + 1);

    assertThatThrownBy(() -> KerasJson.parse(padded, "m"))
        .isInstanceOf(KerasFormatException.class)
        .hasMessageContaining("64 MiB");
  }

  @Test
  void textThatIsNotUtf8SaysSo() throws IOException {
    String json = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"café\", \"layers\": []}}";
    Path utf16 = Files.write(tmp.resolve("utf16.json"),
        json.getBytes(java.nio.charset.StandardCharsets.UTF_16)); // with a byte order mark
    Path latin1 = Files.write(tmp.resolve("latin1.json"),
        json.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));

    for (Path file : new Path[] {utf16, latin1}) {
      assertThatThrownBy(() -> KerasJson.parse(file))
          .isInstanceOf(KerasFormatException.class)
          .hasMessageStartingWith(file.getFileName() + ": not UTF-8 text");
    }
  }

  /** A named pipe made by {@code mkfifo}: opening it for reading would block for a writer. */
  static Path mkfifo(Path path) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
    assertThat(p.waitFor()).isZero();
    return path;
  }
}
