package io.jouleflow.launcher.measure;

/**
 * How one thing (a whole model, or one layer alone) is measured, after the paper: warm-up runs
 * that are not measured, then repeated runs until at least {@code minSeconds} of measured time
 * and at least {@code minRuns} runs; the result is per inference.
 */
public record MeasureProtocol(int warmupRuns, double minSeconds, int minRuns) {

  /** The default: 5 warm-up runs, then at least 1 s and 20 runs. */
  public static final MeasureProtocol DEFAULT = new MeasureProtocol(5, 1.0, 20);

  public MeasureProtocol {
    if (warmupRuns < 0 || minRuns < 1 || !(minSeconds > 0)) {
      throw new IllegalArgumentException("warm-up >= 0, runs >= 1 and seconds > 0 are needed");
    }
  }
}
