package example.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PredictionJsonTest {

  @Test
  void topClassesAreMostProbableFirstWithTiesByLowerClass() {
    float[] probabilities = {0.1f, 0.3f, 0.05f, 0.3f, 0.25f};

    assertThat(ClassScore.top(probabilities, 3))
        .containsExactly(
            new ClassScore(1, 0.3f), new ClassScore(3, 0.3f), new ClassScore(4, 0.25f));
  }

  @Test
  void predictionsHaveOneListPerInputAndSixDecimals() {
    String json =
        PredictionJson.predictions(
            List.of(
                List.of(new ClassScore(2, 0.5f), new ClassScore(0, 0.25f)),
                List.of(new ClassScore(7, 1f))));

    assertThat(json)
        .isEqualTo(
            "{\"batch\":2,\"top\":[[{\"class\":2,\"p\":0.500000},{\"class\":0,\"p\":0.250000}],"
                + "[{\"class\":7,\"p\":1.000000}]]}");
  }

  @Test
  void errorsAreEscapedOnOneLine() {
    assertThat(PredictionJson.error("bad \"x\"\nnext\\"))
        .isEqualTo("{\"error\":\"bad \\\"x\\\"\\nnext\\\\\"}");
  }
}
