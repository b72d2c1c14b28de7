package io.jouleflow.meters.estimate;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Active watts per core for common server CPUs, matched by a substring of the {@code model name}
 * in {@code /proc/cpuinfo}. Each row is the vendor's published TDP divided by the vendor's core
 * count; TDP is the sustained all-core power the part is designed for, so dividing it by the cores
 * prices one fully busy core. It is a coarse figure: it ignores frequency, SMT (two busy hardware
 * threads on one core are priced as two cores) and the instruction mix.
 */
public final class CpuPowerTable {

  /** Used when the model is not in the table and no {@code cpu.watts} was given. */
  public static final double FALLBACK_WATTS_PER_CORE = 10.0;

  /** One CPU model: {@code tdpWatts / cores} watts per core. */
  public record Row(String modelKey, double tdpWatts, int cores) {
    public double wattsPerCore() {
      return tdpWatts / cores;
    }

    /** e.g. {@code Xeon Platinum 8380: 270 W TDP / 40 cores}. */
    public String basis() {
      return String.format(Locale.ROOT, "%s: %.0f W TDP / %d cores", modelKey, tdpWatts, cores);
    }
  }

  // Sources: the vendors' product pages (ark.intel.com, amd.com/en/products/processors/server),
  // TDP and core count as published there.
  private static final List<Row> ROWS =
      List.of(
          // Intel Xeon Scalable, 2nd gen (Cascade Lake)
          new Row("Xeon Platinum 8280", 205, 28), // ark: 28 cores, 205 W
          new Row("Xeon Gold 6248", 150, 20), // ark: 20 cores, 150 W
          new Row("Xeon Gold 6230", 125, 20), // ark: 20 cores, 125 W
          new Row("Xeon Silver 4214", 85, 12), // ark: 12 cores, 85 W
          // Intel Xeon Scalable, 1st gen (Skylake-SP)
          new Row("Xeon Gold 6148", 150, 20), // ark: 20 cores, 150 W
          // Intel Xeon Scalable, 3rd gen (Ice Lake-SP)
          new Row("Xeon Platinum 8380", 270, 40), // ark: 40 cores, 270 W
          new Row("Xeon Platinum 8358", 250, 32), // ark: 32 cores, 250 W
          new Row("Xeon Gold 6348", 235, 28), // ark: 28 cores, 235 W
          new Row("Xeon Gold 6354", 205, 18), // ark: 18 cores, 205 W
          // Intel Xeon Scalable, 4th gen (Sapphire Rapids) and 5th gen (Emerald Rapids)
          new Row("Xeon Platinum 8480+", 350, 56), // ark: 56 cores, 350 W
          new Row("Xeon Platinum 8470", 350, 52), // ark: 52 cores, 350 W
          new Row("Xeon Platinum 8468", 350, 48), // ark: 48 cores, 350 W
          new Row("Xeon Platinum 8462Y+", 300, 32), // ark: 32 cores, 300 W
          new Row("Xeon Platinum 8592+", 350, 64), // ark: 64 cores, 350 W
          // Intel Xeon E5 v4 (Broadwell-EP)
          new Row("Xeon CPU E5-2690 v4", 135, 14), // ark: 14 cores, 135 W
          // AMD EPYC 7002 (Rome) and 7003 (Milan)
          new Row("EPYC 7742", 225, 64), // amd.com: 64 cores, 225 W
          new Row("EPYC 7763", 280, 64), // amd.com: 64 cores, 280 W
          new Row("EPYC 7543", 225, 32), // amd.com: 32 cores, 225 W
          new Row("EPYC 7313", 155, 16), // amd.com: 16 cores, 155 W
          // AMD EPYC 9004 (Genoa, Bergamo)
          new Row("EPYC 9654", 360, 96), // amd.com: 96 cores, 360 W
          new Row("EPYC 9554", 360, 64), // amd.com: 64 cores, 360 W
          new Row("EPYC 9754", 360, 128)); // amd.com: 128 cores, 360 W

  private CpuPowerTable() {}

  public static List<Row> rows() {
    return ROWS;
  }

  /**
   * The row whose key occurs in {@code modelName} as a whole token (case-insensitive, spaces
   * collapsed; {@code (R)} and {@code (TM)} ignored): {@code Xeon Platinum 8380} matches {@code
   * Intel(R) Xeon(R) Platinum 8380 CPU @ 2.30GHz} but not {@code ... Platinum 8380H}.
   */
  public static Optional<Row> lookup(String modelName) {
    if (modelName == null) {
      return Optional.empty();
    }
    String model = normalize(modelName);
    for (Row row : ROWS) {
      Pattern key =
          Pattern.compile(
              "(?<![a-z0-9])" + Pattern.quote(normalize(row.modelKey())) + "(?![a-z0-9+])");
      if (key.matcher(model).find()) {
        return Optional.of(row);
      }
    }
    return Optional.empty();
  }

  private static String normalize(String s) {
    return s.toLowerCase(Locale.ROOT)
        .replace("(r)", "")
        .replace("(tm)", "")
        .replaceAll("\\s+", " ")
        .strip();
  }
}
