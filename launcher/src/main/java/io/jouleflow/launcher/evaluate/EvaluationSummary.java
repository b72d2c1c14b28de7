package io.jouleflow.launcher.evaluate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a model set's manifest says about how its method did in {@code evaluate}: the method, the
 * split, and the headline numbers. Fractions here (0.1226); {@link #toJson()} writes percent.
 *
 * @param method the regressor's name, e.g. {@code random-forest}
 * @param split {@code family} or {@code fraction}
 * @param heldOutModels held-out model configurations scored
 * @param wholeModelRmspe RMSPE of the predicted sum of layers against the measured whole model
 * @param sumOfLayersRmspe RMSPE against the measured sum of layers
 * @param withinTenPercent share of held-out models within ±10 % of the measured whole model
 * @param withinTenPercentOfSum share within ±10 % of the measured sum of layers
 * @param perTypeRmspe RMSPE per layer type, in the report's column order
 */
public record EvaluationSummary(
    String method,
    String split,
    int heldOutModels,
    double wholeModelRmspe,
    double sumOfLayersRmspe,
    double withinTenPercent,
    double withinTenPercentOfSum,
    Map<String, Double> perTypeRmspe) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public EvaluationSummary {
    perTypeRmspe = Collections.unmodifiableMap(new LinkedHashMap<>(perTypeRmspe));
  }

  /**
   * One JSON object: {@code method}, {@code split}, {@code held_out_models}, {@code
   * whole_model_rmspe_pct}, {@code sum_of_layers_rmspe_pct}, {@code within_10pct_pct}, {@code
   * within_10pct_of_sum_pct}, {@code per_type_rmspe_pct} (an object by layer type); percent with 3
   * decimals, null where nothing was scored.
   */
  public String toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("method", method);
    json.put("split", split);
    json.put("held_out_models", heldOutModels);
    json.put("whole_model_rmspe_pct", percent(wholeModelRmspe));
    json.put("sum_of_layers_rmspe_pct", percent(sumOfLayersRmspe));
    json.put("within_10pct_pct", percent(withinTenPercent));
    json.put("within_10pct_of_sum_pct", percent(withinTenPercentOfSum));
    Map<String, Object> perType = new LinkedHashMap<>();
    perTypeRmspe.forEach((type, rmspe) -> perType.put(type, percent(rmspe)));
    json.put("per_type_rmspe_pct", perType);
    try {
      return JSON.writeValueAsString(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings and numbers is always JSON", e);
    }
  }

  private static Double percent(double fraction) {
    return Double.isFinite(fraction) ? Math.round(fraction * 100_000) / 1000.0 : null;
  }
}
