package io.jouleflow.meters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A hardware profile described by numbers, so that a model set trained on several profiles can
 * tell them apart, and predict for one it has not seen, by what the hardware is rather than by its
 * id. The names of {@link #features()} start with {@value #PREFIX}; the predictor's layer features
 * never do.
 *
 * <ul>
 *   <li>{@code hw_cpu_vendor}: 1 Intel, 2 AMD, 3 another named vendor (Arm, …), 0 unknown;
 *   <li>{@code hw_cpu_cores}, {@code hw_cpu_threads}: physical cores and hardware threads;
 *   <li>{@code hw_cpu_base_ghz}: the nominal clock: the model name's {@code @ 2.50GHz} where it
 *       has one, else cpufreq's {@code base_frequency} or {@code cpuinfo_max_freq}, else the first
 *       {@code cpu MHz} of {@code /proc/cpuinfo} (what a virtual machine reports); absent if none;
 *   <li>{@code hw_memory_gib}: {@code MemTotal} of {@code /proc/meminfo}; absent if unreadable;
 *   <li>{@code hw_gpus}: GPUs found by NVML.
 * </ul>
 *
 * <p>The GPU's model enters through the profile's id only: NVML's product names are strings, and a
 * forest splits on numbers.
 *
 * @param cpuBaseGhz NaN where unknown
 * @param memoryGib NaN where unknown
 */
public record HardwareDescription(
    String cpuModel, int cpuCores, int cpuThreads, double cpuBaseGhz, double memoryGib,
    List<String> gpuNames) {

  public static final String PREFIX = "hw_";
  public static final String CPU_VENDOR = "hw_cpu_vendor";
  public static final String CPU_CORES = "hw_cpu_cores";
  public static final String CPU_THREADS = "hw_cpu_threads";
  public static final String CPU_BASE_GHZ = "hw_cpu_base_ghz";
  public static final String MEMORY_GIB = "hw_memory_gib";
  public static final String GPUS = "hw_gpus";

  /** Every feature name, in {@link #features()} order. */
  public static final List<String> NAMES =
      List.of(CPU_VENDOR, CPU_CORES, CPU_THREADS, CPU_BASE_GHZ, MEMORY_GIB, GPUS);

  private static final Pattern CLOCK_IN_NAME =
      Pattern.compile("@\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([GM])Hz", Pattern.CASE_INSENSITIVE);
  private static final Path CPUFREQ = Path.of("/sys/devices/system/cpu/cpu0/cpufreq");
  private static final Path MEMINFO = Path.of("/proc/meminfo");

  public HardwareDescription {
    gpuNames = List.copyOf(gpuNames);
  }

  /** Whether {@code featureName} is one of these hardware features. */
  public static boolean isHardwareFeature(String featureName) {
    return featureName.startsWith(PREFIX);
  }

  /** This machine, as {@code profile} (from {@link HardwareProfile#detect}) found it. */
  public static HardwareDescription detect(HardwareProfile profile) {
    return describe(profile, CpuInfo.PROC_CPUINFO, CPUFREQ, MEMINFO);
  }

  /** As {@link #detect}, reading the given files (in their {@code /proc} and sysfs layouts). */
  static HardwareDescription describe(
      HardwareProfile profile, Path cpuinfo, Path cpufreq, Path meminfo) {
    double ghz = clockInName(profile.cpuModel());
    if (Double.isNaN(ghz)) {
      ghz = kiloHertzFile(cpufreq.resolve("base_frequency"));
    }
    if (Double.isNaN(ghz)) {
      ghz = kiloHertzFile(cpufreq.resolve("cpuinfo_max_freq"));
    }
    if (Double.isNaN(ghz)) {
      ghz = cpuMhz(cpuinfo);
    }
    return new HardwareDescription(profile.cpuModel(), profile.cpuCores(), profile.cpuThreads(),
        ghz, memoryGib(meminfo), profile.gpuNames());
  }

  /** The features, NaN-free: an unknown clock or memory is left out. */
  public Map<String, Double> features() {
    Map<String, Double> f = new LinkedHashMap<>();
    f.put(CPU_VENDOR, vendor(cpuModel));
    f.put(CPU_CORES, (double) cpuCores);
    f.put(CPU_THREADS, (double) cpuThreads);
    if (Double.isFinite(cpuBaseGhz)) {
      f.put(CPU_BASE_GHZ, cpuBaseGhz);
    }
    if (Double.isFinite(memoryGib)) {
      f.put(MEMORY_GIB, memoryGib);
    }
    f.put(GPUS, (double) gpuNames.size());
    return f;
  }

  static double vendor(String cpuModel) {
    String m = cpuModel.toLowerCase(Locale.ROOT);
    if (m.contains("intel") || m.contains("xeon")) {
      return 1;
    }
    if (m.contains("amd") || m.contains("epyc") || m.contains("ryzen")) {
      return 2;
    }
    return m.isBlank() || m.equals(CpuInfo.UNKNOWN_MODEL) ? 0 : 3;
  }

  /** The {@code @ 2.50GHz} of a model name, in GHz; NaN if it has none. */
  static double clockInName(String cpuModel) {
    Matcher m = CLOCK_IN_NAME.matcher(cpuModel);
    if (!m.find()) {
      return Double.NaN;
    }
    double value = Double.parseDouble(m.group(1));
    return m.group(2).equalsIgnoreCase("M") ? value / 1000 : value;
  }

  private static double kiloHertzFile(Path file) {
    try {
      double khz = Double.parseDouble(Files.readString(file).strip());
      return khz > 0 ? tenths(khz / 1e6) : Double.NaN;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private static double cpuMhz(Path cpuinfo) {
    try {
      for (String line : Files.readAllLines(cpuinfo)) {
        if (line.startsWith("cpu MHz")) {
          double mhz = Double.parseDouble(line.substring(line.indexOf(':') + 1).strip());
          return mhz > 0 ? tenths(mhz / 1000) : Double.NaN;
        }
      }
    } catch (IOException | RuntimeException e) {
      // unknown
    }
    return Double.NaN;
  }

  static double memoryGib(Path meminfo) {
    try {
      for (String line : Files.readAllLines(meminfo)) {
        if (line.startsWith("MemTotal:")) {
          String[] parts = line.substring("MemTotal:".length()).strip().split("\\s+");
          return round(Double.parseDouble(parts[0]) / (1024.0 * 1024.0));
        }
      }
    } catch (IOException | RuntimeException e) {
      // unknown
    }
    return Double.NaN;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  /** A clock to 0.1 GHz: one read while the CPU boosts a little must not make a new value. */
  private static double tenths(double ghz) {
    return Math.round(ghz * 10) / 10.0;
  }
}
