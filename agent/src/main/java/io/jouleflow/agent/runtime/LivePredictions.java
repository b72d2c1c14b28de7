package io.jouleflow.agent.runtime;

import io.jouleflow.agent.log.AgentLog;
import io.jouleflow.predictor.layers.LayerGraph;
import io.jouleflow.predictor.model.GraphPrediction;
import io.jouleflow.predictor.model.ModelSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The model set the agent compares observations with: the {@code models} directory, else the set
 * {@code jouleflow predict} uses by default ({@link ModelSet#defaultSet(String)}: a set made for
 * this machine's profile, else the bundled one). Predictions are
 * {@link GraphPrediction}s, the same use case as {@code predict}'s.
 *
 * <p>Files are read on a thread of their own, {@code jouleflow-models}, started at the first
 * prediction, never on the worker: a {@code models} directory on a network mount that hangs must
 * not freeze the agent's metrics. Predictions are off until a set is loaded; a read that takes
 * longer than 30 s is logged once. A missing or corrupt set turns predictions off with one log
 * line (observed metrics stay). A directory is checked every 5 s: a newer set there (its manifest
 * changed) replaces the current one between two predictions, so a retrained set takes effect
 * without a restart. The methods other than the loader's are for the worker thread only.
 */
final class LivePredictions {

  private static final long RELOAD_CHECK_MILLIS = 5_000;
  private static final Duration SLOW_READ = Duration.ofSeconds(30);
  private static final long IDLE = Long.MIN_VALUE;

  private final String directory;
  private final String hardwareProfile;
  private final long slowReadNanos;
  private final Function<Path, ModelSet> reader;

  // Written by jouleflow-models, read by the worker.
  private volatile ModelSet loaded;
  private volatile int generation;
  private volatile long readingSince = IDLE;
  private volatile String reading = "";

  // Worker thread only.
  private Thread loader;
  private ModelSet set;
  private int adoptedGeneration;
  private long slowLoggedFor = IDLE;
  private Consumer<ModelSet> onLoaded = s -> {};
  private volatile Map<String, Double> hardwareFeatures = Map.of();

  /**
   * @param directory the {@code models} option, or null for the bundled set
   * @param hardwareProfile this machine's profile id, for the mismatch warning
   */
  LivePredictions(String directory, String hardwareProfile) {
    this(directory, hardwareProfile, SLOW_READ);
  }

  LivePredictions(String directory, String hardwareProfile, Duration slowRead) {
    this(directory, hardwareProfile, slowRead, ModelSet::read);
  }

  /** {@code reader} reads a set directory (tests: one that hangs like a dead mount). */
  LivePredictions(String directory, String hardwareProfile, Duration slowRead,
      Function<Path, ModelSet> reader) {
    this.directory = directory;
    this.hardwareProfile = hardwareProfile;
    this.slowReadNanos = slowRead.toNanos();
    this.reader = reader;
  }

  /**
   * This machine's hardware features ({@code HardwareDescription.features()}): a set trained on
   * several hardware profiles predicts with them.
   */
  void onHardware(Map<String, Double> features) {
    this.hardwareFeatures = Map.copyOf(features);
  }

  /** Told about every set taken into use (the first and each reload), e.g. to export its version. */
  void onLoaded(Consumer<ModelSet> listener) {
    this.onLoaded = listener;
  }

  /**
   * Takes the set the loader read last into use, if it is new; returns true when one is in place
   * that earlier predictions (or their absence) did not use. Never waits for the loader.
   */
  boolean reloadIfNewer(long nowNanos) {
    logSlowRead(nowNanos);
    int g = generation;
    if (g == adoptedGeneration) {
      return false;
    }
    adoptedGeneration = g;
    set = loaded == null ? null : loaded.onHardware(hardwareFeatures);
    onLoaded.accept(set);
    return true;
  }

  /**
   * Predicted joules per inference by layer id, or null while predictions are off (no set loaded
   * yet, or none usable).
   */
  Map<String, Double> predict(LayerGraph graph) {
    if (loader == null) {
      loader = new Thread(this::load, "jouleflow-models");
      loader.setDaemon(true);
      loader.start();
    }
    logSlowRead(System.nanoTime());
    ModelSet s = set;
    return s == null ? null : GraphPrediction.of(s, graph, null).joulesByLayer();
  }

  /** The set in use (tests). */
  ModelSet current() {
    return set;
  }

  private void logSlowRead(long nowNanos) {
    long since = readingSince;
    if (since != IDLE && since != slowLoggedFor && nowNanos - since > slowReadNanos) {
      slowLoggedFor = since;
      AgentLog.warn(reading + " has taken more than " + slowReadNanos / 1_000_000_000 + " s"
          + " (a hung file system?); " + (set == null
              ? "predictions are off until it is read" : "the current set stays in use")
          + ", observed metrics are still exported");
    }
  }

  // --- jouleflow-models ---

  private void load() {
    long manifestModified = directory == null ? IDLE : manifestModified();
    ModelSet first = read("the model set " + (directory == null ? "bundled with jouleflow"
        : "in " + directory), this::readFirst);
    if (first != null) {
      publish(first);
    }
    if (directory == null) {
      return;
    }
    while (true) {
      try {
        Thread.sleep(RELOAD_CHECK_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      long modified = manifestModified();
      if (modified == manifestModified || modified == IDLE) {
        continue;
      }
      manifestModified = modified; // a broken set is not read again every 5 s
      ModelSet fresh = read("the newer model set in " + directory, this::readNewer);
      if (fresh != null) {
        AgentLog.info("model set reloaded from " + directory + " (created "
            + fresh.manifest().created() + ")");
        publish(fresh);
      }
    }
  }

  private void publish(ModelSet s) {
    loaded = s;
    generation++; // one writer: this thread
  }

  private interface Read {
    ModelSet run();
  }

  /** Runs one read of the file system, timed so the worker can tell when it hangs. */
  private ModelSet read(String what, Read read) {
    reading = "reading " + what;
    readingSince = System.nanoTime();
    try {
      return read.run();
    } finally {
      readingSince = IDLE;
    }
  }

  private ModelSet readFirst() {
    try {
      ModelSet s = directory == null
          ? ModelSet.defaultSet(hardwareProfile).orElse(null)
          : reader.apply(Path.of(directory));
      if (s == null) {
        AgentLog.warn("no model set bundled and none given (models=...); predictions are off");
        return null;
      }
      AgentLog.info("predictions from model set " + s.location()
          + " (hardware " + s.hardwareProfile() + ")");
      if (hardwareProfile != null) {
        GraphPrediction.otherHardware(s, hardwareProfile).ifPresent(AgentLog::warn);
      }
      return s;
    } catch (RuntimeException | LinkageError e) {
      AgentLog.warn("model set unusable (" + e.getMessage() + "); predictions are off,"
          + " observed metrics are still exported");
      return null;
    }
  }

  private ModelSet readNewer() {
    try {
      return reader.apply(Path.of(directory));
    } catch (RuntimeException | LinkageError e) {
      AgentLog.warn("newer model set in " + directory + " unusable (" + e.getMessage()
          + "); keeping the current one");
      return null;
    }
  }

  private long manifestModified() {
    reading = "reading the manifest of the model set in " + directory;
    readingSince = System.nanoTime();
    try {
      return Files.getLastModifiedTime(Path.of(directory, ModelSet.MANIFEST)).toMillis();
    } catch (IOException | RuntimeException e) {
      return IDLE;
    } finally {
      readingSince = IDLE;
    }
  }
}
