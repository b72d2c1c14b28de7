package io.jouleflow.meters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What {@code /proc/cpuinfo} says about this machine's CPUs: the model name of the first CPU, the
 * number of logical CPUs and of physical cores. Shared by {@link HardwareProfile} and the estimate
 * meter, which prices CPU time by model.
 *
 * @param modelName the first {@code model name} value, or {@code "unknown"} where there is none
 *     (e.g. ARM kernels, or no {@code /proc})
 * @param logicalCpus number of {@code processor} entries (hardware threads)
 * @param physicalCores distinct ({@code physical id}, {@code core id}) pairs; equals {@code
 *     logicalCpus} where the kernel does not report them
 */
public record CpuInfo(String modelName, int logicalCpus, int physicalCores) {

  /** The standard location. */
  public static final Path PROC_CPUINFO = Path.of("/proc/cpuinfo");

  public static final String UNKNOWN_MODEL = "unknown";

  public CpuInfo {
    modelName = modelName == null || modelName.isBlank() ? UNKNOWN_MODEL : modelName.strip();
    if (logicalCpus < 1) {
      throw new IllegalArgumentException("logicalCpus must be >= 1: " + logicalCpus);
    }
    if (physicalCores < 1 || physicalCores > logicalCpus) {
      physicalCores = logicalCpus;
    }
  }

  /** Reads {@code /proc/cpuinfo}. */
  public static CpuInfo read() {
    return read(PROC_CPUINFO);
  }

  /**
   * Reads a file in {@code /proc/cpuinfo} format. A missing or unreadable file gives {@code
   * unknown} and the JVM's processor count, never an exception.
   */
  /**
   * This machine's CPU: {@code /proc/cpuinfo}, with the model name that {@value
   * HardwareProfile#CPU_MODEL_ENV} gives instead, where set (another CPU's profile and its power
   * estimate, to try jouleflow off the hardware a model set was trained on).
   */
  public static CpuInfo readMachine() {
    CpuInfo cpu = read(PROC_CPUINFO);
    String override = System.getenv(HardwareProfile.CPU_MODEL_ENV);
    return override == null || override.isBlank() ? cpu
        : new CpuInfo(override.strip(), cpu.logicalCpus(), cpu.physicalCores());
  }

  public static CpuInfo read(Path cpuinfo) {
    List<String> lines;
    try {
      lines = Files.readAllLines(cpuinfo);
    } catch (IOException | RuntimeException e) {
      int n = Runtime.getRuntime().availableProcessors();
      return new CpuInfo(UNKNOWN_MODEL, n, n);
    }
    return parse(lines);
  }

  static CpuInfo parse(List<String> lines) {
    String model = null;
    int processors = 0;
    Set<String> cores = new HashSet<>();
    String physicalId = null;
    String coreId = null;
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (line.isBlank()) {
        // Blank lines separate processors.
        addCore(cores, physicalId, coreId);
        physicalId = null;
        coreId = null;
        continue;
      }
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).strip();
      String value = line.substring(colon + 1).strip();
      switch (key) {
        case "processor" -> processors++;
        case "model name" -> model = model == null ? value : model;
        case "physical id" -> physicalId = value;
        case "core id" -> coreId = value;
        default -> {}
      }
    }
    addCore(cores, physicalId, coreId);
    if (processors == 0) {
      processors = Runtime.getRuntime().availableProcessors();
    }
    return new CpuInfo(model, processors, cores.isEmpty() ? processors : cores.size());
  }

  private static void addCore(Set<String> cores, String physicalId, String coreId) {
    if (coreId != null) {
      cores.add((physicalId == null ? "0" : physicalId) + "/" + coreId);
    }
  }
}
