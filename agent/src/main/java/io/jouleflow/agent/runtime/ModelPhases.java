package io.jouleflow.agent.runtime;

import io.jouleflow.agent.telemetry.ModelAttributes;
import io.jouleflow.predictor.attribution.LayerResolver;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the worker knows of one model across its phases: its layer resolver (one graph, read once)
 * and which of its runs are training steps. A traced run says it (it ran backward or optimizer
 * ops); untraced runs take the phase last traced for the same fetches. Fetches never traced yet
 * count as training once the model has trained — such a run is then left out of predictions and
 * samples rather than corrupting them — else as inference. Worker thread only.
 */
final class ModelPhases {

  /** Distinct fetch lists remembered per model (an application fetching ever new names). */
  private static final int MAX_FETCH_LISTS = 1000;

  private final Map<String, Boolean> trainingByFetches = new HashMap<>();
  private boolean trains;
  private LayerResolver resolver; // built on the model's first traced run

  /** The phase a traced run showed; remembered for its fetches. */
  String traced(Object fetchNames, boolean training) {
    String key = key(fetchNames);
    if (trainingByFetches.size() < MAX_FETCH_LISTS || trainingByFetches.containsKey(key)) {
      trainingByFetches.put(key, training);
    }
    trains |= training;
    return phase(training);
  }

  /** The phase of an untraced run. */
  String untraced(Object fetchNames) {
    Boolean known = trainingByFetches.get(key(fetchNames));
    return phase(known != null ? known : trains);
  }

  /** The model's layer resolver, made by {@code make} on first need. */
  LayerResolver resolver(Supplier<LayerResolver> make) {
    if (resolver == null) {
      resolver = make.get();
    }
    return resolver;
  }

  private static String phase(boolean training) {
    return training ? ModelAttributes.TRAINING : ModelAttributes.INFERENCE;
  }

  private static String key(Object fetchNames) {
    return fetchNames instanceof Object[] names ? Arrays.toString(names) : "?";
  }
}
