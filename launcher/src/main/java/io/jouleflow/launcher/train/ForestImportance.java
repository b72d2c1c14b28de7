package io.jouleflow.launcher.train;

import io.jouleflow.predictor.model.CompactForest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Impurity-based feature importance of a forest (mean decrease in impurity, as scikit-learn's
 * {@code feature_importances_}): the training rows go down every tree; at each split, the squared
 * error of log joules in the node minus that of its two children is credited to the split's
 * feature; the credits are summed over all trees and scaled to sum to 1.
 *
 * <p>Tribuo's own {@code getTopFeatures} counts splits per feature instead, which favours features
 * with many distinct values whether or not their splits explain much; and Tribuo's nodes do not
 * keep their row counts, hence the pass over the rows.
 */
final class ForestImportance {

  private ForestImportance() {}

  /**
   * Feature name to importance, largest first, rounded to 4 decimals; empty if no split reduces
   * the error.
   *
   * @param rows the training rows by the forest's feature slots
   * @param targets their log joules
   */
  static Map<String, Double> of(CompactForest forest, List<double[]> rows, double[] targets) {
    int n = forest.nodes();
    double[] count = new double[n];
    double[] sum = new double[n];
    double[] squares = new double[n];
    for (int r = 0; r < rows.size(); r++) {
      double y = targets[r];
      for (int root : forest.roots()) {
        forest.path(root, rows.get(r), i -> {
          count[i]++;
          sum[i] += y;
          squares[i] += y * y;
        });
      }
    }
    double[] credit = new double[forest.features().size()];
    forest.forEachSplit((node, slot, lessOrEqual, greater) -> {
      double decrease =
          sse(count[node], sum[node], squares[node])
              - sse(count[lessOrEqual], sum[lessOrEqual], squares[lessOrEqual])
              - sse(count[greater], sum[greater], squares[greater]);
      credit[slot] += Math.max(decrease, 0);
    });
    double total = 0;
    for (double c : credit) {
      total += c;
    }
    Map<String, Double> sorted = new LinkedHashMap<>();
    if (total > 0) {
      double t = total;
      IntStream.range(0, credit.length)
          .boxed()
          .filter(slot -> credit[slot] > 0)
          .sorted((a, b) -> Double.compare(credit[b], credit[a]))
          .forEach(slot -> sorted.put(forest.features().get(slot),
              Math.round(credit[slot] / t * 1e4) / 1e4));
    }
    return sorted;
  }

  private static double sse(double count, double sum, double squares) {
    return count == 0 ? 0 : squares - sum * sum / count;
  }
}
