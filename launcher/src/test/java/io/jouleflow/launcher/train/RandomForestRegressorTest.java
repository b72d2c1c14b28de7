package io.jouleflow.launcher.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.predictor.layers.LayerFeatures;
import io.jouleflow.predictor.model.CompactForest;
import io.jouleflow.predictor.model.FlopsBaseline;
import io.jouleflow.predictor.model.ForestHyperParameters;
import io.jouleflow.predictor.model.LayerPrediction;
import io.jouleflow.predictor.model.LayerTypeFit;
import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.SampleOrigin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.common.tree.RandomForestTrainer;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.ensemble.AveragingCombiner;
import org.tribuo.regression.rtree.CARTRegressionTrainer;
import org.tribuo.regression.rtree.impurity.MeanSquaredError;

class RandomForestRegressorTest {

  private static final double CONV_RATE = 2e-10;

  @Test
  void predictsEnergyProportionalToFlopsWithinTenPercent() {
    RandomForestRegressor rf = new RandomForestRegressor();
    rf.fit(SyntheticSamples.flopsProportional("Convolutional", 1500, CONV_RATE, 0.05, 1));

    List<LayerSample> unseen = SyntheticSamples.flopsProportional("Convolutional", 300, CONV_RATE, 0, 2);
    List<Double> errors = new ArrayList<>();
    for (LayerSample s : unseen) {
      LayerPrediction p = rf.predict("Convolutional", s.features());
      assertThat(p.fallback()).isFalse();
      errors.add(Math.abs(p.joules() / s.joulesPerInference() - 1));
    }
    double rmspe = Math.sqrt(errors.stream().mapToDouble(e -> e * e).average().orElseThrow());
    long within10 = errors.stream().filter(e -> e < 0.10).count();
    System.out.printf("flops-proportional: RMSPE %.2f %%, %d of %d within 10 %%, worst %.1f %%%n",
        rmspe * 100, within10, errors.size(),
        errors.stream().mapToDouble(Double::doubleValue).max().orElseThrow() * 100);
    assertThat(rmspe).isLessThan(0.10);
    assertThat(within10).isGreaterThanOrEqualTo(errors.size() * 9 / 10);
  }

  @Test
  void keepsLayerTypesApart() {
    List<LayerSample> samples = new ArrayList<>();
    samples.addAll(SyntheticSamples.flopsProportional("Convolutional", 300, CONV_RATE, 0.02, 3));
    samples.addAll(SyntheticSamples.flopsProportional("Dense", 300, CONV_RATE * 10, 0.02, 3));
    RandomForestRegressor rf = new RandomForestRegressor(ForestHyperParameters.DEFAULT.withTrees(30));
    rf.fit(samples);

    Map<String, Double> features = samples.get(17).features();
    double ratio = rf.predictJoules("Dense", features) / rf.predictJoules("Convolutional", features);
    assertThat(ratio).isCloseTo(10, within(1.0));
    assertThat(rf.fits()).extracting(LayerTypeFit::type).containsExactly("Dense", "Convolutional");
  }

  @Test
  void aTypeWithThreeSamplesFallsBackToItsFlopsLine() {
    List<LayerSample> samples =
        new ArrayList<>(SyntheticSamples.flopsProportional("Convolutional", 200, CONV_RATE, 0.02, 4));
    double[] rates = {6e-10, 7e-10, 9e-10};
    for (int i = 0; i < rates.length; i++) {
      double flops = 1e8 * (i + 1);
      samples.add(SyntheticSamples.sample("m" + i, "b1", "up" + i, "Upsampling",
          Map.of(LayerFeatures.FLOPS, flops, LayerFeatures.BYTES_MOVED, 1e6), 1, rates[i] * flops,
          SampleOrigin.COLLECT));
    }
    RandomForestRegressor rf = new RandomForestRegressor(ForestHyperParameters.DEFAULT.withTrees(20));
    rf.fit(samples);

    assertThat(rf.fallback("Upsampling")).isTrue();
    assertThat(rf.fallback("Convolutional")).isFalse();
    LayerTypeFit up = rf.fits().stream().filter(f -> f.type().equals("Upsampling")).findFirst().orElseThrow();
    assertThat(up.fallback()).isTrue();
    assertThat(up.reason()).isEqualTo("3 rows < 20");
    assertThat(up.file()).isNull();
    assertThat(up.rates().joulesPerFlop()).isCloseTo(7e-10, within(1e-20));

    // the type's line through its 3 samples (joules proportional to FLOPs: no intercept)
    FlopsBaseline line = up.rates().line();
    assertThat(line).isNotNull();
    assertThat(line.intercept()).isGreaterThanOrEqualTo(0);
    assertThat(line.slope()).isBetween(5e-10, 1e-9);
    LayerPrediction p = rf.predict("Upsampling", Map.of(LayerFeatures.FLOPS, 2e9));
    assertThat(p.fallback()).isTrue();
    assertThat(p.method()).isEqualTo(LayerPrediction.PER_FLOP);
    assertThat(p.joules()).isCloseTo(line.intercept() + line.slope() * 2e9, within(1e-9));
    // a type never seen: the global median rate per FLOP
    LayerPrediction unseen = rf.predict("Cropping", Map.of(LayerFeatures.FLOPS, 2e9));
    assertThat(unseen.fallback()).isTrue();
    assertThat(unseen.joules()).isCloseTo(rf.globalRates().joulesPerFlop() * 2e9, within(1e-9));
  }

