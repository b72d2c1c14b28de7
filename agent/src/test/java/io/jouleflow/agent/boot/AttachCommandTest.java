package io.jouleflow.agent.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The agent jar's own command line: bad usage is exit 2 with one line that says what is wrong. */
class AttachCommandTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... argv) {
    return AttachCommand.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String errText() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void attachWithoutAPidSaysAPidIsNeeded() {
    assertThat(run("attach")).isEqualTo(2);
    assertThat(errText().lines().toList()).singleElement().asString()
        .startsWith("jouleflow-agent: attach needs a process id").contains("usage:");
  }

  @Test
  void anUnknownCommandIsNamed() {
    assertThat(run("detach", "12")).isEqualTo(2);
    assertThat(errText()).startsWith("jouleflow-agent: unknown command 'detach'");
  }

  @Test
  void aPidMustBeANumber() {
    assertThat(run("attach", "abc")).isEqualTo(2);
    assertThat(errText()).startsWith("jouleflow-agent: 'abc' is not a process id");
  }

  @Test
  void helpGoesToStdoutAndExitsZero() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: java -jar jouleflow-agent.jar attach");
    assertThat(errText()).isEmpty();
  }
}
