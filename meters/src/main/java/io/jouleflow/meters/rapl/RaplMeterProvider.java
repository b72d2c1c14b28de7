package io.jouleflow.meters.rapl;

import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.meters.MeterException;
import io.jouleflow.meters.MeterProvider;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * RAPL energy counters through the Linux powercap sysfs tree: one {@link RaplMeter} for every
 * {@code intel-rapl:N} zone and {@code intel-rapl:N:M} subzone (package, core, uncore, dram,
 * psys). The same tree serves AMD CPUs, whose kernel driver also names its zones {@code
 * intel-rapl}. Which zones add up to a machine total is decided by {@link RaplZone#inMachineTotal()}.
 *
 * <p>Since the CVE-2020-8694 fix (November 2020) {@code energy_uj} is readable by root only; a
 * non-root process gets one message naming the fix, and RAPL is skipped.
 */
public final class RaplMeterProvider implements MeterProvider {

  /** Where the kernel puts powercap zones. */
  public static final Path DEFAULT_ROOT = Path.of("/sys/class/powercap");

  private static final Pattern ZONE = Pattern.compile("intel-rapl(:\\d+){1,2}");

  private final Path root;

  /** Reads {@link #DEFAULT_ROOT}. */
  public RaplMeterProvider() {
    this(DEFAULT_ROOT);
  }

  /** Reads a powercap tree rooted elsewhere (tests, containers with /sys mounted aside). */
  public RaplMeterProvider(Path root) {
    this.root = root;
  }

  @Override
  public String name() {
    return "rapl";
  }

  public Path root() {
    return root;
  }

  /**
   * Opens every zone. Fails as a whole when any counter is unreadable: a total that silently
   * misses a package would be worse than no RAPL at all.
   */
  @Override
  public List<EnergyMeter> open() throws MeterException {
    List<RaplZone> zones = zones();
    List<Path> denied = new ArrayList<>();
    for (RaplZone zone : zones) {
      if (!readable(zone.energyFile())) {
        denied.add(zone.energyFile());
      }
    }
    if (!denied.isEmpty()) {
      throw new MeterException(permissionMessage(denied));
    }
    List<EnergyMeter> meters = new ArrayList<>();
    try {
      for (RaplZone zone : zones) {
        meters.add(new RaplMeter(zone));
      }
    } catch (MeterException e) {
      meters.forEach(EnergyMeter::close);
      throw e;
    }
    return meters;
  }

  /**
   * The zones under the root, in numeric order ({@code intel-rapl:0}, {@code intel-rapl:0:0}, …,
   * {@code intel-rapl:1}), without opening their counters.
   *
   * @throws MeterException when there are none
   */
  public List<RaplZone> zones() throws MeterException {
    if (!Files.isDirectory(root)) {
      throw new MeterException(
          root + " does not exist: no powercap RAPL interface (needs an Intel or AMD CPU with the"
              + " intel_rapl driver, on bare metal; most VMs and containers lack it)");
    }
    Map<String, Path> dirs = new LinkedHashMap<>();
    try {
      collectZoneDirs(root, dirs);
      // Subzones normally appear at the root too (as symlinks); look inside packages anyway.
      for (Map.Entry<String, Path> top : List.copyOf(dirs.entrySet())) {
        if (top.getKey().indexOf(':') == top.getKey().lastIndexOf(':')) {
          collectZoneDirs(top.getValue(), dirs);
        }
      }
    } catch (IOException e) {
      throw new MeterException("cannot list " + root + ": " + e.getMessage(), e);
    }
    if (dirs.isEmpty()) {
      throw new MeterException(
          "no intel-rapl zones under " + root + " (intel_rapl driver not loaded, or not supported"
              + " by this CPU or hypervisor)");
    }
    List<String> ids = new ArrayList<>(dirs.keySet());
    ids.sort(ZONE_ORDER);
    List<String> names = new ArrayList<>();
    boolean anyPackage = false;
    for (String id : ids) {
      String name = readName(dirs.get(id), id);
      names.add(name);
      anyPackage |= name.startsWith("package");
    }
    List<RaplZone> zones = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      String name = names.get(i);
      boolean topLevel = id.indexOf(':') == id.lastIndexOf(':');
      boolean inTotal =
          anyPackage ? name.startsWith("package") || name.startsWith("dram") : topLevel;
      zones.add(new RaplZone(id, name, dirs.get(id), readLong(dirs.get(id).resolve(
          "max_energy_range_uj")), inTotal));
    }
    return zones;
  }

  /** The zones whose sum is the machine's CPU+memory energy without double counting. */
  public static List<RaplZone> machineTotalZones(List<RaplZone> zones) {
    return zones.stream().filter(RaplZone::inMachineTotal).toList();
  }

  private static void collectZoneDirs(Path dir, Map<String, Path> into) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String id = entry.getFileName().toString();
        if (ZONE.matcher(id).matches() && Files.isDirectory(entry)) {
          into.putIfAbsent(id, entry);
        }
      }
    }
  }

  private static final Comparator<String> ZONE_ORDER =
      Comparator.comparing(
          id -> Arrays.stream(id.substring(id.indexOf(':') + 1).split(":"))
              .mapToInt(Integer::parseInt)
              .toArray(),
          Arrays::compare);

  private static String readName(Path dir, String fallback) {
    try {
      String name = Files.readString(dir.resolve("name")).strip();
      return name.isEmpty() ? fallback : name;
    } catch (IOException e) {
      return fallback;
    }
  }

  private static long readLong(Path file) {
    try {
      return Long.parseLong(Files.readString(file).strip());
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  /** Reads one byte: the only reliable check (access(2) would say yes to root on any mode). */
  private static boolean readable(Path file) throws MeterException {
    try (SeekableByteChannel channel = Files.newByteChannel(file)) {
      channel.read(ByteBuffer.allocate(1));
      return true;
    } catch (AccessDeniedException e) {
      return false;
    } catch (IOException e) {
      throw new MeterException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private String permissionMessage(List<Path> denied) {
    String more = denied.size() > 1 ? " and " + (denied.size() - 1) + " more" : "";
    return "permission denied reading " + denied.get(0) + more
        + " (RAPL counters are root-only since the CVE-2020-8694 fix): run as root, or grant read"
        + " access, e.g. 'sudo chmod o+r " + root + "/intel-rapl:*/energy_uj " + root
        + "/intel-rapl:*:*/energy_uj' (until reboot) or a udev rule such as 'ACTION==\"add\","
        + " SUBSYSTEM==\"powercap\", RUN+=\"/bin/chmod o+r /sys%p/energy_uj\"'";
  }
}
