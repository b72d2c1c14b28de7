package io.jouleflow.predictor.model;

/**
 * How {@link RandomForestRegressor} trains: the forest of each layer type, and the rule that sends a
 * type with too little data to the per-FLOP {@link FallbackRates fallback} instead. Recorded in a
 * model set's manifest.
 *
 * @param trees trees per forest (bootstrap samples of the type's rows)
 * @param maxDepth the deepest a tree grows
 * @param minChildWeight the fewest rows a split may leave in a child (Tribuo's {@code
 *     minChildWeight}; every row weighs 1)
 * @param featureFraction the fraction of the type's features each split chooses from, in (0, 1):
 *     the random-subspace half of a random forest
 * @param seed seeds the bootstrap samples and the feature subsets; a type's forest uses {@code seed}
 *     mixed with the type's name, so adding a type does not change the others
 * @param minSamples a type with fewer training rows falls back
 * @param minModels a type seen in fewer distinct models falls back: a forest of one or two
 *     architectures does not generalise to a third
 */
public record ForestHyperParameters(
    int trees,
    int maxDepth,
    int minChildWeight,
    double featureFraction,
    long seed,
    int minSamples,
    int minModels) {

  /**
   * 100 trees as the paper's (scikit-learn's default) forest; depth 14 and 3 rows per leaf keep a
   * set of ~50,000 rows to a few MB; half the features per split.
   */
  public static final ForestHyperParameters DEFAULT =
      new ForestHyperParameters(100, 14, 3, 0.5, 42L, 20, 3);

  public ForestHyperParameters {
    if (trees < 1) {
      throw new IllegalArgumentException("trees must be at least 1, not " + trees);
    }
    if (maxDepth < 1) {
      throw new IllegalArgumentException("max depth must be at least 1, not " + maxDepth);
    }
    if (minChildWeight < 1) {
      throw new IllegalArgumentException("min child weight must be at least 1, not " + minChildWeight);
    }
    if (!(featureFraction > 0 && featureFraction < 1)) {
      throw new IllegalArgumentException(
          "feature fraction must be in (0, 1) for a random forest, not " + featureFraction);
    }
    if (minSamples < 1 || minModels < 1) {
      throw new IllegalArgumentException("min samples and min models must be at least 1");
    }
  }

  public ForestHyperParameters withTrees(int value) {
    return new ForestHyperParameters(
        value, maxDepth, minChildWeight, featureFraction, seed, minSamples, minModels);
  }

  public ForestHyperParameters withMaxDepth(int value) {
    return new ForestHyperParameters(
        trees, value, minChildWeight, featureFraction, seed, minSamples, minModels);
  }

  public ForestHyperParameters withSeed(long value) {
    return new ForestHyperParameters(
        trees, maxDepth, minChildWeight, featureFraction, value, minSamples, minModels);
  }

  public ForestHyperParameters withFallbackRule(int samples, int models) {
    return new ForestHyperParameters(
        trees, maxDepth, minChildWeight, featureFraction, seed, samples, models);
  }
}
