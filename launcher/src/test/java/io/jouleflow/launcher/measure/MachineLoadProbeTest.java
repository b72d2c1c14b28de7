package io.jouleflow.launcher.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.predictor.store.MachineLoad;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe on files laid out as Linux's /proc/stat and /proc/self/stat. */
class MachineLoadProbeTest {

  @TempDir Path dir;

  private Optional<MachineLoadProbe.Snapshot> snapshot(String cpuLine, long utime, long stime)
      throws Exception {
    Path stat = dir.resolve("stat");
    Path self = dir.resolve("self");
    Files.writeString(stat, cpuLine + "\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1\n");
    // The command may hold spaces and parentheses: fields count from the last ')'.
    Files.writeString(self, "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 10 0 0 0 "
        + utime + " " + stime + " 0 0 20 0 30 0 100 0 0\n");
    return new MachineLoadProbe(stat, self).snapshot();
  }

  @Test
  void othersShareIsTheMachinesBusyTimeLessOurOwnOverAllCapacity() throws Exception {
    var before = snapshot("cpu  1000 0 500 8000 100 0 0 0 0 0", 300, 100);
    // 1000 ticks of capacity pass: 400 busy (user+system), 50 stolen; we used 150 of them.
    var after = snapshot("cpu  1300 0 600 8550 100 0 0 50 0 0", 420, 130);
    MachineLoad load = MachineLoadProbe.between(before, after).orElseThrow();
    assertThat(load.otherCpuShare()).isCloseTo((400 - 150) / 1000.0, within(1e-12));
    assertThat(load.stealShare()).isCloseTo(0.05, within(1e-12));
    assertThat(load.busy()).isTrue();
  }

  @Test
  void aQuietWindowIsNotBusy() throws Exception {
    var before = snapshot("cpu  1000 0 500 8000 100 0 0 0 0 0", 300, 100);
    var after = snapshot("cpu  1400 0 500 8600 100 0 0 0 0 0", 680, 110); // only us
    MachineLoad load = MachineLoadProbe.between(before, after).orElseThrow();
    assertThat(load.otherCpuShare()).isCloseTo(0.01, within(1e-12));
    assertThat(load.busy()).isFalse();
  }

  @Test
  void unreadableOrForeignFilesGiveNoLoad() throws Exception {
    assertThat(new MachineLoadProbe(dir.resolve("none"), dir.resolve("none")).snapshot()).isEmpty();
    assertThat(snapshot("intr 1 2 3", 1, 1)).isEmpty();
    assertThat(MachineLoadProbe.between(Optional.empty(), Optional.empty())).isEmpty();
  }
}