  @Test
  void aTypeSeenInFewerThanThreeModelsFallsBack() {
    List<LayerSample> samples = new ArrayList<>();
    for (LayerSample s : SyntheticSamples.flopsProportional("Pooling", 40, 1e-9, 0, 5)) {
      samples.add(SyntheticSamples.sample(s.layer().hashCode() % 2 == 0 ? "a" : "b", s.config(),
          s.layer(), s.layerType(), s.features(), s.batchSize(), s.joulesPerInference(),
          SampleOrigin.COLLECT));
    }
    RandomForestRegressor rf = new RandomForestRegressor();
    rf.fit(samples);
    assertThat(rf.fallback("Pooling")).isTrue();
    assertThat(rf.fits().get(0).reason()).isEqualTo("2 models < 3");
    assertThat(rf.predictJoules("Pooling", Map.of(LayerFeatures.FLOPS, 1e6))).isCloseTo(1e-3, within(1e-12));
  }

  @Test
  void anUnseenTypeGetsTheGlobalRateAndALayerWithoutWorkTheMedianLayer() {
    List<LayerSample> samples = new ArrayList<>();
    samples.addAll(SyntheticSamples.flopsProportional("Convolutional", 100, 1e-10, 0, 6));
    samples.addAll(SyntheticSamples.flopsProportional("Dense", 100, 3e-10, 0, 6));
    RandomForestRegressor rf = new RandomForestRegressor(ForestHyperParameters.DEFAULT.withTrees(10));
    rf.fit(samples);

    assertThat(rf.fallback("Multiply")).isTrue();
    double global = rf.globalRates().joulesPerFlop();
    assertThat(global).isBetween(1e-10, 3e-10);
    LayerPrediction p = rf.predict("Multiply", Map.of(LayerFeatures.FLOPS, 1e9, LayerFeatures.BATCH_SIZE, 1.0));
    assertThat(p.fallback()).isTrue();
    assertThat(p.joules()).isCloseTo(global * 1e9, within(1e-12));

    LayerPrediction nothing = rf.predict("Multiply", Map.of());
    assertThat(nothing.method()).isEqualTo(LayerPrediction.PER_LAYER);
    assertThat(nothing.joules()).isEqualTo(rf.globalRates().joulesPerLayer()).isPositive();
    // a forest type, but none of the forest's features: the fallback, not an error
    assertThat(rf.predict("Dense", Map.of("no_such_feature", 1.0)).fallback()).isTrue();
  }

  @Test
  void agentSamplesOfOneLayerBecomeOneRowAtTheirMedianCountedTenTimesAndOverheadNotAtAll() {
    List<LayerSample> samples =
        new ArrayList<>(SyntheticSamples.flopsProportional("Convolutional", 30, CONV_RATE, 0, 7));
    LayerSample base = samples.get(0);
    double[] observed = {1.0, 2.0, 100.0}; // one disturbed window
    for (int i = 0; i < observed.length; i++) {
      samples.add(new LayerSample(SyntheticSamples.T0.plusSeconds(60L * i), base.hardwareProfile(),
          "rapl", SampleOrigin.AGENT, "service", "b1", "dense_1", "Dense", base.features(), 1,
          observed[i], 0.001, 1000, null, null));
    }
    samples.add(SyntheticSamples.sample("service", "b1", "_unattributed", "Overhead", Map.of(), 1,
        0.5, SampleOrigin.AGENT));
    List<TrainingRows.Row> rows = TrainingRows.of(samples);
    assertThat(rows).hasSize(30 + TrainingRows.AGENT_WEIGHT);
    assertThat(rows.subList(30, rows.size())).allSatisfy(r -> {
      assertThat(r.joules()).isEqualTo(2.0);
      assertThat(r.origin()).isEqualTo(SampleOrigin.AGENT);
    });
  }

