package io.jouleflow.launcher.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.jouleflow.launcher.keras.KerasGraphBuilder.UnsupportedLayerException;
import io.jouleflow.predictor.keras.KerasLayer;
import java.util.Locale;

/**
 * Typed reads of one Keras layer's {@code config}, with Keras' defaults and errors that name the
 * layer. Keras 2 and Keras 3 spellings are both read: a size is an int or a list ({@code 3}, {@code
 * [3, 3]}), an axis an int or a one-element list.
 */
final class KerasOpsConfig {

  private final KerasLayer layer;
  private final JsonNode config;

  KerasOpsConfig(KerasLayer layer) {
    this.layer = layer;
    this.config = layer.config() == null ? NullNode.getInstance() : layer.config();
  }

  KerasLayer layer() {
    return layer;
  }

  private JsonNode field(String name) {
    JsonNode value = config.get(name);
    return value == null || value.isNull() ? null : value;
  }

  boolean has(String name) {
    return field(name) != null;
  }

  int integer(String name, int fallback) {
    JsonNode value = field(name);
    if (value == null) {
      return fallback;
    }
    if (value.isArray() && value.size() == 1) {
      value = value.get(0);
    }
    if (!value.canConvertToInt()) {
      throw invalid(name, value);
    }
    return value.asInt();
  }

  /** A number, or {@code fallback} where the field is absent or null. */
  double number(String name, double fallback) {
    JsonNode value = field(name);
    if (value == null) {
      return fallback;
    }
    if (!value.isNumber()) {
      throw invalid(name, value);
    }
    return value.asDouble();
  }

  /** A number or a list of numbers (per channel). */
  float[] numbers(String name, double fallback) {
    JsonNode value = field(name);
    if (value == null) {
      return new float[] {(float) fallback};
    }
    if (value.isNumber()) {
      return new float[] {(float) value.asDouble()};
    }
    if (!value.isArray() || value.isEmpty()) {
      throw invalid(name, value);
    }
    float[] values = new float[value.size()];
    for (int i = 0; i < values.length; i++) {
      if (!value.get(i).isNumber()) {
        throw invalid(name, value);
      }
      values[i] = (float) value.get(i).asDouble();
    }
    return values;
  }

  boolean bool(String name, boolean fallback) {
    JsonNode value = field(name);
    return value == null ? fallback : value.asBoolean(fallback);
  }

  String string(String name, String fallback) {
    JsonNode value = field(name);
    return value == null ? fallback : value.asText();
  }

  /** Two ints ({@code kernel_size}, {@code strides}, ...): {@code 3} means {@code [3, 3]}. */
  int[] pair(String name, int fallback) {
    JsonNode value = field(name);
    if (value == null) {
      return new int[] {fallback, fallback};
    }
    if (value.canConvertToInt() && value.isIntegralNumber()) {
      return new int[] {value.asInt(), value.asInt()};
    }
    if (value.isArray() && value.size() == 1 && value.get(0).isIntegralNumber()) {
      return new int[] {value.get(0).asInt(), value.get(0).asInt()};
    }
    if (value.isArray()
        && value.size() == 2
        && value.get(0).isIntegralNumber()
        && value.get(1).isIntegralNumber()) {
      return new int[] {value.get(0).asInt(), value.get(1).asInt()};
    }
    throw invalid(name, value);
  }

  /** A list of ints, nulls as -1 (shapes). */
  int[] ints(String name) {
    JsonNode value = field(name);
    if (value == null || !value.isArray()) {
      throw invalid(name, value);
    }
    int[] values = new int[value.size()];
    for (int i = 0; i < values.length; i++) {
      JsonNode v = value.get(i);
      if (v.isNull()) {
        values[i] = -1;
      } else if (v.isIntegralNumber()) {
        values[i] = v.asInt();
      } else {
        throw invalid(name, value);
      }
    }
    return values;
  }

  /**
   * ZeroPadding2D's {@code padding} as the paddings of a {@code Pad} of an NHWC tensor: {@code 1},
   * {@code [1, 2]} (symmetric height, width) or {@code [[1, 2], [3, 4]]} (top, bottom), (left,
   * right).
   */
  int[][] zeroPadding() {
    int[] s = sides("padding", 1);
    return new int[][] {{0, 0}, {s[0], s[1]}, {s[2], s[3]}, {0, 0}};
  }

  /** Cropping2D's {@code cropping} as {top, bottom, left, right}, in ZeroPadding2D's forms. */
  int[] cropping() {
    return sides("cropping", 0);
  }

  /** {top, bottom, left, right} of an int, a (height, width) pair or a pair of pairs. */
  private int[] sides(String name, int fallback) {
    JsonNode value = field(name);
    int top = fallback;
    int bottom = fallback;
    int left = fallback;
    int right = fallback;
    if (value != null && value.isIntegralNumber()) {
      top = bottom = left = right = value.asInt();
    } else if (value != null && value.isArray() && value.size() == 2) {
      JsonNode h = value.get(0);
      JsonNode w = value.get(1);
      if (h.isIntegralNumber() && w.isIntegralNumber()) {
        top = bottom = h.asInt();
        left = right = w.asInt();
      } else if (isIntPair(h) && isIntPair(w)) {
        top = h.get(0).asInt();
        bottom = h.get(1).asInt();
        left = w.get(0).asInt();
        right = w.get(1).asInt();
      } else {
        throw invalid(name, value);
      }
    } else if (value != null) {
      throw invalid(name, value);
    }
    if (Math.min(Math.min(top, bottom), Math.min(left, right)) < 0) {
      throw invalid(name, value);
    }
    return new int[] {top, bottom, left, right};
  }

  /** The raw value of a field, null where absent or null. */
  JsonNode node(String name) {
    return field(name);
  }

  private static boolean isIntPair(JsonNode node) {
    return node.isArray()
        && node.size() == 2
        && node.get(0).isIntegralNumber()
        && node.get(1).isIntegralNumber();
  }

  /** {@code padding} as TensorFlow spells it: {@code VALID} or {@code SAME}. */
  String padding() {
    String padding = string("padding", "valid").toLowerCase(Locale.ROOT);
    return switch (padding) {
      case "valid" -> "VALID";
      case "same" -> "SAME";
      default -> throw unsupported("padding " + padding);
    };
  }

  /**
   * The activation's name ({@code relu}), {@code linear} where there is none. Keras 3 may write a
   * serialized function object, whose {@code config} is the name.
   */
  String activation() {
    JsonNode value = field("activation");
    if (value == null) {
      return "linear";
    }
    if (value.isObject()) {
      JsonNode inner = value.get("config");
      if (inner != null && inner.isTextual()) {
        return inner.asText();
      }
      JsonNode className = value.get("class_name");
      return className == null ? value.toString() : className.asText();
    }
    return value.asText();
  }

  /** Throws unless the layer computes channels_last (the default). */
  void requireChannelsLast() {
    String format = string("data_format", "channels_last");
    if (!format.equals("channels_last")) {
      throw unsupported("data_format " + format + " (channels_last only)");
    }
  }

  UnsupportedLayerException unsupported(String what) {
    return new UnsupportedLayerException(
        "layer '" + layer.name() + "' (" + layer.className() + "): " + what + " is not supported");
  }

  /** An invalid field; the builder adds the layer's name to the message. */
  IllegalArgumentException invalid(String name, JsonNode value) {
    return new IllegalArgumentException("invalid " + name + ": " + value);
  }
}
