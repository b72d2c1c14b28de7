package example.service;

import java.util.List;
import java.util.Locale;

/**
 * The JSON bodies of the service, written by hand (the service depends on TensorFlow only).
 * Probabilities have a fixed six-decimal format so equal predictions give equal bytes.
 */
final class PredictionJson {

  private PredictionJson() {}

  /** {@code {"batch":N,"top":[[{"class":k,"p":0.123456}, ...], ...]}}. */
  static String predictions(List<List<ClassScore>> topPerImage) {
    StringBuilder json = new StringBuilder(64 + topPerImage.size() * 96);
    json.append("{\"batch\":").append(topPerImage.size()).append(",\"top\":[");
    for (int i = 0; i < topPerImage.size(); i++) {
      if (i > 0) {
        json.append(',');
      }
      json.append('[');
      List<ClassScore> scores = topPerImage.get(i);
      for (int j = 0; j < scores.size(); j++) {
        if (j > 0) {
          json.append(',');
        }
        ClassScore score = scores.get(j);
        json.append("{\"class\":")
            .append(score.classIndex())
            .append(",\"p\":")
            .append(String.format(Locale.ROOT, "%.6f", score.probability()))
            .append('}');
      }
      json.append(']');
    }
    return json.append("]}").toString();
  }

  /** {@code {"error":"..."}} on one line. */
  static String error(String message) {
    return "{\"error\":" + quote(message) + "}";
  }

  static String quote(String text) {
    StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        case '\n' -> quoted.append("\\n");
        case '\r' -> quoted.append("\\r");
        case '\t' -> quoted.append("\\t");
        default -> {
          if (c < 0x20) {
            quoted.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            quoted.append(c);
          }
        }
      }
    }
    return quoted.append('"').toString();
  }
}
