package io.jouleflow.launcher.report;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One self-contained HTML page of per-layer energy: a horizontal bar per layer and series
 * (predicted, observed), in model order. Inline CSS only — no scripts, fonts, images or links —
 * so the page can be mailed, archived or opened offline.
 *
 * <p>Each bar is {@code <div class="bar predicted|observed" data-layer="NAME"
 * style="width:P%">}; all bars share one scale (the largest value is 100 %), so predicted and
 * observed compare by length. Rows have a fixed height and the page scrolls, which keeps a model
 * of 400+ layers readable.
 */
public final class HtmlReport {

  /** Label of energy from the estimate meter: never presented as a measurement. */
  public static final String ESTIMATE = "estimate";

  /**
   * One layer.
   *
   * @param layer the layer's name (any text; escaped)
   * @param type its layer type
   * @param predictedJoules predicted joules per inference, {@code NaN} if none
   * @param observedJoules observed joules per inference, {@code NaN} if none
   */
  public record Row(String layer, String type, double predictedJoules, double observedJoules) {}

  private HtmlReport() {}

  /**
   * The page.
   *
   * @param title heading and window title (model, batch, input)
   * @param facts lines shown under the title (totals, model set, ...), plain text
   * @param observedSource the meter source of the observations ({@code rapl}, {@code estimate},
   *     {@code nvml+rapl}, ...); null when nothing was observed
   * @param rows the layers in model order
   */
  public static String render(String title, List<String> facts, String observedSource,
      List<Row> rows) {
    boolean anyPredicted = rows.stream().anyMatch(r -> !Double.isNaN(r.predictedJoules()));
    boolean observed = observedSource != null;
    String observedLabel = observed && isEstimate(observedSource) ? ESTIMATE : "measured";
    double max = 0;
    for (Row r : rows) {
      max = Math.max(max, finite(r.predictedJoules()));
      max = Math.max(max, finite(r.observedJoules()));
    }
    int lines = (anyPredicted || !observed ? 1 : 0) + (observed ? 1 : 0);

    StringBuilder h = new StringBuilder(4096 + rows.size() * 400);
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>").append(escape(title)).append("</title>\n")
        .append("<style>\n").append(css(lines)).append("</style>\n</head>\n")
        // the estimate's bars are striped everywhere (legend included): not a measurement
        .append(ESTIMATE.equals(observedLabel) ? "<body class=\"estimated\">\n" : "<body>\n")
        .append("<h1>").append(escape(title)).append("</h1>\n<ul class=\"facts\">\n");
    for (String fact : facts) {
      h.append("<li>").append(escape(fact)).append("</li>\n");
    }
    h.append("</ul>\n");
    if (rows.isEmpty()) { // e.g. a SavedModel measured whole: the facts say it all
      return h.append("<p>No per-layer energy.</p>\n</body>\n</html>\n").toString();
    }
    h.append("<div class=\"legend\">");
    if (anyPredicted || !observed) {
      h.append("<span class=\"key key-predicted\"></span> predicted");
    }
    if (observed) {
      h.append("<span class=\"key key-observed\"></span> ").append(observedLabel)
          .append(" (source ").append(escape(observedSource))
          .append(ESTIMATE.equals(observedLabel) ? ", not a measurement)" : ")");
    }
    h.append("<span class=\"scale\">bar length: mJ per inference, the longest = ")
        .append(escape(mj(max))).append("</span></div>\n");

    h.append("<div class=\"chart\">\n<div class=\"row head\"><span class=\"name\">layer</span>")
        .append("<span class=\"type\">type</span><span class=\"bars\">energy per inference</span></div>\n");
    for (Row r : rows) {
      h.append("<div class=\"row\"><span class=\"name\" title=\"").append(escape(r.layer()))
          .append("\">").append(escape(r.layer())).append("</span><span class=\"type\">")
          .append(escape(r.type())).append("</span><span class=\"bars\">");
      if (anyPredicted || !observed) {
        line(h, "predicted", "predicted", r.layer(), r.predictedJoules(), max, "no prediction");
      }
      if (observed) {
        line(h, "observed", observedLabel, r.layer(), r.observedJoules(), max, "not measured");
      }
      h.append("</span></div>\n");
    }
    h.append("<div class=\"row total\"><span class=\"name\">sum of ").append(rows.size())
        .append(rows.size() == 1 ? " layer" : " layers")
        .append("</span><span class=\"type\"></span><span class=\"bars\">");
    if (anyPredicted || !observed) {
      h.append("<span class=\"line\"><span class=\"track\"></span><span class=\"value\">")
          .append(sum(rows, true, "predicted")).append("</span></span>");
    }
    if (observed) {
      h.append("<span class=\"line\"><span class=\"track\"></span><span class=\"value\">")
          .append(sum(rows, false, observedLabel)).append("</span></span>");
    }
    h.append("</span></div>\n</div>\n</body>\n</html>\n");
    return h.toString();
  }

