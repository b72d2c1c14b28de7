package io.jouleflow.launcher.cli;

import io.jouleflow.meters.MeterSelection;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalDouble;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The meter options of {@code meters}, {@code measure} and {@code collect}, declared once: which
 * meters, the estimate's watts per core, where RAPL's powercap zones are. The same choices as the
 * agent's {@code meters}, {@code cpu.watts} and {@code rapl.root} options.
 */
final class MeterOptions {

  @Option(
      names = "--meters",
      defaultValue = MeterSelection.AUTO,
      paramLabel = "auto|nvml,rapl,estimate",
      description = "auto (NVML and RAPL where present, else the CPU estimate) or a comma list."
          + " Default: ${DEFAULT-VALUE}.")
  String meters;

  @Option(
      names = "--cpu-watts",
      paramLabel = "W",
      description = "Active watts per busy core for the CPU estimate (default: from the CPU model,"
          + " else 10).")
  Double cpuWatts;

  @Option(
      names = "--powercap-root",
      defaultValue = "/sys/class/powercap",
      paramLabel = "DIR",
      description = "Where the RAPL powercap zones are. Default: ${DEFAULT-VALUE}.")
  Path powercapRoot;

  /** {@code --cpu-watts} when given. */
  OptionalDouble cpuWatts() {
    return cpuWatts == null ? OptionalDouble.empty() : OptionalDouble.of(cpuWatts);
  }

  /**
   * Checks the values that picocli's types let through.
   *
   * @throws ParameterException for a {@code --meters} naming an unknown meter, or a {@code
   *     --cpu-watts} that is not a positive, finite number
   */
  void validate(CommandSpec spec) {
    String value = meters.strip().toLowerCase(Locale.ROOT);
    if (!value.equals(MeterSelection.AUTO)) {
      for (String name : value.split(",", -1)) {
        if (!MeterSelection.NAMES.contains(name.strip())) {
          throw new ParameterException(spec.commandLine(), "--meters must be auto or a comma list of "
              + String.join(", ", MeterSelection.NAMES) + ", not '" + meters + "'");
        }
      }
    }
    if (cpuWatts != null && !(cpuWatts > 0 && cpuWatts < Double.POSITIVE_INFINITY)) {
      throw new ParameterException(spec.commandLine(),
          "--cpu-watts must be a positive number of watts per core, not "
              + MetersReport.plain(cpuWatts, 6));
    }
  }
}
