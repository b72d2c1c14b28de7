package io.jouleflow.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CoverageCheckTest {

  private static final ClassLoader APP = ClassLoader.getSystemClassLoader();
  // What a class calling TF_SessionRun itself holds in its constant pool.
  private static final byte[] CALLS_C_API = ("...org/tensorflow/internal/c_api/global/tensorflow"
      + "...TF_SessionRun...").getBytes(StandardCharsets.US_ASCII);

  @Test
  void djlsTensorFlowEngineIsCoveredNotReported() {
    CoverageCheck check = new CoverageCheck();
    assertThat(check.gapOf(APP, "ai/djl/tensorflow/engine/TfEngine", null, new byte[1])).isNull();
    assertThat(check.gapOf(APP, "ai/djl/tensorflow/engine/javacpp/JavacppUtils", null,
        CALLS_C_API)).isNull();
  }

  @Test
  void otherDirectCallersOfTheCApiAreStillReported() {
    assertThat(new CoverageCheck().gapOf(APP, "com/example/Native", null, CALLS_C_API))
        .isEqualTo(CoverageCheck.Gap.C_API);
  }
}
