package io.jouleflow.launcher.measure;

/**
 * The measured cost of one inference.
 *
 * @param joules energy per inference (sum over the machine-total meters)
 * @param seconds wall time per inference
 * @param runs runs averaged
 * @param errorBoundJoules the counters' error bound on {@code joules} (per inference)
 */
public record Cost(double joules, double seconds, long runs, double errorBoundJoules) {}
