package io.jouleflow.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model files (Keras JSON, GraphDef) and model-set files that are no regular file (devices, FIFOs,
 * symlinks to them):
 * {@code predict} and {@code measure} refuse them in one line, exit 2, at once.
 */
class BadInputFilesTest {

  private static final Duration FAST = Duration.ofSeconds(20);
  private static final String MNIST = Path.of("../predictor/src/test/resources/keras",
      "mnist_sequential_keras22.json").toAbsolutePath().toString();
  private static final Path BUNDLED =
      Path.of("../predictor/src/main/resources/io/jouleflow/predictor/modelset/default");

  @TempDir Path tmp;

  @Test
  void aModelJsonThatIsADeviceOrFifoIsOneLineAndExitTwo() throws Exception {
    Path zero = Files.createSymbolicLink(tmp.resolve("zero.json"), Path.of("/dev/zero"));
    Path random = Files.createSymbolicLink(tmp.resolve("random.json"), Path.of("/dev/urandom"));
    Path fifo = mkfifo(tmp.resolve("fifo.json"));

    for (Path model : new Path[] {zero, random, fifo, Path.of("/dev/zero")}) {
      assertBadInput("not a regular file", "predict", model.toString());
    }
    assertBadInput("not a regular file", "measure", zero.toString(), "--no-layers");
  }

  @Test
  void aGraphDefThatIsADeviceOrFifoIsOneLineAndExitTwo() throws Exception {
    Path zero = Files.createSymbolicLink(tmp.resolve("zero.pb"), Path.of("/dev/zero"));
    Path fifo = mkfifo(tmp.resolve("fifo.pb"));

    for (Path model : new Path[] {zero, fifo}) {
      assertBadInput("not a regular file", "predict", model.toString());
    }
  }

  @Test
  void aModelSetWithADeviceOrFifoForestIsOneLineAndExitTwo() throws Exception {
    Path zero = copyOfBundledSet("zero");
    Files.delete(zero.resolve("Dense.forest"));
    Files.createSymbolicLink(zero.resolve("Dense.forest"), Path.of("/dev/zero"));
    Path fifo = copyOfBundledSet("fifo");
    Files.delete(fifo.resolve("Dense.forest"));
    mkfifo(fifo.resolve("Dense.forest"));

    for (Path set : new Path[] {zero, fifo}) {
      assertBadInput("Dense.forest: not a regular file", "predict", MNIST, "--models",
          set.toString());
    }
  }

  private static void assertBadInput(String part, String... args) {
    CliRun run = assertTimeoutPreemptively(FAST, () -> CliRun.of(args));
    String what = String.join(" ", args) + "\n" + run.err();
    assertThat(run.exitCode()).as(what).isEqualTo(JouleflowCommand.EXIT_USAGE);
    assertThat(run.errLines()).as(what).singleElement().asString()
        .startsWith("jouleflow: ").contains(part);
  }

  private Path copyOfBundledSet(String name) throws IOException {
    Path to = Files.createDirectories(tmp.resolve(name));
    try (var files = Files.list(BUNDLED)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    return to;
  }

  static Path mkfifo(Path path) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
    assertThat(p.waitFor()).isZero();
    return path;
  }
}
