package io.jouleflow.launcher.calibrate;

import io.jouleflow.launcher.measure.KerasMeasurer;
import io.jouleflow.launcher.measure.LayerCost;
import io.jouleflow.launcher.measure.MeasureReport;
import io.jouleflow.predictor.keras.KerasLayers;
import io.jouleflow.predictor.keras.KerasModel;
import io.jouleflow.predictor.layers.Fusion;
import io.jouleflow.predictor.layers.LayerGraph;
import io.jouleflow.predictor.model.Calibration;
import io.jouleflow.predictor.model.GraphPrediction;
import io.jouleflow.predictor.model.ModelSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Carries a model set to this machine: measures {@link CalibrationSuite} in place, predicts the
 * same layers with the set, and takes per layer type the factor measured ÷ predicted. A type
 * whose layers hold less than {@link #MIN_TYPE_SHARE} of the suite's predicted energy gets the
 * overall factor instead (too little of it was seen to correct it on its own).
 */
public final class Calibrator {

  /** Below this share of the suite's predicted energy a type takes the overall factor. */
  public static final double MIN_TYPE_SHARE = 0.01;

  /**
   * One configuration measured and predicted.
   *
   * @param predictedByType the set's predictions summed by layer type (fused layers left out)
   */
  public record Measured(String name, MeasureReport report, double predictedJoules,
      Map<String, Double> predictedByType) {

    /** The prediction with each type's factor applied. */
    public double correctedJoules(Calibration c) {
      return predictedByType.entrySet().stream()
          .mapToDouble(e -> e.getValue() * c.factor(e.getKey())).sum();
    }
  }

  /** What a calibration found. */
  public record Result(Calibration calibration, List<Measured> measured,
      Map<String, double[]> byType) {

    /** The suite's whole-model RMSPE of {@code set}'s predictions before (uncorrected), in %. */
    public double rmspeBefore() {
      return rmspe(null);
    }

    /** The same with the calibration applied to each layer's type (in-sample), in %. */
    public double rmspeAfter() {
      return rmspe(calibration);
    }

    private double rmspe(Calibration c) {
      double sum = 0;
      for (Measured m : measured) {
        double predicted = c == null ? m.predictedJoules() : m.correctedJoules(c);
        double e = (predicted - m.report().whole().joules()) / m.report().whole().joules();
        sum += e * e;
      }
      return 100 * Math.sqrt(sum / measured.size());
    }
  }

  private final ModelSet base;
  private final KerasMeasurer measurer;
  private final Consumer<String> progress;

  public Calibrator(ModelSet base, KerasMeasurer measurer, Consumer<String> progress) {
    this.base = base;
    this.measurer = measurer;
    this.progress = progress;
  }

  /** Measures the suite and computes the factors. */
  public Result run(List<CalibrationSuite.Entry> suite) {
    Map<String, double[]> byType = new TreeMap<>(); // type -> {measured, predicted, layers}
    List<Measured> measured = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < suite.size(); i++) {
      CalibrationSuite.Entry entry = suite.get(i);
      long t = System.nanoTime();
      KerasModel model = entry.model().get();
      MeasureReport report = measurer.measure(model, entry.batch(), null, true);
      LayerGraph graph = KerasLayers.toLayerGraph(model, entry.batch(), null).graph();
      GraphPrediction prediction = GraphPrediction.of(base, graph, null);
      Map<String, Double> predictedById = new HashMap<>();
      Map<String, String> typeById = new HashMap<>();
      Map<String, Boolean> fusedById = new HashMap<>();
      for (GraphPrediction.Row row : prediction.rows()) {
        predictedById.put(row.layer().id(), row.prediction().joules());
        typeById.put(row.layer().id(), row.layer().type().label());
        fusedById.put(row.layer().id(), Fusion.isFused(row.layer().features().asMap()));
      }
      Map<String, Double> predictedByType = new HashMap<>();
      for (LayerCost cost : report.rows()) {
        String id = cost.layer().id();
        String type = cost.layer().type().label();
        Double p = predictedById.get(id);
        if (p == null || Boolean.TRUE.equals(fusedById.get(id))) {
          continue; // a fused layer is predicted 0: its work is in its producer's row
        }
        double[] sums = byType.computeIfAbsent(type, k -> new double[3]);
        sums[0] += cost.cost().joules();
        sums[1] += p;
        sums[2]++;
        predictedByType.merge(type, p, Double::sum);
      }
      Measured m = new Measured(entry.name(), report, prediction.totalJoules(), predictedByType);
      measured.add(m);
      progress.accept(String.format(Locale.ROOT,
          "[%d/%d] %s batch %d: measured %.3f mJ, predicted %.3f mJ (%+.0f %%), %.0f s (elapsed %.0f s)",
          i + 1, suite.size(), entry.name(), entry.batch(), report.whole().joules() * 1e3,
          prediction.totalJoules() * 1e3,
          100 * (prediction.totalJoules() / report.whole().joules() - 1),
          (System.nanoTime() - t) / 1e9, (System.nanoTime() - t0) / 1e9));
    }
    double measuredAll = 0;
    double predictedAll = 0;
    for (Measured m : measured) {
      measuredAll += m.report().whole().joules();
      predictedAll += m.predictedJoules();
    }
    double overall = predictedAll > 0 ? measuredAll / predictedAll : 1;
    double predictedLayers = byType.values().stream().mapToDouble(s -> s[1]).sum();
    Map<String, Double> corrections = new TreeMap<>();
    byType.forEach((type, s) -> {
      if (s[1] > 0 && s[1] >= MIN_TYPE_SHARE * predictedLayers && s[0] > 0) {
        corrections.put(type, s[0] / s[1]);
      }
    });
    Calibration calibration = new Calibration(base.hardwareProfile(), base.location(),
        String.format(Locale.ROOT, "%d configurations, %d layers", measured.size(),
            (int) byType.values().stream().mapToDouble(s -> s[2]).sum()),
        corrections, overall);
    return new Result(calibration, measured, byType);
  }
}
