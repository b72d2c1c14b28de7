package io.jouleflow.meters;

/**
 * A measured device. {@code id} becomes the {@code hw.id} attribute (stable across restarts: a GPU
 * UUID, a RAPL zone path name such as {@code intel-rapl:0}, or {@code cpu} for the estimate).
 */
public record Device(String id, DeviceType type, String name) {
  public Device {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("device id must not be blank");
    }
    if (type == null) {
      throw new IllegalArgumentException("device type must not be null");
    }
    name = name == null ? id : name;
  }
}
