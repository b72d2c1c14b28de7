package io.jouleflow.agent.recorder;

/**
 * One {@code Session.run} as seen on the application thread: no parsing, no lookups, just what
 * the advice captured. Everything else happens on the worker thread.
 *
 * @param session the {@code org.tensorflow.Session} (as Object; null if unknown)
 * @param fetchNames the runner's fetch names (null if unknown): on the worker, what tells a
 *     model's training steps from its inference steps on untraced runs
 * @param trace serialized RunMetadata on traced runs, else null
 */
public record RunEvent(
    Object session,
    Object fetchNames,
    long startNanos,
    long endNanos,
    int outputCount,
    byte[] trace,
    boolean failed) {

  public long durationNanos() {
    return endNanos - startNanos;
  }

  public boolean traced() {
    return trace != null;
  }
}