  @Test
  void anAgentRowIsTheMedianOfTheLayersLatestWindows() {
    List<LayerSample> samples = new ArrayList<>();
    LayerSample base = SyntheticSamples.flopsProportional("Dense", 1, CONV_RATE, 0, 7).get(0);
    // a warm-up: the first windows run hot, the latest five are the service as it runs now
    double[] observed = {9.0, 8.0, 7.0, 6.0, 5.0, 1.1, 1.0, 0.9, 1.2, 1.0};
    for (int i = observed.length - 1; i >= 0; i--) { // stored in any order
      samples.add(new LayerSample(SyntheticSamples.T0.plusSeconds(5L * i), base.hardwareProfile(),
          "rapl", SampleOrigin.AGENT, "service", "b1", "dense_1", "Dense", base.features(), 1,
          observed[i], 0.001, 1000, null, null));
    }
    List<TrainingRows.Row> rows = TrainingRows.of(samples);
    assertThat(rows).hasSize(TrainingRows.AGENT_WEIGHT)
        .allSatisfy(r -> assertThat(r.joules()).isEqualTo(1.0));
  }

  @Test
  void importancesSumToOneAndFavourTheWork() {
    RandomForestRegressor rf = new RandomForestRegressor(ForestHyperParameters.DEFAULT.withTrees(30));
    rf.fit(SyntheticSamples.flopsProportional("Convolutional", 500, CONV_RATE, 0.05, 8));
    Map<String, Double> importances = rf.fits().get(0).importances();
    System.out.println("importances: " + importances);
    assertThat(importances.values().stream().mapToDouble(Double::doubleValue).sum())
        .isCloseTo(1.0, within(0.01));
    List<String> top3 = importances.keySet().stream().limit(3).toList();
    assertThat(top3).containsAnyOf(LayerFeatures.FLOPS, LayerFeatures.BYTES_MOVED);
    assertThat(new ArrayList<>(importances.values())).isSortedAccordingTo((a, b) -> Double.compare(b, a));
  }

  @Test
  void compactForestPredictsExactlyAsTheTribuoForest() {
    List<LayerSample> samples = SyntheticSamples.flopsProportional("Convolutional", 300, CONV_RATE, 0.05, 9);
    MutableDataset<Regressor> data = new MutableDataset<>(
        new SimpleDataSourceProvenance("test", ForestTrainer.OUTPUTS), ForestTrainer.OUTPUTS);
    samples.forEach(s -> data.add(ForestTrainer.example(s.features(), Math.log(s.joulesPerInference()))));
    CARTRegressionTrainer cart = new CARTRegressionTrainer(10, 3, 0f, 0.5f, false, new MeanSquaredError(), 1L);
    Model<Regressor> tribuo = new RandomForestTrainer<>(cart, new AveragingCombiner(), 20, 1L).train(data);

    CompactForest compact = ForestTrainer.compact(tribuo);
    assertThat(compact.trees()).isEqualTo(20);
    for (LayerSample s : SyntheticSamples.flopsProportional("Convolutional", 100, CONV_RATE, 0, 10)) {
      double expected = tribuo.predict(ForestTrainer.example(s.features(), 0)).getOutput().getValues()[0];
      assertThat(compact.predict(compact.row(s.features()))).isCloseTo(expected, within(1e-9));
    }
  }

  @Test
  void refusesToPredictUnfittedAndToFitWithoutEnergy() {
    RandomForestRegressor rf = new RandomForestRegressor();
    assertThat(rf.name()).isEqualTo("random-forest");
    assertThatThrownBy(() -> rf.predictJoules("Dense", Map.of()))
        .isInstanceOf(IllegalStateException.class);
    LayerSample zero = SyntheticSamples.sample("m", "b1", "l", "Dense", Map.of(), 1, 0, SampleOrigin.COLLECT);
    assertThatThrownBy(() -> rf.fit(List.of(zero))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive energy");
  }
}
