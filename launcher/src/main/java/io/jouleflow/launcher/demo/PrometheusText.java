package io.jouleflow.launcher.demo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A scrape in the Prometheus text exposition format (version 0.0.4), parsed into samples.
 *
 * <p>Comment lines ({@code # HELP}, {@code # TYPE}, others) and blank lines are skipped. A sample
 * line is {@code name{label="value",...} value [timestamp]}; label values may hold the escapes
 * {@code \\}, {@code \"} and {@code \n}, and so commas, braces and quotes. Values are Go-style
 * floats, including {@code NaN}, {@code +Inf} and {@code -Inf}. A line that is none of these is an
 * error naming its line number: a scrape that cannot be read is not guessed at.
 */
public final class PrometheusText {

  /** One sample: metric name, labels in their order, value. */
  public record Sample(String name, Map<String, String> labels, double value) {
    public Sample {
      labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    /** The label's value, or null when the sample has no such label. */
    public String label(String key) {
      return labels.get(key);
    }
  }

  /** Text that is not in the exposition format. */
  public static final class FormatException extends IllegalArgumentException {
    FormatException(int lineNumber, String reason, String line) {
      super("line " + lineNumber + ": " + reason + ": " + abbreviate(line));
    }

    private static String abbreviate(String line) {
      return line.length() <= 120 ? line : line.substring(0, 117) + "...";
    }
  }

  private final List<Sample> samples;

  private PrometheusText(List<Sample> samples) {
    this.samples = List.copyOf(samples);
  }

  /**
   * Parses a whole scrape.
   *
   * @throws FormatException at the first line that is not a comment, blank or a sample
   */
  public static PrometheusText parse(String text) {
    List<Sample> samples = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      samples.add(new LineParser(trimmed, i + 1).sample());
    }
    return new PrometheusText(samples);
  }

  public List<Sample> samples() {
    return samples;
  }

  /** The samples of one metric name. */
  public List<Sample> series(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).toList();
  }

  /** The samples of one metric name that pass {@code filter}. */
  public List<Sample> series(String name, Predicate<Sample> filter) {
    return samples.stream().filter(s -> s.name().equals(name) && filter.test(s)).toList();
  }

  /** The sum over the samples of one metric name that pass {@code filter}; 0 when there are none. */
  public double sum(String name, Predicate<Sample> filter) {
    return series(name, filter).stream().mapToDouble(Sample::value).sum();
  }

  /** A predicate: the sample's label {@code key} equals {@code value}. */
  public static Predicate<Sample> labelled(String key, String value) {
    return s -> value.equals(s.label(key));
  }

  /** A cursor over one sample line. */
  private static final class LineParser {
    private final String line;
    private final int number;
    private int pos;

    LineParser(String line, int number) {
      this.line = line;
      this.number = number;
    }

    Sample sample() {
      String name = name(true);
      if (name.isEmpty()) {
        throw error("expected a metric name");
      }
      Map<String, String> labels = new LinkedHashMap<>();
      boolean blank = skipBlanks();
      if (peek() == '{') {
        pos++;
        labels(labels);
        blank = skipBlanks();
      }
      if (!blank) {
        throw error("expected a space before the value");
      }
      double value = value(token());
      if (skipBlanks() && pos < line.length()) {
        String timestamp = token();
        try {
          Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
          throw error("the timestamp '" + timestamp + "' is not an integer");
        }
      }
      if (pos < line.length()) {
        throw error("unexpected text after the value");
      }
      return new Sample(name, labels, value);
    }

    /** {@code label="value"} pairs up to the closing brace; a trailing comma is allowed. */
    private void labels(Map<String, String> labels) {
      while (true) {
        skipBlanks();
        if (peek() == '}') {
          pos++;
          return;
        }
        String key = name(false);
        if (key.isEmpty()) {
          throw error("expected a label name");
        }
        skipBlanks();
        expect('=');
        skipBlanks();
        expect('"');
        StringBuilder value = new StringBuilder();
        while (true) {
          if (pos >= line.length()) {
            throw error("unterminated label value");
          }
          char c = line.charAt(pos++);
          if (c == '"') {
            break;
          }
          if (c == '\\') {
            if (pos >= line.length()) {
              throw error("unterminated escape in a label value");
            }
            char e = line.charAt(pos++);
            switch (e) {
              case '\\' -> value.append('\\');
              case '"' -> value.append('"');
              case 'n' -> value.append('\n');
              default -> value.append('\\').append(e); // unknown escapes stay as written
            }
          } else {
            value.append(c);
          }
        }
        if (labels.put(key, value.toString()) != null) {
          throw error("label '" + key + "' appears twice");
        }
        skipBlanks();
        char c = peek();
        if (c == ',') {
          pos++;
        } else if (c != '}') {
          throw error("expected ',' or '}' after a label");
        }
      }
    }

    /** A metric name (colons allowed) or a label name. */
    private String name(boolean metric) {
      int start = pos;
      while (pos < line.length()) {
        char c = line.charAt(pos);
        boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
            || (metric && c == ':');
        if (!(letter || (pos > start && c >= '0' && c <= '9'))) {
          break;
        }
        pos++;
      }
      return line.substring(start, pos);
    }

    private double value(String text) {
      switch (text) {
        case "NaN":
          return Double.NaN;
        case "+Inf":
        case "Inf":
          return Double.POSITIVE_INFINITY;
        case "-Inf":
          return Double.NEGATIVE_INFINITY;
        default:
          try {
            return Double.parseDouble(text);
          } catch (NumberFormatException e) {
            throw error("the value '" + text + "' is not a number");
          }
      }
    }

    private String token() {
      int start = pos;
      while (pos < line.length() && !Character.isWhitespace(line.charAt(pos))) {
        pos++;
      }
      return line.substring(start, pos);
    }

    /** Skips spaces and tabs; true when there were any. */
    private boolean skipBlanks() {
      int start = pos;
      while (pos < line.length() && (line.charAt(pos) == ' ' || line.charAt(pos) == '\t')) {
        pos++;
      }
      return pos > start;
    }

    private char peek() {
      return pos < line.length() ? line.charAt(pos) : '\0';
    }

    private void expect(char c) {
      if (peek() != c) {
        throw error("expected '" + c + "'");
      }
      pos++;
    }

    private FormatException error(String reason) {
      return new FormatException(number, reason + " at column " + (pos + 1), line);
    }
  }
}
