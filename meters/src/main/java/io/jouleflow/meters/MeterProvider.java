package io.jouleflow.meters;

import java.util.List;

/**
 * A family of energy meters that may or may not be available on this machine (NVML GPUs, RAPL
 * zones, the CPU estimate). {@link MeterSelection} asks each provider in turn and logs one line
 * for each.
 */
public interface MeterProvider {

  /** The name used in the {@code meters} option: {@code nvml}, {@code rapl} or {@code estimate}. */
  String name();

  /**
   * Opens one meter per device this provider finds. An empty list means "nothing here".
   *
   * @throws MeterException when the family is unusable; its message is the one-line reason (and,
   *     where there is one, the fix) that the user sees when the provider is skipped
   */
  List<EnergyMeter> open() throws MeterException;

  /**
   * One line saying what {@link #open()} gave, for the "chosen" log line. The default lists the
   * devices; a provider whose numbers need a caveat (the estimate) says so here.
   */
  default String describe(List<EnergyMeter> opened) {
    StringBuilder s = new StringBuilder();
    s.append(opened.size()).append(opened.size() == 1 ? " device: " : " devices: ");
    for (int i = 0; i < opened.size(); i++) {
      Device d = opened.get(i).device();
      s.append(i == 0 ? "" : ", ").append(d.id());
      if (!d.name().equals(d.id())) {
        s.append(' ').append(d.name());
      }
    }
    return s.toString();
  }
}
