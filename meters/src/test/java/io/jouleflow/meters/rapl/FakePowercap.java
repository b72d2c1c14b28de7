package io.jouleflow.meters.rapl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A powercap sysfs tree with the kernel's layout: zone directories nested under {@code
 * devices/virtual/powercap/intel-rapl/} (subzones inside their package) and one symlink per zone
 * in {@code class/powercap}, next to the {@code intel-rapl} control-type entry that is not a zone.
 */
public final class FakePowercap {
  public final Path base;
  public final Path root; // what /sys/class/powercap is
  private final Path devices;

  public FakePowercap(Path base) {
    this.base = base;
    this.root = base.resolve("class/powercap");
    this.devices = base.resolve("devices/virtual/powercap/intel-rapl");
    try {
      Files.createDirectories(root);
      Files.createDirectories(devices);
      Files.writeString(devices.resolve("enabled"), "1\n");
      Files.createSymbolicLink(root.resolve("intel-rapl"), devices);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds zone {@code intel-rapl:0} or {@code intel-rapl:0:1}; its parent must exist already. */
  public FakePowercap zone(String id, String name, long energyUj, long maxEnergyRangeUj) {
    String[] parts = id.split(":");
    Path dir =
        parts.length == 2
            ? devices.resolve(id)
            : devices.resolve(parts[0] + ":" + parts[1]).resolve(id);
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("name"), name + "\n");
      Files.writeString(dir.resolve("max_energy_range_uj"), maxEnergyRangeUj + "\n");
      Files.writeString(dir.resolve("enabled"), "1\n");
      Files.createSymbolicLink(root.resolve(id), dir);
      setEnergy(id, energyUj);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** Rewrites the counter in place (same inode, as the kernel's value changes under one fd). */
  public void setEnergy(String id, long energyUj) {
    try {
      Files.writeString(energyFile(id), energyUj + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path energyFile(String id) {
    return root.resolve(id).resolve("energy_uj");
  }

  /** A two-socket server: packages with dram subzones, a core subzone, and a psys zone. */
  public static FakePowercap twoSocketServer(Path base) {
    return new FakePowercap(base)
        .zone("intel-rapl:0", "package-0", 1_000_000, 262_143_328_850L)
        .zone("intel-rapl:0:0", "core", 400_000, 262_143_328_850L)
        .zone("intel-rapl:0:1", "dram", 200_000, 65_712_999_613L)
        .zone("intel-rapl:1", "package-1", 2_000_000, 262_143_328_850L)
        .zone("intel-rapl:1:0", "dram", 300_000, 65_712_999_613L)
        .zone("intel-rapl:2", "psys", 5_000_000, 262_143_328_850L);
  }
}
