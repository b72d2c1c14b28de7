package io.jouleflow.launcher.cli;

import io.jouleflow.meters.Device;
import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.meters.MeterSource;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code jouleflow meters} found and read, as a table for people or one JSON object:
 * {@code {"hardware_profile": id, "seconds": s, "meters": [{"id", "type", "name", "source",
 * "measured", "resolution_joules", "update_interval_ms", "joules", "watts"}]}}. A meter without
 * two readings has {@code null} joules and watts.
 */
record MetersReport(String hardwareProfile, double seconds, List<Row> meters) {

  /** One device: what its meter is, and what it read. */
  record Row(
      Device device,
      MeterSource source,
      double resolutionJoules,
      long updateIntervalNanos,
      double joules,
      double watts) {}

  MetersReport {
    meters = List.copyOf(meters);
  }

  /** The meter list, before reading. */
  static void printMeters(PrintWriter out, List<EnergyMeter> opened) {
    List<String[]> cells = new ArrayList<>();
    cells.add(new String[] {"HW.ID", "HW.TYPE", "NAME", "SOURCE", "RESOLUTION (J)", "UPDATE (ms)"});
    for (EnergyMeter meter : opened) {
      Device d = meter.device();
      cells.add(
          new String[] {
            d.id(),
            d.type().label(),
            d.name(),
            sourceCell(meter.source()),
            plain(meter.resolutionJoules(), 6),
            plain(meter.updateIntervalNanos() / 1e6, 6)
          });
    }
    printTable(out, cells);
  }

  /** Joules and mean watts per device over the read. */
  void printReadings(PrintWriter out) {
    out.println("energy over " + plain(seconds, 4) + " s:");
    List<String[]> cells = new ArrayList<>();
    cells.add(new String[] {"HW.ID", "SOURCE", "JOULES", "WATTS"});
    for (Row row : meters) {
      cells.add(
          new String[] {
            row.device().id(), sourceCell(row.source()), quantity(row.joules()), quantity(row.watts())
          });
    }
    printTable(out, cells);
  }

  String toJson() {
    StringBuilder s = new StringBuilder();
    s.append("{\n  \"hardware_profile\": ").append(string(hardwareProfile));
    s.append(",\n  \"seconds\": ").append(number(seconds));
    s.append(",\n  \"meters\": [");
    for (int i = 0; i < meters.size(); i++) {
      Row r = meters.get(i);
      s.append(i == 0 ? "\n" : ",\n").append("    {");
      s.append("\"id\": ").append(string(r.device().id()));
      s.append(", \"type\": ").append(string(r.device().type().label()));
      s.append(", \"name\": ").append(string(r.device().name()));
      s.append(", \"source\": ").append(string(r.source().label()));
      s.append(", \"measured\": ").append(r.source().measured());
      s.append(", \"resolution_joules\": ").append(number(r.resolutionJoules()));
      s.append(", \"update_interval_ms\": ").append(number(r.updateIntervalNanos() / 1e6));
      s.append(", \"joules\": ").append(number(r.joules()));
      s.append(", \"watts\": ").append(number(r.watts()));
      s.append('}');
    }
    s.append(meters.isEmpty() ? "]\n}" : "\n  ]\n}");
    return s.toString();
  }

  private static String sourceCell(MeterSource source) {
    return source.measured() ? source.label() : source.label() + " (not a measurement)";
  }

  private static void printTable(PrintWriter out, List<String[]> cells) {
    int[] widths = new int[cells.get(0).length];
    for (String[] row : cells) {
      for (int c = 0; c < row.length; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    for (String[] row : cells) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < row.length; c++) {
        line.append(c == 0 ? "" : "  ").append(row[c]);
        line.append(" ".repeat(c == row.length - 1 ? 0 : widths[c] - row[c].length()));
      }
      out.println(line);
    }
  }

  /** {@code x} to {@code digits} significant digits, without an exponent; {@code n/a} if not finite. */
  static String plain(double x, int digits) {
    if (!Double.isFinite(x)) {
      return "n/a";
    }
    if (x == 0) {
      return "0";
    }
    return new BigDecimal(x).round(new MathContext(digits)).stripTrailingZeros().toPlainString();
  }

  /** Joules or watts: four significant digits, but never rounding away whole units. */
  private static String quantity(double x) {
    if (Double.isFinite(x) && Math.abs(x) >= 10_000) {
      return String.format(Locale.ROOT, "%.0f", x);
    }
    if (!Double.isFinite(x)) {
      return "n/a";
    }
    // Trailing zeros kept: joules and watts line up in one column.
    return x == 0 ? "0" : new BigDecimal(x).round(new MathContext(4)).toPlainString();
  }

  private static String number(double x) {
    return Double.isFinite(x) ? Double.toString(x) : "null";
  }

  private static String string(String s) {
    StringBuilder q = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> q.append("\\\"");
        case '\\' -> q.append("\\\\");
        case '\n' -> q.append("\\n");
        case '\r' -> q.append("\\r");
        case '\t' -> q.append("\\t");
        default -> {
          if (c < 0x20) {
            q.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            q.append(c);
          }
        }
      }
    }
    return q.append('"').toString();
  }
}
