package io.jouleflow.launcher.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.launcher.keras.KerasGraphBuilder;
import io.jouleflow.predictor.keras.KerasModel;
import org.junit.jupiter.api.Test;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/** Random architectures are not only consistent on paper: TensorFlow builds and runs them. */
class RandomArchitecturesInTensorFlowTest {

  @Test
  void tensorFlowRunsRandomArchitecturesToTheirClassifier() {
    for (long seed = 0; seed < 25; seed++) {
      KerasModel model = RandomArchitectures.generate(seed, seed % 2 == 0 ? 32 : 48);
      int units = model.layers().get(model.layers().size() - 1).config().get("units").asInt();

      try (KerasGraphBuilder.BuiltModel built = KerasGraphBuilder.build(model, 2, null, seed);
          Session session = built.newSession();
          TFloat32 input = built.randomInput(0, seed);
          Result result =
              session
                  .runner()
                  .feed(built.inputNames().get(0), input)
                  .fetch(built.outputNames().get(0))
                  .run()) {
        assertThat(result.get(0).shape().asArray()).as(model.name()).containsExactly(2, units);
      }
    }
  }
}
