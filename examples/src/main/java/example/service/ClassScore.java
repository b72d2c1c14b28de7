package example.service;

import java.util.ArrayList;
import java.util.List;

/**
 * One class of a prediction and its probability.
 *
 * @param classIndex index into the model's output
 * @param probability softmax probability of that class
 */
public record ClassScore(int classIndex, float probability) {

  /**
   * The {@code k} most probable classes, most probable first; equal probabilities keep the lower
   * class index first so the answer never depends on sort stability.
   */
  public static List<ClassScore> top(float[] probabilities, int k) {
    List<ClassScore> all = new ArrayList<>(probabilities.length);
    for (int i = 0; i < probabilities.length; i++) {
      all.add(new ClassScore(i, probabilities[i]));
    }
    all.sort(
        (a, b) -> {
          int byProbability = Float.compare(b.probability, a.probability);
          return byProbability != 0 ? byProbability : Integer.compare(a.classIndex, b.classIndex);
        });
    return List.copyOf(all.subList(0, Math.min(k, all.size())));
  }
}
