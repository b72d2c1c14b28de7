package io.jouleflow.launcher.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bars of an {@link HtmlReport} page, read from its markup or from a browser's serialized
 * DOM. Attribute values are double-quoted there with {@code "} escaped, so a tag ends at the first
 * {@code >} outside quotes even when a layer name holds one.
 */
record BarElements(String series, String layer, double widthPercent) {

  private static final Pattern TAG =
      Pattern.compile("<([a-zA-Z][\\w-]*)((?:\\s+[^\\s=>/\"]+(?:\\s*=\\s*\"[^\"]*\")?)*)\\s*/?>");
  private static final Pattern ATTRIBUTE =
      Pattern.compile("([^\\s=>/\"]+)(?:\\s*=\\s*\"([^\"]*)\")?");
  private static final Pattern WIDTH = Pattern.compile("(?:^|;)\\s*width\\s*:\\s*([0-9.]+)%");

  /** Every element whose classes include {@code bar} and a series, in document order. */
  static List<BarElements> parse(String html) {
    List<BarElements> bars = new ArrayList<>();
    Matcher tag = TAG.matcher(html);
    while (tag.find()) {
      Map<String, String> attributes = attributes(tag.group(2));
      List<String> classes = Arrays.asList(attributes.getOrDefault("class", "").trim().split("\\s+"));
      if (!classes.contains("bar")) {
        continue;
      }
      String series = classes.contains("predicted") ? "predicted"
          : classes.contains("observed") ? "observed" : "?";
      Matcher width = WIDTH.matcher(attributes.getOrDefault("style", ""));
      bars.add(new BarElements(series, attributes.get("data-layer"),
          width.find() ? Double.parseDouble(width.group(1)) : Double.NaN));
    }
    return bars;
  }

  static List<BarElements> of(List<BarElements> bars, String series) {
    return bars.stream().filter(b -> b.series().equals(series)).toList();
  }

  private static Map<String, String> attributes(String text) {
    Map<String, String> map = new HashMap<>();
    Matcher a = ATTRIBUTE.matcher(text);
    while (a.find()) {
      map.put(a.group(1), a.group(2) == null ? "" : unescape(a.group(2)));
    }
    return map;
  }

  private static String unescape(String s) {
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
        .replace("&#39;", "'").replace("&nbsp;", "\u00a0").replace("&amp;", "&");
  }
}