  /** One bar and its value label; a missing value is a label only, so the bar count is honest. */
  private static void line(StringBuilder h, String series, String label, String layer,
      double joules, double max, String missing) {
    h.append("<span class=\"line\"><span class=\"track\">");
    if (!Double.isNaN(joules)) {
      h.append("<span class=\"bar ").append(series).append("\" data-layer=\"").append(escape(layer))
          .append("\" style=\"width:").append(width(joules, max)).append("%\"></span>");
    }
    h.append("</span><span class=\"value\">")
        .append(Double.isNaN(joules) ? missing : escape(mj(joules)) + " " + label)
        .append("</span></span>");
  }

  /** Percent of the track, fixed notation (CSS reads it everywhere); 0 still shows 1px (CSS). */
  static String width(double joules, double max) {
    double p = max > 0 ? 100 * Math.max(0, joules) / max : 0;
    return String.format(Locale.ROOT, "%.4f", Math.min(100, p));
  }

  /** A series' sum as {@code 3.0000 mJ predicted (2 of 4 layers)} when some rows lack a value. */
  private static String sum(List<Row> rows, boolean predicted, String label) {
    double s = 0;
    int n = 0;
    for (Row r : rows) {
      double v = predicted ? r.predictedJoules() : r.observedJoules();
      if (!Double.isNaN(v)) {
        s += v;
        n++;
      }
    }
    String text = mj(s) + " " + label;
    return n < rows.size() ? text + " (" + n + " of " + rows.size() + " layers)" : text;
  }

  /** Whether any of the summed sources ({@code nvml+estimate}) is the estimate meter. */
  static boolean isEstimate(String source) {
    return Arrays.asList(source.split("\\+")).contains(ESTIMATE);
  }

  /** Joules as mJ, with the four decimals the table format prints. */
  static String mj(double joules) {
    return String.format(Locale.ROOT, "%.4f mJ", joules * 1e3);
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? v : 0;
  }

  /** Text for element content and double- or single-quoted attribute values. */
  public static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder s = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> s.append("&amp;");
        case '<' -> s.append("&lt;");
        case '>' -> s.append("&gt;");
        case '"' -> s.append("&quot;");
        case '\'' -> s.append("&#39;");
        default -> s.append(c);
      }
    }
    return s.toString();
  }

  /** Fixed row height (one 10px bar line per series) so hundreds of rows stay aligned. */
  private static String css(int lines) {
    int row = Math.max(1, lines) * 13 + 4;
    return """
        body{font:13px/1.3 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:16px 20px;color:#1d232a;background:#fff}
        h1{font-size:18px;margin:0 0 6px}
        .facts{margin:0 0 10px;padding-left:18px;color:#3a434d}
        .legend{position:sticky;top:0;z-index:1;background:#fff;padding:6px 0;border-bottom:1px solid #d0d5db}
        .legend .key{display:inline-block;width:14px;height:10px;margin:0 5px 0 14px;vertical-align:middle}
        .legend .key:first-child{margin-left:0}
        .legend .scale{margin-left:18px;color:#5b6570}
        .chart{margin-top:4px}
        .row{display:flex;align-items:center;height:%dpx;border-bottom:1px solid #f0f2f4}
        .row.head{height:20px;font-weight:600;color:#5b6570;border-bottom:1px solid #d0d5db}
        .row.total{height:auto;padding:4px 0;font-weight:600;border-top:1px solid #d0d5db}
        .name{flex:0 0 260px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;padding-right:8px;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
        .type{flex:0 0 110px;color:#5b6570;overflow:hidden;white-space:nowrap}
        .bars{flex:1 1 auto;display:flex;flex-direction:column;justify-content:center;min-width:0}
        .line{display:flex;align-items:center;height:13px}
        .track{flex:1 1 auto;height:10px;min-width:0}
        .bar{display:block;height:10px;min-width:1px;max-width:100%%}
        .value{flex:0 0 170px;padding-left:8px;font-size:11px;white-space:nowrap;color:#3a434d;font-variant-numeric:tabular-nums}
        .row.total .value{font-size:12px}
        .bar.predicted,.key-predicted{background:#4c78a8}
        .bar.observed,.key-observed{background:#e8743b}
        .estimated .bar.observed,.estimated .key-observed{background:repeating-linear-gradient(135deg,#e8743b 0 4px,#f4b48f 4px 7px)}
        """.formatted(row);
  }
}
