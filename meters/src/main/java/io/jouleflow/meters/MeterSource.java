package io.jouleflow.meters;

/** The {@code source} attribute: where a joule came from. */
public enum MeterSource {
  NVML("nvml", true),
  RAPL("rapl", true),
  ESTIMATE("estimate", false);

  private final String label;
  private final boolean measured;

  MeterSource(String label, boolean measured) {
    this.label = label;
    this.measured = measured;
  }

  /** The attribute value as exported: {@code nvml}, {@code rapl} or {@code estimate}. */
  public String label() {
    return label;
  }

  /** True for hardware counters; false for the estimate, which must be labelled as such. */
  public boolean measured() {
    return measured;
  }
}
