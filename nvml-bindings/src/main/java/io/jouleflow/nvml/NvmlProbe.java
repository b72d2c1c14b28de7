package io.jouleflow.nvml;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Prints what NVML sees on this host, and optionally samples the energy counters to a CSV file.
 * It is the smallest end-to-end check of the bindings on a real GPU.
 *
 * <pre>
 * java -cp jna.jar:jouleflow-nvml-bindings.jar io.jouleflow.nvml.NvmlProbe
 *     [--watch SECONDS [--interval-ms N] [--out FILE]]
 * </pre>
 *
 * <p>With {@code --watch} it writes {@value #CSV_HEADER} lines (a header first), one per GPU per
 * interval, to FILE or standard output. Empty cells mean "not supported". {@code epoch_nanos} is
 * the wall clock, so other tools' timestamps can be matched against it. Exit codes: 0 ok, 1 NVML
 * unavailable or failing, 2 bad usage.
 */
public final class NvmlProbe {

  static final String CSV_HEADER = "epoch_nanos,device_index,energy_mj,power_mw";

  private static final String USAGE =
      "usage: NvmlProbe [--watch SECONDS [--interval-ms N] [--out FILE]]";

  private NvmlProbe() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the probe; returns the process exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      err.println(USAGE);
      return 2;
    }
    try (Nvml nvml = Nvml.open()) {
      List<NvmlDevice> devices = nvml.devices();
      describe(nvml, devices, options.watchSeconds > 0 && options.out == null ? err : out);
      if (options.watchSeconds > 0) {
        watch(devices, options, out, err);
      }
      return 0;
    } catch (NvmlUnavailableException | NvmlException e) {
      err.println(e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("cannot write samples: " + e.getMessage());
      return 1;
    }
  }

  private static void describe(Nvml nvml, List<NvmlDevice> devices, PrintStream out)
      throws NvmlException {
    out.println("NVML library: " + nvml.library());
    out.println("driver version: " + nvml.driverVersion());
    out.println("NVML version: " + nvml.nvmlVersion());
    out.println("devices: " + devices.size());
    for (NvmlDevice device : devices) {
      NvmlDeviceInfo info = device.info();
      out.printf("GPU %d: %s %s%n", info.index(), info.name(), info.uuid());
      out.println("  energy counter: " + mJ(device.totalEnergyConsumptionMillijoules()));
      out.println("  power usage: " + mW(device.powerUsageMilliwatts()));
      out.println("  instant power: " + mW(device.instantPowerMilliwatts()));
      out.println("  power limit: " + mW(device.powerManagementLimitMilliwatts()));
      Optional<GpuUtilization> utilization = device.utilization();
      out.println(
          "  utilization: "
              + utilization
                  .map(u -> "gpu " + u.gpuPercent() + " %, memory " + u.memoryPercent() + " %")
                  .orElse("not supported"));
      Optional<List<GpuProcess>> processes = device.computeProcesses();
      out.println(
          "  compute processes: "
              + processes.map(p -> p.size() + " " + pids(p)).orElse("not supported"));
    }
  }

  private static String pids(List<GpuProcess> processes) {
    List<String> pids = new ArrayList<>();
    processes.forEach(p -> pids.add(Long.toString(p.pid())));
    return pids.toString();
  }

  private static String mJ(OptionalLong value) {
    return value.isPresent() ? value.getAsLong() + " mJ" : "not supported";
  }

  private static String mW(OptionalLong value) {
    return value.isPresent() ? value.getAsLong() + " mW" : "not supported";
  }

  private static void watch(
      List<NvmlDevice> devices, Options options, PrintStream out, PrintStream err)
      throws IOException, NvmlException {
    Writer writer =
        options.out == null
            ? new OutputStreamWriter(out, StandardCharsets.UTF_8)
            : Files.newBufferedWriter(options.out, StandardCharsets.UTF_8);
    long intervalNanos = TimeUnit.MILLISECONDS.toNanos(options.intervalMillis);
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(options.watchSeconds);
    long samples = 0;
    try {
      writer.write(CSV_HEADER + "\n");
      writer.flush();
      // Fixed-rate deadlines, so a slow call does not shift every later sample.
      for (long deadline = start; deadline <= end; deadline += intervalNanos) {
        long wait = deadline - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        StringBuilder lines = new StringBuilder();
        for (NvmlDevice device : devices) {
          // Stamped at the middle of the counter read, the best guess of when it was taken.
          long before = epochNanos();
          OptionalLong energy = device.totalEnergyConsumptionMillijoules();
          long epochNanos = before + (epochNanos() - before) / 2;
          OptionalLong power = device.powerUsageMilliwatts();
          lines.append(epochNanos).append(',').append(device.index()).append(',')
              .append(energy.isPresent() ? Long.toString(energy.getAsLong()) : "").append(',')
              .append(power.isPresent() ? Long.toString(power.getAsLong()) : "").append('\n');
        }
        writer.write(lines.toString());
        // Flushed per interval: a reader may stop the probe at any moment and keep what it has.
        writer.flush();
        samples++;
      }
    } finally {
      if (options.out != null) {
        writer.close();
      }
    }
    if (options.out != null) {
      out.println("wrote " + samples + " samples per GPU to " + options.out);
    } else {
      err.println("wrote " + samples + " samples per GPU");
    }
  }

  private static long epochNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  /** Command-line options. */
  private record Options(long watchSeconds, long intervalMillis, Path out) {

    static Options parse(String[] args) {
      long watch = 0;
      long interval = 100;
      Path out = null;
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        switch (arg) {
          case "--watch" -> watch = positive(arg, value(args, ++i, arg));
          case "--interval-ms" -> interval = positive(arg, value(args, ++i, arg));
          case "--out" -> out = Path.of(value(args, ++i, arg));
          case "-h", "--help" ->
              throw new IllegalArgumentException("NvmlProbe prints what NVML sees");
          default -> throw new IllegalArgumentException("unknown argument: " + arg);
        }
      }
      if (watch == 0 && out != null) {
        throw new IllegalArgumentException("--out needs --watch SECONDS");
      }
      return new Options(watch, interval, out);
    }

    private static String value(String[] args, int index, String option) {
      if (index >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[index];
    }

    private static long positive(String option, String text) {
      try {
        long value = Long.parseLong(text);
        if (value > 0) {
          return value;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(option + " needs a positive whole number, got: " + text);
    }
  }
}
