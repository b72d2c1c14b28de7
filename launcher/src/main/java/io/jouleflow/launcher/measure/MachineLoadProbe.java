package io.jouleflow.launcher.measure;

import io.jouleflow.predictor.store.MachineLoad;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads how much of the machine other work used between two points: {@code /proc/stat}'s CPU
 * totals against this process's own CPU time ({@code /proc/self/stat}), both in clock ticks.
 * Empty where there is no {@code /proc} (not Linux) or it cannot be parsed.
 */
public final class MachineLoadProbe {

  private final Path procStat;
  private final Path selfStat;

  /** A snapshot of the counters. */
  public record Snapshot(long total, long busy, long steal, long self) {}

  public MachineLoadProbe() {
    this(Path.of("/proc/stat"), Path.of("/proc/self/stat"));
  }

  MachineLoadProbe(Path procStat, Path selfStat) {
    this.procStat = procStat;
    this.selfStat = selfStat;
  }

  /** The counters now; empty if they cannot be read. */
  public Optional<Snapshot> snapshot() {
    try {
      String cpu = Files.readAllLines(procStat).get(0);
      String[] f = cpu.trim().split("\\s+");
      if (!f[0].equals("cpu") || f.length < 9) {
        return Optional.empty();
      }
      long user = Long.parseLong(f[1]);
      long nice = Long.parseLong(f[2]);
      long system = Long.parseLong(f[3]);
      long idle = Long.parseLong(f[4]);
      long iowait = Long.parseLong(f[5]);
      long irq = Long.parseLong(f[6]);
      long softirq = Long.parseLong(f[7]);
      long steal = Long.parseLong(f[8]);
      long total = user + nice + system + idle + iowait + irq + softirq + steal;
      long busy = user + nice + system + irq + softirq;
      // The command (field 2) is in parentheses and may hold spaces: count from the last ')'.
      String self = Files.readString(selfStat);
      String[] s = self.substring(self.lastIndexOf(')') + 2).trim().split("\\s+");
      long selfTicks = Long.parseLong(s[11]) + Long.parseLong(s[12]); // utime, stime
      return Optional.of(new Snapshot(total, busy, steal, selfTicks));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Other processes' share of the machine and the stolen share between two snapshots. */
  public static Optional<MachineLoad> between(Optional<Snapshot> from, Optional<Snapshot> to) {
    if (from.isEmpty() || to.isEmpty()) {
      return Optional.empty();
    }
    long total = to.get().total() - from.get().total();
    if (total <= 0) {
      return Optional.empty();
    }
    long others = (to.get().busy() - from.get().busy()) - (to.get().self() - from.get().self());
    long steal = to.get().steal() - from.get().steal();
    return Optional.of(new MachineLoad(clamp((double) others / total), clamp((double) steal / total)));
  }

  private static double clamp(double v) {
    return Math.max(0, Math.min(1, v));
  }
}
