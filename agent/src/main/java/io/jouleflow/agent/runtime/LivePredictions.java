package io.jouleflow.agent.runtime;

import io.jouleflow.agent.log.AgentLog;
import io.jouleflow.predictor.layers.Layer;
import io.jouleflow.predictor.layers.LayerGraph;
import io.jouleflow.predictor.model.ModelSet;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The model set the agent compares observations with: the {@code models} directory, else the set
 * bundled with jouleflow. Loaded on the worker thread at first use; a missing or corrupt set turns
 * predictions off with one log line (observed metrics stay). Worker thread only.
 */
final class LivePredictions {

  private final String directory;
  private final String hardwareProfile;
  private ModelSet set;
  private boolean tried;

  /**
   * @param directory the {@code models} option, or null for the bundled set
   * @param hardwareProfile this machine's profile id, for the mismatch warning
   */
  LivePredictions(String directory, String hardwareProfile) {
    this.directory = directory;
    this.hardwareProfile = hardwareProfile;
  }

  /** Predicted joules per inference by layer id, or null when predictions are off. */
  Map<String, Double> predict(LayerGraph graph) {
    ModelSet s = set();
    if (s == null) {
      return null;
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (Layer layer : graph.layers()) {
      double j = s.predictJoules(layer.type().label(), layer.features().asMap());
      if (Double.isFinite(j)) {
        out.put(layer.id(), j);
      }
    }
    return out;
  }

  private ModelSet set() {
    if (!tried) {
      tried = true;
      try {
        set = directory == null
            ? ModelSet.bundled().orElse(null)
            : ModelSet.read(Path.of(directory));
        if (set == null) {
          AgentLog.warn("no model set bundled and none given (models=...); predictions are off");
        } else {
          AgentLog.info("predictions from model set " + set.location()
              + " (hardware " + set.hardwareProfile() + ")");
          if (hardwareProfile != null && !hardwareProfile.equals(set.hardwareProfile())) {
            AgentLog.warn("the model set was trained on hardware " + set.hardwareProfile()
                + ", this machine is " + hardwareProfile + ": predictions may be off by a lot");
          }
        }
      } catch (RuntimeException | LinkageError e) {
        AgentLog.warn("model set unusable (" + e.getMessage() + "); predictions are off,"
            + " observed metrics are still exported");
        set = null;
      }
    }
    return set;
  }
}
