package io.jouleflow.predictor.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What training made of one layer type: a forest or the fallback, on how much data, and which
 * features mattered. One entry of a model set's manifest.
 *
 * @param type the layer type's label, e.g. {@code Convolutional}
 * @param rows training rows (see the launcher's {@code TrainingRows} for how agent samples count)
 * @param models distinct models the rows come from
 * @param fallback whether the type falls back to {@link #rates()} instead of a forest
 * @param reason why it falls back, e.g. {@code 3 rows < 20}; null for a forest
 * @param file the forest's file in the model set's directory ({@code CompactForest}); null for a
 *     fallback type
 * @param trainer the Tribuo trainer that grew the forest, as Tribuo describes it (its provenance:
 *     tree settings, seeds); null for a fallback type
 * @param importances feature importances of the forest, largest first, summing to 1 (mean
 *     decrease of the squared error of log joules, over the training rows); empty for a fallback
 * @param rates the type's fallback rates; their FLOPs line is also what the type's forest corrects
 * @param trainingSeconds wall time to train the forest
 */
public record LayerTypeFit(
    String type,
    int rows,
    int models,
    boolean fallback,
    String reason,
    String file,
    String trainer,
    Map<String, Double> importances,
    FallbackRates rates,
    double trainingSeconds) {

  public LayerTypeFit {
    importances =
        importances == null
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(importances));
    rates = rates == null ? FallbackRates.NONE : rates;
  }

  public LayerTypeFit withFile(String value) {
    return new LayerTypeFit(
        type, rows, models, fallback, reason, value, trainer, importances, rates, trainingSeconds);
  }
}
