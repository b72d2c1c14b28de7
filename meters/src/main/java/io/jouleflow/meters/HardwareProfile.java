package io.jouleflow.meters;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hardware that energy samples and model sets belong to: GPUs (as found by NVML), the CPU
 * model and its core count, and a stable {@link #id()}.
 *
 * <p>The id is a readable slug plus 8 hex digits of a SHA-256 over the CPU model, core and thread
 * counts, and the sorted GPU names, e.g. {@code intel-xeon-platinum-8380-2xa100-sxm4-80gb-1f0c2a9e}.
 * It depends on what the hardware is, not on which unit it is: GPU UUIDs are kept in {@link
 * #gpus()} but left out of the id, so a machine keeps its id across restarts and identical machines
 * of a fleet share one (a model set trained on one fits the others).
 *
 * @param gpus the GPUs, {@link Device#id()} = UUID, {@link Device#name()} = product name
 * @param cpuModel the {@code model name} from {@code /proc/cpuinfo}
 * @param cpuCores physical cores
 * @param cpuThreads logical CPUs (hardware threads)
 * @param id the stable id described above
 */
public record HardwareProfile(
    List<Device> gpus, String cpuModel, int cpuCores, int cpuThreads, String id) {

  private static final int MAX_SLUG = 64;

  public HardwareProfile {
    gpus = List.copyOf(gpus);
    for (Device gpu : gpus) {
      if (gpu.type() != DeviceType.GPU) {
        throw new IllegalArgumentException("not a GPU: " + gpu);
      }
    }
  }

  /** The environment variable that stands in for the CPU's model name (see {@link #detect(List)}). */
  public static final String CPU_MODEL_ENV = "JOULEFLOW_CPU_MODEL";

  /**
   * This machine: the GPUs given (from NVML) and the CPU from {@code /proc/cpuinfo}. Where {@value
   * #CPU_MODEL_ENV} is set, its value is the CPU's model name: the profile of a machine with
   * another CPU, to try what jouleflow does off the hardware a model set was trained on (the tests
   * do), or a name for a CPU whose {@code /proc/cpuinfo} has none.
   */
  public static HardwareProfile detect(List<Device> gpus) {
    return of(gpus, CpuInfo.readMachine());
  }

  /** As {@link #detect(List)}, reading the CPU from a file in {@code /proc/cpuinfo} format. */
  public static HardwareProfile detect(List<Device> gpus, Path cpuinfo) {
    return of(gpus, CpuInfo.read(cpuinfo));
  }

  public static HardwareProfile of(List<Device> gpus, CpuInfo cpu) {
    return new HardwareProfile(
        gpus,
        cpu.modelName(),
        cpu.physicalCores(),
        cpu.logicalCpus(),
        idOf(gpus, cpu.modelName(), cpu.physicalCores(), cpu.logicalCpus()));
  }

  public List<String> gpuNames() {
    return gpus.stream().map(Device::name).toList();
  }

  public List<String> gpuUuids() {
    return gpus.stream().map(Device::id).toList();
  }

  static String idOf(List<Device> gpus, String cpuModel, int cores, int threads) {
    // Name -> count, sorted, so that enumeration order does not change the id.
    Map<String, Integer> gpuCounts = new TreeMap<>();
    for (Device gpu : gpus) {
      gpuCounts.merge(gpu.name().strip(), 1, Integer::sum);
    }
    StringBuilder canonical = new StringBuilder();
    canonical.append("cpu=").append(cpuModel.strip()).append(";cores=").append(cores);
    canonical.append(";threads=").append(threads);
    List<String> slugParts = new ArrayList<>();
    slugParts.add(slug(cpuModel.replaceAll("(?i)@\\s*[0-9.]+\\s*[gm]hz", "")));
    gpuCounts.forEach(
        (name, count) -> {
          canonical.append(";gpu=").append(name).append('x').append(count);
          slugParts.add(count + "x" + slug(name.replaceAll("(?i)\\bnvidia\\b", "")));
        });
    String slug = String.join("-", slugParts).replaceAll("-+", "-").replaceAll("^-|-$", "");
    if (slug.length() > MAX_SLUG) {
      slug = slug.substring(0, MAX_SLUG).replaceAll("-$", "");
    }
    return (slug.isEmpty() ? "unknown" : slug) + "-" + shortHash(canonical.toString());
  }

  private static String slug(String s) {
    return s.toLowerCase(Locale.ROOT)
        .replace("(r)", "")
        .replace("(tm)", "")
        .replaceAll("\\b(cpu|processor)\\b", "")
        .replaceAll("[^a-z0-9]+", "-")
        .replaceAll("^-+|-+$", "");
  }

  private static String shortHash(String s) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
