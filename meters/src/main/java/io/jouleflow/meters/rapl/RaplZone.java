package io.jouleflow.meters.rapl;

import io.jouleflow.meters.Device;
import io.jouleflow.meters.DeviceType;
import java.nio.file.Path;

/**
 * One powercap RAPL zone: a directory such as {@code intel-rapl:0} (top level: a package, or
 * {@code psys}) or {@code intel-rapl:0:2} (a subzone of package 0: {@code core}, {@code uncore} or
 * {@code dram}).
 *
 * <p><b>Summing rule</b> ({@link #inMachineTotal()}): a machine's CPU+memory total is the sum of
 * every {@code package-*} zone plus every {@code dram} zone, and nothing else:
 *
 * <ul>
 *   <li>{@code core} (PP0) and {@code uncore} (PP1) are parts of their package's energy, so adding
 *       them would count them twice.
 *   <li>{@code dram} is a separate RAPL domain that the package counter does not include, even
 *       though powercap files it under the package directory ({@code intel-rapl:0:0} on servers,
 *       {@code intel-rapl:0:2} on some clients); so it is added.
 *   <li>{@code psys} (platform) covers the package, memory and more of the SoC, measured a
 *       different way and only on some client platforms; it overlaps the others, so it is
 *       exported as its own device but never added to the total.
 * </ul>
 *
 * Where a tree has no {@code package-*} zone at all, every top-level zone counts instead.
 *
 * @param id the zone directory name, used as {@code hw.id} (e.g. {@code intel-rapl:0:2})
 * @param name the content of the zone's {@code name} file (e.g. {@code package-0}, {@code dram})
 * @param dir the zone directory
 * @param maxEnergyRangeUj the counter's wrap-around range ({@code max_energy_range_uj}); 0 if
 *     unknown
 * @param inMachineTotal whether this zone is summed for the machine total (rule above)
 */
public record RaplZone(
    String id, String name, Path dir, long maxEnergyRangeUj, boolean inMachineTotal) {

  /** True for {@code intel-rapl:N}, false for subzones {@code intel-rapl:N:M}. */
  public boolean topLevel() {
    return id.indexOf(':') == id.lastIndexOf(':');
  }

  /** The parent zone id of a subzone ({@code intel-rapl:0} for {@code intel-rapl:0:2}), or null. */
  public String parentId() {
    return topLevel() ? null : id.substring(0, id.lastIndexOf(':'));
  }

  public boolean isPackage() {
    return name.startsWith("package");
  }

  public boolean isDram() {
    return name.startsWith("dram");
  }

  public boolean isPsys() {
    return name.startsWith("psys");
  }

  /** The {@code energy_uj} counter file. */
  public Path energyFile() {
    return dir.resolve("energy_uj");
  }

  /** {@code hw.id} = zone id, type {@code dram} for dram zones else {@code cpu}, name = zone name. */
  public Device device() {
    return new Device(id, isDram() ? DeviceType.DRAM : DeviceType.CPU, name);
  }
}
