package io.jouleflow.predictor.store;

/**
 * How busy the machine was with work other than the measurement, over a measurement window: the
 * share of all CPU capacity that other processes used, and the share the hypervisor stole. A CPU
 * estimate falls when other processes contend for the cores (TensorFlow's threads spin less), and
 * every meter sees their work, so rows measured busy can be left out of training.
 *
 * @param otherCpuShare CPU time of other processes ÷ (window × cores), 0 to 1
 * @param stealShare stolen CPU time ÷ (window × cores), 0 to 1
 */
public record MachineLoad(double otherCpuShare, double stealShare) {

  /** Above this share of the machine used by others (or stolen), a measurement counts as busy. */
  public static final double BUSY_SHARE = 0.15;

  /** Whether other work or steal took more than {@link #BUSY_SHARE} of the machine. */
  public boolean busy() {
    return otherCpuShare + stealShare > BUSY_SHARE;
  }
}
