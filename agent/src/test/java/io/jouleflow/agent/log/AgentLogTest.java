package io.jouleflow.agent.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AgentLogTest {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  private String log() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @AfterEach
  void restore() {
    AgentLog.redirect(System.err, false);
  }

  @Test
  void controlCharactersInAMessageAreEscapedSoEveryEventIsOneLine() {
    AgentLog.redirect(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
    AgentLog.warn("option model.name=a\nb is odd");
    AgentLog.info("model x\r\n[jouleflow] WARN forged\u001b[31mred\ttab\u0000\u007f\u2028end");
    AgentLog.debug("line\nbreak");
    assertThat(log().lines()).containsExactly(
        "[jouleflow] WARN option model.name=a\\nb is odd",
        "[jouleflow] model x\\r\\n[jouleflow] WARN forged\\u001b[31mred\\ttab\\u0000\\u007f\\u2028end",
        "[jouleflow] debug line\\nbreak");
  }

  @Test
  void ordinaryTextIsUnchanged() {
    AgentLog.redirect(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
    AgentLog.info("metrics at http://127.0.0.1:9464/metrics — résumé 10 W");
    assertThat(log()).isEqualTo("[jouleflow] metrics at http://127.0.0.1:9464/metrics — résumé 10 W"
        + System.lineSeparator());
  }
}
