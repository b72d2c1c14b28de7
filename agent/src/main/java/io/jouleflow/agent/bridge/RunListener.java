package io.jouleflow.agent.bridge;

/**
 * What the instrumented TensorFlow classes report to the agent. Lives on the bootstrap class
 * path with {@link Bridge}, so it speaks JDK types only; TensorFlow objects travel as
 * {@code Object} and are only inspected on the agent's worker thread.
 *
 * <p>Implementations must be fast, must never block and must never throw.
 */
public interface RunListener {

  /**
   * One {@code Session.run} finished (or failed).
   *
   * @param session the {@code org.tensorflow.Session} (a JavaCPP {@code TF_Session} for DJL), or
   *     null when the run started before the agent was attached
   * @param fetchNames the runner's fetch names ({@code List<String>}), or null
   * @param startNanos {@link System#nanoTime()} before the native call
   * @param endNanos {@link System#nanoTime()} after it
   * @param outputCount number of fetched tensors; 0 for target-only runs (initializers, save)
   * @param trace serialized {@code RunMetadata} when this run was traced, else null
   * @param failed whether the run threw
   */
  void onRun(
      Object session,
      Object fetchNames,
      long startNanos,
      long endNanos,
      int outputCount,
      byte[] trace,
      boolean failed);

  /** One eager operation executed ({@code EagerOperationBuilder.build()}). */
  void onEagerOp(String opType, long startNanos, long endNanos);

  /**
   * The application is closing a {@code org.tensorflow.Graph} (on entry of {@code close()}, while
   * the graph is still readable).
   */
  void onGraphClosing(Object graph);

  /**
   * A SavedModel was loaded from {@code exportDir}; {@code bundle} is the SavedModelBundle
   * (TensorFlow Java's, or DJL's {@code ai.djl.tensorflow.engine.SavedModelBundle}).
   */
  void onSavedModelLoaded(Object bundle, String exportDir);
}
