package io.jouleflow.launcher.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A powercap sysfs tree with the kernel's layout (as in the meters module's tests): zone
 * directories under {@code devices/virtual/powercap/intel-rapl/}, one symlink per zone in {@code
 * class/powercap}, next to the {@code intel-rapl} control-type entry that is not a zone.
 */
final class FakePowercap {
  final Path root; // what /sys/class/powercap is
  private final Path devices;

  FakePowercap(Path base) throws IOException {
    this.root = base.resolve("class/powercap");
    this.devices = base.resolve("devices/virtual/powercap/intel-rapl");
    Files.createDirectories(root);
    Files.createDirectories(devices);
    Files.writeString(devices.resolve("enabled"), "1\n");
    Files.createSymbolicLink(root.resolve("intel-rapl"), devices);
  }

  /** Adds a top-level zone such as {@code intel-rapl:0}. */
  FakePowercap zone(String id, String name, long energyUj, long maxEnergyRangeUj)
      throws IOException {
    Path dir = devices.resolve(id);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("name"), name + "\n");
    Files.writeString(dir.resolve("max_energy_range_uj"), maxEnergyRangeUj + "\n");
    Files.writeString(dir.resolve("enabled"), "1\n");
    Files.writeString(dir.resolve("energy_uj"), energyUj + "\n");
    Files.createSymbolicLink(root.resolve(id), dir);
    return this;
  }
}
