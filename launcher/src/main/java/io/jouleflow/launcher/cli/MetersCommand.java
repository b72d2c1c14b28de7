package io.jouleflow.launcher.cli;

import io.jouleflow.meters.Device;
import io.jouleflow.meters.DeviceType;
import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.meters.EnergyTimeline;
import io.jouleflow.meters.HardwareProfile;
import io.jouleflow.meters.MeterProvider;
import io.jouleflow.meters.MeterSelection;
import io.jouleflow.meters.providers.MeterProviders;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jouleflow meters}: which energy meters this machine has (the same selection the agent
 * makes), what each one is and how fine it counts, and what each device used over a short read.
 * The CPU estimate is printed as an estimate, never as a measurement.
 */
@Command(
    name = "meters",
    mixinStandardHelpOptions = true,
    versionProvider = JouleflowCommand.Version.class,
    description = {
      "Lists the energy meters found (NVML GPUs, RAPL zones, or the CPU estimate), their source,"
          + " resolution and update interval, then reads them for --seconds and prints joules and"
          + " mean watts per device, and the hardware profile id.",
      "The estimate prices this process's CPU time at a fixed wattage per core: it is not a"
          + " measurement."
    },
    usageHelpAutoWidth = true)
public final class MetersCommand implements Callable<Integer> {

  static final double MIN_SECONDS = 0.1;
  static final double MAX_SECONDS = 60;

  /** Sampling period while reading: often enough for NVML power integration and RAPL wrap. */
  static final Duration SAMPLE_PERIOD = Duration.ofMillis(10);

  @Spec CommandSpec spec;

  @Mixin MeterOptions meterOptions;

  @Option(
      names = "--seconds",
      defaultValue = "1",
      paramLabel = "S",
      description = "How long to read the meters, 0.1 to 60. Default: ${DEFAULT-VALUE}.")
  double seconds;

  @Option(
      names = "--format",
      defaultValue = "table",
      paramLabel = "table|json",
      description = "table (default) or json: one object with hardware_profile and meters; the"
          + " selection lines then go to stderr.")
  String formatName;

  private OutputFormat format;

  @Override
  public Integer call() {
    validate();
    PrintWriter out = spec.commandLine().getOut();
    // JSON keeps stdout to the one object; everything said along the way goes to stderr.
    PrintWriter notes = format == OutputFormat.JSON ? spec.commandLine().getErr() : out;
    Consumer<String> note =
        line -> {
          notes.println(line);
          notes.flush();
        };

    List<String> selectionLog = new ArrayList<>();
    List<EnergyMeter> opened =
        MeterSelection.select(
            meterOptions.meters,
            providers(),
            line -> {
              selectionLog.add(line);
              note.accept(line);
            });
    if (opened.isEmpty()) {
      throw new CommandFailure(noMeterReason(selectionLog));
    }

    EnergyTimeline timeline;
    try {
      timeline = new EnergyTimeline(opened, SAMPLE_PERIOD, note);
    } catch (RuntimeException e) {
      opened.forEach(EnergyMeter::close); // The timeline never took them over.
      throw e;
    }
    try (timeline) {
      List<Device> gpus =
          opened.stream().map(EnergyMeter::device).filter(d -> d.type() == DeviceType.GPU).toList();
      String profileId = HardwareProfile.detect(gpus).id();
      if (format == OutputFormat.TABLE) {
        out.println();
        out.println("hardware profile: " + profileId);
        out.println();
        MetersReport.printMeters(out, opened);
        out.println();
      }
      note.accept("reading for " + MetersReport.plain(seconds, 3) + " s...");
      MetersReport report = read(timeline, profileId);
      if (format == OutputFormat.TABLE) {
        out.println();
        report.printReadings(out);
      } else {
        out.println(report.toJson());
      }
      out.flush();
    }
    return JouleflowCommand.EXIT_OK;
  }

  private void validate() {
    meterOptions.validate(spec);
    format = OutputFormat.parse(formatName, List.of(OutputFormat.TABLE, OutputFormat.JSON), spec);
    if (!(seconds >= MIN_SECONDS && seconds <= MAX_SECONDS)) {
      throw usage("--seconds must be between 0.1 and 60, not " + MetersReport.plain(seconds, 6));
    }
  }

  private ParameterException usage(String reason) {
    return new ParameterException(spec.commandLine(), reason);
  }

  private List<MeterProvider> providers() {
    return MeterProviders.standard(meterOptions.powercapRoot, meterOptions.cpuWatts());
  }

  /** Why nothing opened, from the providers that were asked (not the ones left out). */
  private String noMeterReason(List<String> selectionLog) {
    List<String> reasons =
        selectionLog.stream()
            .filter(line -> !line.contains(": not in meters="))
            .map(line -> line.startsWith("meters: ") ? line.substring("meters: ".length()) : line)
            .toList();
    return "no energy meter opened (meters=" + meterOptions.meters.strip() + ")"
        + (reasons.isEmpty() ? "" : ": " + String.join("; ", reasons));
  }

  private MetersReport read(EnergyTimeline timeline, String profileId) {
    timeline.sampleNow();
    long start = System.nanoTime();
    timeline.start();
    try {
      TimeUnit.NANOSECONDS.sleep(Math.round(seconds * 1e9));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandFailure("interrupted while reading the meters", e);
    } finally {
      timeline.stop();
    }
    timeline.sampleNow();
    double elapsedSeconds = (System.nanoTime() - start) * 1e-9;

    List<MetersReport.Row> rows = new ArrayList<>();
    for (EnergyMeter meter : timeline.meters()) {
      Device device = meter.device();
      // A meter that never read twice has no energy to show (its failure was logged once).
      double joules = timeline.sampleCount(device) >= 2 ? timeline.totalJoules(device) : Double.NaN;
      rows.add(
          new MetersReport.Row(
              device,
              meter.source(),
              meter.resolutionJoules(),
              meter.updateIntervalNanos(),
              joules,
              joules / elapsedSeconds));
    }
    return new MetersReport(profileId, elapsedSeconds, rows);
  }
}
