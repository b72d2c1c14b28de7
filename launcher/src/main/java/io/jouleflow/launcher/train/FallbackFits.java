package io.jouleflow.launcher.train;

import io.jouleflow.predictor.layers.LayerFeatures;
import io.jouleflow.predictor.model.FallbackRates;
import io.jouleflow.predictor.model.FlopsBaseline;
import java.util.Collection;
import java.util.Map;

/**
 * Fits a type's {@link FallbackRates} and {@link FlopsBaseline} on its training rows (what the
 * model set stores and the predictor library applies).
 */
final class FallbackFits {

  private FallbackFits() {}

  /** The rates of {@code rows} (one type's, or all rows for the global rates). */
  static FallbackRates rates(Collection<TrainingRows.Row> rows) {
    return new FallbackRates(
        rate(rows, LayerFeatures.FLOPS), rate(rows, LayerFeatures.BYTES_MOVED), perLayer(rows),
        rows.size() >= 2 ? line(rows) : null);
  }

  /** Fits the FLOPs line on rows of one type. */
  static FlopsBaseline line(Collection<TrainingRows.Row> rows) {
    double[] joules = rows.stream().mapToDouble(TrainingRows.Row::joules).toArray();
    double constant = joules.length == 0 ? 0 : TrainingRows.median(joules);
    // Weighted least squares with weights 1/J^2: minimise sum ((a + b f - J) / J)^2.
    double s00 = 0, s01 = 0, s11 = 0, t0 = 0, t1 = 0;
    for (TrainingRows.Row r : rows) {
      double f = flops(r.features());
      double w = 1 / (r.joules() * r.joules());
      s00 += w;
      s01 += w * f;
      s11 += w * f * f;
      t0 += w * r.joules();
      t1 += w * f * r.joules();
    }
    double det = s00 * s11 - s01 * s01;
    double a = 0;
    double b = 0;
    if (det > 1e-12 * s00 * s11 && det > 0) {
      a = (t0 * s11 - t1 * s01) / det;
      b = (s00 * t1 - s01 * t0) / det;
    }
    if (a < 0 || b < 0 || !Double.isFinite(a) || !Double.isFinite(b)) {
      // One term only: the better of a pure rate and a pure constant, both >= 0.
      double rate = s11 > 0 ? Math.max(0, t1 / s11) : 0;
      double level = s00 > 0 ? Math.max(0, t0 / s00) : 0;
      double errRate = 0;
      double errLevel = 0;
      for (TrainingRows.Row r : rows) {
        double f = flops(r.features());
        errRate += sq((rate * f - r.joules()) / r.joules());
        errLevel += sq((level - r.joules()) / r.joules());
      }
      a = errRate <= errLevel ? 0 : level;
      b = errRate <= errLevel ? rate : 0;
    }
    return new FlopsBaseline(a, b, constant);
  }

  private static Double rate(Collection<TrainingRows.Row> rows, String feature) {
    double[] rates =
        rows.stream()
            .filter(r -> r.features().getOrDefault(feature, 0.0) > 0)
            .mapToDouble(r -> r.joules() / r.features().get(feature))
            .toArray();
    return rates.length == 0 ? null : TrainingRows.median(rates);
  }

  private static Double perLayer(Collection<TrainingRows.Row> rows) {
    double[] joules = rows.stream().mapToDouble(TrainingRows.Row::joules).toArray();
    return joules.length == 0 ? null : TrainingRows.median(joules);
  }

  private static double flops(Map<String, Double> features) {
    Double f = features.get(LayerFeatures.FLOPS);
    return f == null || !(f > 0) ? 0 : f;
  }

  private static double sq(double x) {
    return x * x;
  }
}
