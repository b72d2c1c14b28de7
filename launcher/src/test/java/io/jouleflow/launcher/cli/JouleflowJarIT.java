package io.jouleflow.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shaded {@code jouleflow.jar}, run as users run it: {@code java -jar}, in a child JVM. */
class JouleflowJarIT {

  private static Path jar;

  @BeforeAll
  static void findJar() {
    jar = Path.of(System.getProperty("jouleflow.jar", "target/jouleflow.jar"));
    assertThat(jar).as("built by `mvn package`").isRegularFile();
  }

  @Test
  void metersWithTheEstimateExitsZeroAndPrintsTheEstimate() throws Exception {
    Result r = java("meters", "--meters", "estimate", "--seconds", "0.2");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("estimate (not a measurement)")
        .contains("hardware profile: ")
        .contains("energy over ");
  }

  @Test
  void unknownVerbExitsTwoWithOneLine() throws Exception {
    Result r = java("bogus");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().lines().toList())
        .containsExactly(JouleflowCommandTest.UNKNOWN_VERB);
    assertThat(r.out()).isEmpty();
  }

  private record Result(int exitCode, String out, String err) {}

  private static Result java(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    Path out = Files.createTempFile("jouleflow-out", ".txt");
    Path err = Files.createTempFile("jouleflow-err", ".txt");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      builder.environment().remove(JouleflowCommand.DEBUG_ENV);
      Process p = builder.start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("java -jar " + String.join(" ", args) + " did not finish in 60 s");
      }
      return new Result(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
