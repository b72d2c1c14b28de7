package io.jouleflow.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Numbers that would overflow, wrap or round — in a Keras JSON, in {@code --input}, in the
 * tensors {@code measure} feeds — are one line and exit 2, never a wrong prediction or a stack
 * trace.
 */
class BadNumbersTest {

  private static final String[] FAST = {"--min-seconds", "0.05", "--min-runs", "1", "--warmup",
      "0", "--no-layers"};

  @TempDir Path tmp;

  private Path dense(String units, String shape) throws IOException {
    Path file = tmp.resolve("dense.json");
    Files.writeString(file, """
        {"class_name": "Sequential", "config": {"name": "m", "layers": [
          {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": %s}},
          {"class_name": "Dense", "config": {"name": "fc", "units": %s}}]}}
        """.formatted(shape, units));
    return file;
  }

  @Test
  void kerasNumbersThatWouldWrapOrRoundAreOneLineAndExitTwo() throws IOException {
    String[][] cases = {
      {"18446744073709551624", "[null, 4]", "\"units\""},
      {"3.5", "[null, 4]", "\"units\""},
      {"true", "[null, 4]", "\"units\""},
      {"1e30", "[null, 4]", "\"units\""},
      {"8", "[null, 18446744073709551621]", "\"batch_input_shape\""},
      {"8", "[]", "\"batch_input_shape\" is []"},
      {"8", "[null, 100000, 100000, 100000, 100000]", "elements per example"},
    };
    for (String[] c : cases) {
      assertBadInput(c[2], "predict", dense(c[0], c[1]).toString());
    }
  }

  @Test
  void anInputWhoseElementCountOverflowsIsOneLineAndExitTwo() {
    assertBadInput("elements per example", "predict", "zoo:MobileNet", "--input",
        "1000000000x1000000000x3");
    String[] measure = {"measure", "zoo:MobileNet", "--input", "1000000000x1000000000x3"};
    assertBadInput("elements per example", concat(measure, FAST));
  }

  @Test
  void measureRefusesTensorsLargerThanItCanFeed() {
    // 8192 x 8192 x 3 is 201 M elements per example: 16 of them are more than an int counts.
    String[] measure = {"measure", "zoo:MobileNet", "--input", "8192x8192x3", "--batch", "16"};
    assertBadInput("elements", concat(measure, FAST));
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
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
