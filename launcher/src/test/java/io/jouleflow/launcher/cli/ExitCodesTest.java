package io.jouleflow.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.jouleflow.predictor.store.SampleStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to any verb — a path, a store URL, a number, a name — is exit 2 with one line that
 * says what is wrong (README, "The launcher"); runtime failures stay exit 1.
 */
class ExitCodesTest {

  private static final Path DATA = Path.of("../predictor/data/quick-estimate-2026-11-26");
  private static final Path BUNDLED =
      Path.of("../predictor/src/main/resources/io/jouleflow/predictor/modelset/default");
  private static final String MNIST = Path.of("../predictor/src/test/resources/keras",
      "mnist_sequential_keras22.json").toAbsolutePath().toString();

  @TempDir Path tmp;

  @Test
  void storeUrlsThatAreNoJdbcUrlOrThatNoDriverTakesAreBadInput() {
    String notJdbc = tmp.resolve("samples.db").toString();
    for (String verb : new String[] {"train", "evaluate"}) {
      assertBadInput("not a JDBC URL", verb, "--store", notJdbc);
      assertBadInput("no JDBC driver", verb, "--store", "jdbc:nosuch:x");
    }
    assertBadInput("not a JDBC URL", "collect", "--store", notJdbc, "--zoo", "MobileNet");
    assertBadInput("no JDBC driver", "collect", "--store", "jdbc:nosuch:x", "--zoo", "MobileNet");
    assertThat(tmp.resolve("samples.db")).doesNotExist();
  }

  @Test
  void exportsThatAreMissingOrMalformedAreBadInput() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Path garbage = Files.createDirectories(tmp.resolve("garbage"));
    for (String file : new String[] {"layer_samples.csv.gz", "model_samples.csv.gz"}) {
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(garbage.resolve(file)))) {
        out.write("garbage\n".getBytes(StandardCharsets.UTF_8));
      }
    }
    for (String verb : new String[] {"train", "evaluate"}) {
      assertBadInput("layer_samples.csv.gz", verb, "--from-csv", empty.toString());
      assertBadInput("no column", verb, "--from-csv", garbage.toString());
    }
  }

  @Test
  void anOutThatIsAFileIsBadInputBeforeAnyWork() throws IOException {
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    assertBadInput("--out", "train", "--from-csv", DATA.toString(), "--out", file.toString());
    assertBadInput("--out", "evaluate", "--from-csv", DATA.toString(), "--out", file.toString());
    assertThat(Files.readString(file)).isEqualTo("x");
  }

  @Test
  void aMeasuringTimeThatNeverEndsIsBadInput() {
    assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
        assertBadInput("--min-seconds", "measure", MNIST, "--min-seconds", "Infinity"));
  }

  @Test
  void aModelJsonThatIsNotUtf8SaysSo() throws IOException {
    Path utf16 = Files.write(tmp.resolve("utf16.json"),
        Files.readString(Path.of(MNIST)).getBytes(StandardCharsets.UTF_16));
    assertBadInput("utf16.json: not UTF-8 text", "predict", utf16.toString());
  }

  @Test
  void aTruncatedForestSaysTruncated() throws IOException {
    Path set = Files.createDirectories(tmp.resolve("set"));
    try (var files = Files.list(BUNDLED)) {
      for (Path f : files.toList()) {
        Files.copy(f, set.resolve(f.getFileName()));
      }
    }
    byte[] dense = Files.readAllBytes(set.resolve("Dense.forest"));
    Files.write(set.resolve("Dense.forest"), java.util.Arrays.copyOf(dense, 10));
    assertBadInput("Dense.forest: corrupt forest file: truncated", "predict", MNIST, "--models",
        set.toString());
  }

  @Test
  void aNamedStoreThatDoesNotExistIsBadInputAndIsNotCreated() {
    Path missing = tmp.resolve("none.db");
    assertBadInput("no sample store at " + missing, "train", "--store", "jdbc:sqlite:" + missing);
    assertThat(missing).doesNotExist();
  }

  @Test
  void aStoreWithoutSamplesIsStillARuntimeFailure() {
    String url = "jdbc:sqlite:" + tmp.resolve("empty.db");
    SampleStore.open(url).close();
    CliRun run = CliRun.of("train", "--store", url);
    assertThat(run.exitCode()).as(run.err()).isEqualTo(JouleflowCommand.EXIT_FAILURE);
  }

  private static void assertBadInput(String part, String... args) {
    CliRun run = CliRun.of(args);
    String what = String.join(" ", args) + "\n" + run.err();
    assertThat(run.exitCode()).as(what).isEqualTo(JouleflowCommand.EXIT_USAGE);
    assertThat(run.errLines().stream().filter(l -> l.startsWith("jouleflow:"))).as(what)
        .singleElement().asString().contains(part);
    assertThat(run.err()).as(what).doesNotContain("\tat ");
  }
}
