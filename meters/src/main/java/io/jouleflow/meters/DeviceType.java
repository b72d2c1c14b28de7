package io.jouleflow.meters;

/** The {@code hw.type} attribute of a device. */
public enum DeviceType {
  GPU("gpu"),
  CPU("cpu"),
  DRAM("dram");

  private final String label;

  DeviceType(String label) {
    this.label = label;
  }

  /** The attribute value as exported: {@code gpu}, {@code cpu} or {@code dram}. */
  public String label() {
    return label;
  }
}
