package io.jouleflow.launcher.measure;

import io.jouleflow.meters.DeviceType;
import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.meters.EnergyTimeline;
import io.jouleflow.meters.EnergyWindow;
import io.jouleflow.meters.HardwareProfile;
import io.jouleflow.meters.MeterSelection;
import io.jouleflow.meters.providers.MeterProviders;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Measures the energy of repeated inferences with the machine's meters (as the agent chooses
 * them), sampled on an {@link EnergyTimeline}. Only meters in the machine total are summed, so no
 * joule counts twice (RAPL core inside package, psys).
 */
public final class InferenceEnergy implements AutoCloseable {

  private final EnergyTimeline timeline;
  private final List<EnergyMeter> total;
  private final String source;
  private final HardwareProfile profile;

  private InferenceEnergy(EnergyTimeline timeline, List<EnergyMeter> total) {
    this.timeline = timeline;
    this.total = total;
    this.profile = HardwareProfile.detect(timeline.meters().stream()
        .map(EnergyMeter::device).filter(d -> d.type() == DeviceType.GPU).toList());
    this.source = total.stream().map(m -> m.source().label()).distinct().collect(Collectors.joining("+"));
  }

  /**
   * Opens the meters ({@code meters}: auto or a list) and starts sampling.
   *
   * @throws IllegalStateException with a one-line reason when no meter opens
   */
  public static InferenceEnergy open(
      String meters, OptionalDouble cpuWatts, Path powercapRoot, Consumer<String> log) {
    List<EnergyMeter> opened = MeterSelection.select(
        meters, MeterProviders.standard(powercapRoot, cpuWatts), log);
    List<EnergyMeter> total = opened.stream().filter(EnergyMeter::inMachineTotal).toList();
    if (total.isEmpty()) {
      opened.forEach(EnergyMeter::close);
      throw new IllegalStateException("no energy meter opened (meters=" + meters + ")");
    }
    EnergyTimeline timeline = new EnergyTimeline(opened, log);
    timeline.start();
    return new InferenceEnergy(timeline, total);
  }

  /** The sources summed: {@code estimate}, {@code rapl}, {@code nvml+rapl}, ... */
  public String source() {
    return source;
  }

  /** The machine measured on (samples and model sets are keyed by its id). */
  public HardwareProfile hardwareProfile() {
    return profile;
  }

  /** Whether every summed meter measures (no estimate among them). */
  public boolean measured() {
    return total.stream().allMatch(m -> m.source().measured());
  }

  /** Runs {@code inference} by the protocol and returns its cost per run. */
  public Cost measure(Runnable inference, MeasureProtocol protocol) {
    for (int i = 0; i < protocol.warmupRuns(); i++) {
      inference.run();
    }
    long minNanos = (long) (protocol.minSeconds() * 1e9);
    long runs = 0;
    long t0 = System.nanoTime();
    long t1;
    do {
      inference.run();
      runs++;
      t1 = System.nanoTime();
    } while (runs < protocol.minRuns() || t1 - t0 < minNanos);
    timeline.sampleNow(); // a reading after the window, so the window's end interpolates
    double joules = 0;
    double bound = 0;
    for (EnergyMeter m : total) {
      EnergyWindow w = timeline.energyBetween(m.device(), t0, t1);
      joules += w.joules();
      bound += w.errorBoundJoules();
    }
    return new Cost(joules / runs, (t1 - t0) / 1e9 / runs, runs, bound / runs);
  }

  @Override
  public void close() {
    timeline.close();
  }
}
