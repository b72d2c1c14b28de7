package io.jouleflow.launcher.train;

import io.jouleflow.predictor.model.CompactForest;
import io.jouleflow.predictor.model.ForestHyperParameters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.common.tree.LeafNode;
import org.tribuo.common.tree.Node;
import org.tribuo.common.tree.RandomForestTrainer;
import org.tribuo.common.tree.SplitNode;
import org.tribuo.common.tree.TreeModel;
import org.tribuo.ensemble.EnsembleModel;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.ensemble.AveragingCombiner;
import org.tribuo.regression.rtree.CARTRegressionTrainer;
import org.tribuo.regression.rtree.IndependentRegressionTreeModel;
import org.tribuo.regression.rtree.impurity.MeanSquaredError;

/**
 * Grows one layer type's random forest with Tribuo: a {@link RandomForestTrainer} of {@link
 * CARTRegressionTrainer}s (squared error, a random fraction of the features per split) on bootstrap
 * samples, combined by {@link AveragingCombiner}; the target is log joules. The grown forest is
 * turned into a {@link CompactForest}. The only class of this package that touches Tribuo, so that
 * predicting never loads it.
 */
final class ForestTrainer {

  static final RegressionFactory OUTPUTS = new RegressionFactory();
  static final String OUTPUT = "log_joules";

  // Tribuo's bagging trainer logs an INFO line per tree. The logger is held here so that the level
  // set on it is not lost when it is garbage-collected.
  private static final Logger TRIBUO_LOG = Logger.getLogger("org.tribuo");

  private ForestTrainer() {}

  /** A grown forest, and the Tribuo trainer's description of itself (its provenance). */
  record Grown(CompactForest forest, String trainer) {}

  /** Grows the forest of {@code type} on {@code rows} (each with at least one feature). */
  static Grown grow(
      String type,
      List<TrainingRows.Row> rows,
      ForestHyperParameters hyper,
      long seed,
      ToDoubleFunction<TrainingRows.Row> target) {
    synchronized (TRIBUO_LOG) {
      if (TRIBUO_LOG.getLevel() == null) {
        TRIBUO_LOG.setLevel(Level.WARNING);
      }
    }
    MutableDataset<Regressor> data =
        new MutableDataset<>(
            new SimpleDataSourceProvenance("jouleflow layer samples of type " + type, OUTPUTS),
            OUTPUTS);
    for (TrainingRows.Row row : rows) {
      data.add(example(row.features(), target.applyAsDouble(row)));
    }
    CARTRegressionTrainer cart =
        new CARTRegressionTrainer(
            hyper.maxDepth(),
            hyper.minChildWeight(),
            0f,
            (float) hyper.featureFraction(),
            false,
            new MeanSquaredError(),
            seed);
    RandomForestTrainer<Regressor> trainer =
        new RandomForestTrainer<>(cart, new AveragingCombiner(), hyper.trees(), seed);
    return new Grown(compact(trainer.train(data)), trainer.toString());
  }

  /** A Tribuo example of the named features, with log joules as its regression target. */
  static Example<Regressor> example(Map<String, Double> features, double logJoules) {
    String[] names = new String[features.size()];
    double[] values = new double[features.size()];
    int i = 0;
    for (Map.Entry<String, Double> e : features.entrySet()) {
      names[i] = e.getKey();
      values[i++] = e.getValue();
    }
    return new ArrayExample<>(new Regressor(OUTPUT, logJoules), names, values);
  }

  /** The arrays of a Tribuo forest (an ensemble of one-output regression trees, or one tree). */
  static CompactForest compact(Model<Regressor> forest) {
    ImmutableFeatureMap map = forest.getFeatureIDMap();
    List<String> names = new ArrayList<>();
    Map<Integer, Integer> slotOfId = new HashMap<>();
    map.forEach(info -> {
      slotOfId.put(map.getID(info.getName()), names.size());
      names.add(info.getName());
    });
    List<Model<Regressor>> trees =
        forest instanceof EnsembleModel<Regressor> ensemble ? ensemble.getModels() : List.of(forest);
    CompactForest.Builder builder = new CompactForest.Builder(names);
    for (Model<Regressor> tree : trees) {
      Node<Regressor> root;
      if (tree instanceof IndependentRegressionTreeModel independent) {
        if (independent.getRoots().size() != 1) {
          throw new IllegalArgumentException("a forest of one output dimension was expected");
        }
        root = independent.getRoots().values().iterator().next();
      } else if (tree instanceof TreeModel<Regressor> single) {
        root = single.getRoot();
      } else {
        throw new IllegalArgumentException("not a tree: " + tree.getClass().getName());
      }
      addTree(builder, root, slotOfId);
    }
    return builder.build();
  }

  /** Adds a tree in preorder, iteratively (no recursion depth limit). */
  private static void addTree(
      CompactForest.Builder builder, Node<Regressor> root, Map<Integer, Integer> slotOfId) {
    builder.startTree();
    // each entry: a node, and the index of the split whose greater child it is (-1: none)
    List<Object[]> stack = new ArrayList<>();
    stack.add(new Object[] {root, -1});
    while (!stack.isEmpty()) {
      Object[] top = stack.remove(stack.size() - 1);
      @SuppressWarnings("unchecked")
      Node<Regressor> node = (Node<Regressor>) top[0];
      int parent = (Integer) top[1];
      int index;
      if (node instanceof SplitNode<Regressor> split) {
        index = builder.split(slotOfId.get(split.getFeatureID()), split.splitValue());
        // the less-or-equal child comes next in preorder, so it is pushed last
        stack.add(new Object[] {split.getGreaterThan(), index});
        stack.add(new Object[] {split.getLessThanOrEqual(), -1});
      } else if (node instanceof LeafNode<Regressor> leaf) {
        index = builder.leaf(leaf.getOutput().getValues()[0]);
      } else {
        throw new IllegalArgumentException("unknown tree node " + node);
      }
      if (parent >= 0) {
        builder.greater(parent, index);
      }
    }
  }
}
