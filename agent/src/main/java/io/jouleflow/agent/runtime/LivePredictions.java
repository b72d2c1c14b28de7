package io.jouleflow.agent.runtime;

import io.jouleflow.agent.log.AgentLog;
import io.jouleflow.predictor.layers.LayerGraph;
import io.jouleflow.predictor.model.GraphPrediction;
import io.jouleflow.predictor.model.ModelSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The model set the agent compares observations with: the {@code models} directory, else the set
 * {@code jouleflow predict} uses by default ({@link ModelSet#defaultSet()}). Predictions are
 * {@link GraphPrediction}s, the same use case as {@code predict}'s. Loaded on the worker thread at first use; a missing or corrupt set turns
 * predictions off with one log line (observed metrics stay). A directory is checked every 5 s: a
 * newer set there (its manifest changed) replaces the current one between two predictions, so a
 * retrained set takes effect without a restart. Worker thread only.
 */
final class LivePredictions {

  private final String directory;
  private final String hardwareProfile;
  private static final long RELOAD_CHECK_NANOS = 5_000_000_000L;

  private ModelSet set;
  private boolean tried;
  private long manifestModified = Long.MIN_VALUE;
  private long lastCheck;
  private Consumer<ModelSet> onLoaded = s -> {};

  /**
   * @param directory the {@code models} option, or null for the bundled set
   * @param hardwareProfile this machine's profile id, for the mismatch warning
   */
  LivePredictions(String directory, String hardwareProfile) {
    this.directory = directory;
    this.hardwareProfile = hardwareProfile;
  }

  /** Told about every set loaded (the first and each reload), e.g. to export its version. */
  void onLoaded(Consumer<ModelSet> listener) {
    this.onLoaded = listener;
  }

  /**
   * Reloads the directory's set if its manifest changed since it was read (checked at most every
   * 5 s); returns true when a new set is in place, so earlier predictions are stale.
   */
  boolean reloadIfNewer(long nowNanos) {
    if (directory == null || !tried || nowNanos - lastCheck < RELOAD_CHECK_NANOS) {
      return false;
    }
    lastCheck = nowNanos;
    long modified = manifestModified();
    if (modified == manifestModified || modified == Long.MIN_VALUE) {
      return false;
    }
    try {
      ModelSet fresh = ModelSet.read(Path.of(directory));
      set = fresh;
      manifestModified = modified;
      AgentLog.info("model set reloaded from " + directory + " (created " + fresh.manifest().created()
          + ")");
      onLoaded.accept(fresh);
      return true;
    } catch (RuntimeException | LinkageError e) {
      manifestModified = modified; // do not retry the same broken files every 5 s
      AgentLog.warn("newer model set in " + directory + " unusable (" + e.getMessage()
          + "); keeping the current one");
      return false;
    }
  }

  private long manifestModified() {
    try {
      return Files.getLastModifiedTime(Path.of(directory, "manifest.json")).toMillis();
    } catch (IOException | RuntimeException e) {
      return Long.MIN_VALUE;
    }
  }

  /** Predicted joules per inference by layer id, or null when predictions are off. */
  Map<String, Double> predict(LayerGraph graph) {
    ModelSet s = set();
    return s == null ? null : GraphPrediction.of(s, graph, null).joulesByLayer();
  }

  private ModelSet set() {
    if (!tried) {
      tried = true;
      manifestModified = directory == null ? Long.MIN_VALUE : manifestModified();
      try {
        set = directory == null
            ? ModelSet.defaultSet().orElse(null)
            : ModelSet.read(Path.of(directory));
        if (set == null) {
          AgentLog.warn("no model set bundled and none given (models=...); predictions are off");
        } else {
          AgentLog.info("predictions from model set " + set.location()
              + " (hardware " + set.hardwareProfile() + ")");
          if (hardwareProfile != null) {
            GraphPrediction.otherHardware(set, hardwareProfile).ifPresent(AgentLog::warn);
          }
          onLoaded.accept(set);
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
