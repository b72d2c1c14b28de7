package io.jouleflow.agent.feedback;

import io.jouleflow.agent.log.AgentLog;
import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.SampleStore;
import io.jouleflow.predictor.store.SampleStoreException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes the agent's layer observations to the sample store ({@code origin='agent'}) on its own
 * thread, {@code jouleflow-feedback}, so the predictor can learn the hardware it runs on.
 *
 * <p>Never blocks the worker: batches go through a bounded queue and a full queue drops the batch
 * and counts it. A store that cannot be opened or written is retried with growing pauses (up to
 * a minute) while new batches wait in the queue, so a store that is briefly unavailable loses
 * nothing (the first failure is logged once). A permanent failure ({@link
 * SampleStoreException#permanent()}: no driver for the URL, a malformed URL, authentication
 * failed, no such database, read-only, disk full) turns feedback off with one log line. Orderly shutdown writes what is queued. Rows carry a key (model, configuration,
 * layer, window), so a batch retried after a lost acknowledgement is not written twice. A SQLite
 * file deleted or replaced while open is noticed at the next batch: one warning, and the store is
 * opened again at its path, so later rows are kept.
 */
public final class FeedbackWriter implements AutoCloseable {

  private static final int QUEUE_BATCHES = 256;
  private static final long MAX_PAUSE_MILLIS = 60_000;

  private final String url;
  private final BlockingQueue<List<LayerSample>> queue = new ArrayBlockingQueue<>(QUEUE_BATCHES);
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean off;
  private boolean warnedUnavailable;
  private SampleStore store;
  private final String profile;
  private final Map<String, Double> hardwareFeatures;

  public FeedbackWriter(String url) {
    this(url, null, Map.of());
  }

  /**
   * A writer that also records what this machine's hardware is ({@code hardwareFeatures} of
   * profile {@code profile}) in the store it opens, so that samples of several machines can train
   * one set ({@code evaluate --split hardware}, {@code train --prior hardware}).
   */
  public FeedbackWriter(String url, String profile, Map<String, Double> hardwareFeatures) {
    this.url = url;
    this.profile = profile;
    this.hardwareFeatures = Map.copyOf(hardwareFeatures);
    this.thread = new Thread(this::run, "jouleflow-feedback");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues a batch; false (and counted) when the queue is full or feedback is off. */
  public boolean offer(List<LayerSample> batch) {
    if (batch.isEmpty()) {
      return true;
    }
    if (off || !queue.offer(List.copyOf(batch))) {
      dropped.addAndGet(batch.size());
      return false;
    }
    return true;
  }

  public long written() {
    return written.get();
  }

  public long dropped() {
    return dropped.get();
  }

  private void run() {
    long pause = 1_000;
    List<LayerSample> batch = null;
    while (running || batch != null || !queue.isEmpty()) {
      try {
        if (batch == null) {
          batch = queue.poll(200, TimeUnit.MILLISECONDS);
          if (batch == null) {
            continue;
          }
        }
        if (store != null && store.fileGone()) {
          reopenAtPath();
        }
        if (store == null) {
          store = SampleStore.open(url);
          AgentLog.info("observations go to the sample store " + SampleStore.redacted(store.url()));
          describeHardware();
        }
        int inserted = store.writeLayerSamples(batch);
        if (store.fileGone()) {
          reopenAtPath(); // deleted while this batch was written: write it again, into the new file
          continue;
        }
        written.addAndGet(inserted);
        batch = null;
        pause = 1_000;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException | LinkageError e) {
        String message = SampleStore.redacted(
            firstLine(e instanceof SampleStoreException ? e.getMessage() : e.toString()));
        closeStore();
        boolean permanent = !(e instanceof SampleStoreException s) || s.permanent();
        if (permanent || !running) {
          off = true;
          int lost = (batch == null ? 0 : batch.size()) + queue.stream().mapToInt(List::size).sum();
          dropped.addAndGet(lost);
          queue.clear();
          AgentLog.warn("feedback off: " + message + "; the application is not affected");
          return;
        }
        if (!warnedUnavailable) {
          warnedUnavailable = true;
          AgentLog.warn("sample store unavailable (" + message + "); retrying with growing pauses,"
              + " observations wait in a queue");
        } else {
          AgentLog.debug("sample store unavailable (" + message + "); retrying in " + pause
              + " ms");
        }
        sleep(pause);
        pause = Math.min(MAX_PAUSE_MILLIS, pause * 2);
      }
    }
    closeStore();
  }

  /** Writes what is queued (waiting at most {@code millis}) and stops. */
  /** Records this machine's hardware description; samples are kept whether or not it can. */
  private void describeHardware() {
    if (profile == null || hardwareFeatures.isEmpty()) {
      return;
    }
    try {
      store.describeHardware(profile, hardwareFeatures);
    } catch (RuntimeException e) {
      AgentLog.debug("hardware description not recorded: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The SQLite file was deleted or replaced under the open store: rows would go into a file
   * nobody can open again. Opening the store again creates a new file (and its directory) at the
   * path; the rows in the deleted file are gone with it.
   */
  private void reopenAtPath() {
    AgentLog.warn("the sample store file " + SampleStore.redacted(store.url())
        .substring("jdbc:sqlite:".length()) + " was deleted or replaced; observations from now"
        + " on go to a new file at that path");
    closeStore();
  }

  private void closeStore() {
    if (store != null) {
      try {
        store.close();
      } catch (RuntimeException ignored) {
        // closing a broken store
      }
      store = null;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.strip().lines().findFirst().orElse("");
  }

}
