package io.jouleflow.meters.rapl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jouleflow.meters.DeviceType;
import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.meters.MeterException;
import io.jouleflow.meters.MeterSelection;
import io.jouleflow.meters.MeterSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaplMeterProviderTest {

  @TempDir Path tmp;

  @Test
  void opensEveryZoneAndSubzoneWithZoneIdTypeAndName() throws Exception {
    FakePowercap tree = FakePowercap.twoSocketServer(tmp);

    List<EnergyMeter> meters = new RaplMeterProvider(tree.root).open();

    assertThat(meters)
        .extracting(m -> m.device().id(), m -> m.device().type(), m -> m.device().name())
        .containsExactly(
            tuple("intel-rapl:0", DeviceType.CPU, "package-0"),
            tuple("intel-rapl:0:0", DeviceType.CPU, "core"),
            tuple("intel-rapl:0:1", DeviceType.DRAM, "dram"),
            tuple("intel-rapl:1", DeviceType.CPU, "package-1"),
            tuple("intel-rapl:1:0", DeviceType.DRAM, "dram"),
            tuple("intel-rapl:2", DeviceType.CPU, "psys"));
    assertThat(meters).allSatisfy(m -> {
      assertThat(m.source()).isEqualTo(MeterSource.RAPL);
      assertThat(m.readJoules()).isZero();
    });
    meters.forEach(EnergyMeter::close);
  }

  @Test
  void machineTotalSumsPackagesAndDramButNotCoreOrPsys() throws Exception {
    FakePowercap tree = FakePowercap.twoSocketServer(tmp);

    List<RaplZone> zones = new RaplMeterProvider(tree.root).zones();

    assertThat(zones).filteredOn(RaplZone::topLevel).extracting(RaplZone::id)
        .containsExactly("intel-rapl:0", "intel-rapl:1", "intel-rapl:2");
    assertThat(RaplMeterProvider.machineTotalZones(zones)).extracting(RaplZone::id)
        .containsExactly("intel-rapl:0", "intel-rapl:0:1", "intel-rapl:1", "intel-rapl:1:0");
    assertThat(zones.get(2).parentId()).isEqualTo("intel-rapl:0");
  }

  @Test
  void withoutPackageZonesEveryTopLevelZoneCountsTowardTheTotal() throws Exception {
    FakePowercap tree = new FakePowercap(tmp)
        .zone("intel-rapl:0", "psys", 10, 1000)
        .zone("intel-rapl:0:0", "core", 10, 1000);

    List<RaplZone> zones = new RaplMeterProvider(tree.root).zones();

    assertThat(RaplMeterProvider.machineTotalZones(zones)).extracting(RaplZone::id)
        .containsExactly("intel-rapl:0");
  }

  @Test
  void twoPackagesCountIndependently() throws Exception {
    FakePowercap tree = FakePowercap.twoSocketServer(tmp);
    List<EnergyMeter> meters = new RaplMeterProvider(tree.root).open();

    tree.setEnergy("intel-rapl:0", 1_000_000 + 2_500_000);
    tree.setEnergy("intel-rapl:1", 2_000_000 + 7_000_000);
    tree.setEnergy("intel-rapl:1:0", 300_000 + 1_250_000);

    assertThat(meters.get(0).readJoules()).isCloseTo(2.5, within(1e-9));
    assertThat(meters.get(3).readJoules()).isCloseTo(7.0, within(1e-9));
    assertThat(meters.get(4).readJoules()).isCloseTo(1.25, within(1e-9));
    assertThat(meters.get(1).readJoules()).isZero();
    meters.forEach(EnergyMeter::close);
  }

  @Test
  void counterWrapsAroundThroughMaxEnergyRange() throws Exception {
    FakePowercap tree = new FakePowercap(tmp).zone("intel-rapl:0", "package-0", 900_000, 1_000_000);
    EnergyMeter meter = new RaplMeterProvider(tree.root).open().get(0);

    tree.setEnergy("intel-rapl:0", 950_000);
    assertThat(meter.readJoules()).isCloseTo(0.05, within(1e-9));
    tree.setEnergy("intel-rapl:0", 100_000); // wrapped: 50,000 to the top, then 100,000
    assertThat(meter.readJoules()).isCloseTo(0.2, within(1e-9));
    tree.setEnergy("intel-rapl:0", 999_999);
    tree.setEnergy("intel-rapl:0", 999_999);
    assertThat(meter.readJoules()).isCloseTo(1.099_999, within(1e-9));
    tree.setEnergy("intel-rapl:0", 0);
    assertThat(meter.readJoules()).isCloseTo(1.1, within(1e-9));
    meter.close();
  }

  @Test
  void forwardDistanceWithUnknownRangeTreatsDecreaseAsReset() {
    assertThat(RaplMeter.forwardDistance(500, 700, 0)).isEqualTo(200);
    assertThat(RaplMeter.forwardDistance(500, 100, 0)).isEqualTo(100);
    assertThat(RaplMeter.forwardDistance(500, 100, 1000)).isEqualTo(600);
  }

  @Test
  void missingTreeIsSkippedWithAReason() {
    assertThatThrownBy(() -> new RaplMeterProvider(tmp.resolve("nope")).open())
        .isInstanceOf(MeterException.class)
        .hasMessageContaining("no powercap RAPL interface");
  }

  @Test
  void treeWithoutRaplZonesIsSkippedWithAReason() throws IOException {
    Files.createDirectories(tmp.resolve("intel-rapl-mmio:0"));

    assertThatThrownBy(() -> new RaplMeterProvider(tmp).open())
        .isInstanceOf(MeterException.class)
        .hasMessageContaining("no intel-rapl zones under " + tmp);
  }

  @Test
  void permissionDeniedSkipsRaplWithOneLineNamingTheFix() throws Exception {
    Path base = Files.createDirectories(tmp.resolve("sys"));
    FakePowercap tree = FakePowercap.twoSocketServer(base);
    Path denied = tree.energyFile("intel-rapl:0").toRealPath();

    List<String> lines;
    if (!runningAsRoot()) {
      Files.setPosixFilePermissions(denied, PosixFilePermissions.fromString("---------"));
      lines = new ArrayList<>();
      MeterSelection.select(
          "rapl", List.of(new RaplMeterProvider(tree.root)), lines::add);
    } else {
      // Root reads any file regardless of mode, so the probe runs as nobody in a child JVM.
      assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) absent");
      Path classpath = copyClassesReadableByAll(tmp.resolve("cp"));
      makeReadableByAll(tmp);
      Files.setPosixFilePermissions(denied, PosixFilePermissions.fromString("r--------"));
      lines = runAsNobody(classpath, tree.root);
    }

    assertThat(lines).hasSize(1);
    assertThat(lines.get(0))
        .startsWith("meters: rapl skipped: permission denied reading " + tree.root)
        .contains("intel-rapl:0/energy_uj", "CVE-2020-8694", "run as root", "chmod o+r",
            "udev rule");
  }

  private static boolean runningAsRoot() throws IOException {
    return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
  }

  private static Path copyClassesReadableByAll(Path target) throws Exception {
    for (Class<?> c : List.of(RaplProbe.class, RaplMeterProvider.class)) {
      Path from = Paths.get(c.getProtectionDomain().getCodeSource().getLocation().toURI());
      try (Stream<Path> files = Files.walk(from)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Path to = target.resolve(from.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(to);
          } else if (!Files.exists(to)) {
            Files.copy(p, to);
          }
        }
      }
    }
    return target;
  }

  private static void makeReadableByAll(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (!Files.isSymbolicLink(p)) {
          Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
              Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
        }
      }
    }
  }

  private static List<String> runAsNobody(Path classpath, Path root) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(
            "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            java, "-XX:-UsePerfData", "-cp", classpath.toString(),
            RaplProbe.class.getName(), root.toString())
        .redirectErrorStream(true)
        .start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("probe finished").isTrue();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(out).isZero();
    return out.lines().toList();
  }
}
