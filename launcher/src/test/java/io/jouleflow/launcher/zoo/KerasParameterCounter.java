package io.jouleflow.launcher.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import io.jouleflow.predictor.keras.KerasLayer;
import io.jouleflow.predictor.keras.KerasModel;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts a Keras model's weights the way {@code model.count_params()} does (trainable and
 * non-trainable: batch-norm moving statistics and a Normalization layer's mean, variance and count
 * included), reading nothing but the layers' configs. It infers every layer's output shape from its
 * config and its inputs' shapes, independently of {@link ModelBuilder}'s bookkeeping, and fails on
 * a layer class it does not know or a shape that does not fit.
 */
final class KerasParameterCounter {

  /** Per layer: output shape (without batch) and parameter count, in model order. */
  record Count(Map<String, int[]> shapes, Map<String, Long> parameters) {
    long total() {
      return parameters.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private KerasParameterCounter() {}

  static long totalParameters(KerasModel model) {
    return count(model).total();
  }

  static Count count(KerasModel model) {
    Map<String, int[]> shapes = new HashMap<>();
    Map<String, Long> params = new LinkedHashMap<>();
    for (KerasLayer layer : model.layers()) {
      List<int[]> in =
          layer.inbound().stream()
              .map(
                  n -> {
                    int[] s = shapes.get(n);
                    if (s == null) {
                      throw new IllegalStateException(layer.name() + ": unknown inbound " + n);
                    }
                    return s;
                  })
              .toList();
      JsonNode c = layer.config();
      int[] out;
      long p = 0;
      switch (layer.className()) {
        case "InputLayer" -> {
          JsonNode s = c.get("batch_input_shape");
          out = new int[s.size() - 1];
          for (int i = 1; i < s.size(); i++) {
            out[i - 1] = s.get(i).asInt();
          }
        }
        case "Conv2D" -> {
          int[] x = in.get(0);
          int kh = c.get("kernel_size").get(0).asInt();
          int kw = c.get("kernel_size").get(1).asInt();
          int filters = c.get("filters").asInt();
          out = window(x, kh, kw, c, filters);
          p = (long) kh * kw * x[2] * filters + (c.get("use_bias").asBoolean() ? filters : 0);
        }
        case "DepthwiseConv2D" -> {
          int[] x = in.get(0);
          int kh = c.get("kernel_size").get(0).asInt();
          int kw = c.get("kernel_size").get(1).asInt();
          int outChannels = x[2] * c.get("depth_multiplier").asInt();
          out = window(x, kh, kw, c, outChannels);
          p = (long) kh * kw * outChannels + (c.get("use_bias").asBoolean() ? outChannels : 0);
        }
        case "SeparableConv2D" -> {
          int[] x = in.get(0);
          int kh = c.get("kernel_size").get(0).asInt();
          int kw = c.get("kernel_size").get(1).asInt();
          int mid = x[2] * c.get("depth_multiplier").asInt();
          int filters = c.get("filters").asInt();
          out = window(x, kh, kw, c, filters);
          p = (long) kh * kw * mid + (long) mid * filters;
          p += c.get("use_bias").asBoolean() ? filters : 0;
        }
        case "Dense" -> {
          int[] x = in.get(0);
          int units = c.get("units").asInt();
          out = x.clone();
          out[out.length - 1] = units;
          p = (long) x[x.length - 1] * units + (c.get("use_bias").asBoolean() ? units : 0);
        }
        case "BatchNormalization" -> {
          int[] x = in.get(0);
          out = x;
          int perChannel = 2; // moving mean and variance
          perChannel += c.get("center").asBoolean() ? 1 : 0;
          perChannel += c.get("scale").asBoolean() ? 1 : 0;
          p = (long) perChannel * x[x.length - 1];
        }
        case "Normalization" -> {
          out = in.get(0);
          p = 2L * out[out.length - 1] + 1; // mean, variance, count (a scalar)
        }
        case "MaxPooling2D", "AveragePooling2D" -> {
          int[] x = in.get(0);
          int k = c.get("pool_size").get(0).asInt();
          out = window(x, k, c.get("pool_size").get(1).asInt(), c, x[2]);
        }
        case "GlobalAveragePooling2D", "GlobalMaxPooling2D" -> {
          int ch = in.get(0)[2];
          out = c.get("keepdims").asBoolean() ? new int[] {1, 1, ch} : new int[] {ch};
        }
        case "ZeroPadding2D" -> {
          int[] x = in.get(0);
          JsonNode pad = c.get("padding");
          out =
              new int[] {
                x[0] + pad.get(0).get(0).asInt() + pad.get(0).get(1).asInt(),
                x[1] + pad.get(1).get(0).asInt() + pad.get(1).get(1).asInt(),
                x[2]
              };
        }
        case "Cropping2D" -> {
          int[] x = in.get(0);
          JsonNode crop = c.get("cropping");
          out =
              new int[] {
                x[0] - crop.get(0).get(0).asInt() - crop.get(0).get(1).asInt(),
                x[1] - crop.get(1).get(0).asInt() - crop.get(1).get(1).asInt(),
                x[2]
              };
        }
        case "UpSampling2D" -> {
          int[] x = in.get(0);
          out =
              new int[] {
                x[0] * c.get("size").get(0).asInt(), x[1] * c.get("size").get(1).asInt(), x[2]
              };
        }
        case "Flatten" -> out = new int[] {elements(in.get(0))};
        case "Reshape" -> {
          JsonNode t = c.get("target_shape");
          out = new int[t.size()];
          int unknown = -1;
          int known = 1;
          for (int i = 0; i < t.size(); i++) {
            out[i] = t.get(i).asInt();
            if (out[i] == -1) {
              unknown = i;
            } else {
              known *= out[i];
            }
          }
          if (unknown >= 0) {
            out[unknown] = elements(in.get(0)) / known;
          }
          check(elements(out) == elements(in.get(0)), layer, "reshape changes the size");
        }
        case "Add", "Multiply" -> {
          out = in.get(0).clone();
          for (int[] s : in.subList(1, in.size())) {
            check(s.length == out.length, layer, "ranks differ");
            for (int i = 0; i < out.length; i++) {
              check(s[i] == out[i] || s[i] == 1 || out[i] == 1, layer, "shapes differ");
              out[i] = Math.max(out[i], s[i]);
            }
          }
        }
        case "Concatenate" -> {
          int rank = in.get(0).length;
          int axis = c.get("axis").asInt();
          int a = axis < 0 ? rank + axis : axis - 1;
          out = in.get(0).clone();
          out[a] = 0;
          for (int[] s : in) {
            for (int i = 0; i < rank; i++) {
              check(i == a || s[i] == in.get(0)[i], layer, "shapes differ off the axis");
            }
            out[a] += s[a];
          }
        }
        case "CustomScaleLayer" -> {
          check(Arrays.equals(in.get(0), in.get(1)), layer, "shapes differ");
          out = in.get(0);
        }
        case "Activation", "ReLU", "Dropout", "Rescaling", "TFOpLambda" -> out = in.get(0);
        default -> throw new IllegalStateException("no rule for " + layer.className());
      }
      for (int d : out) {
        check(d >= 1, layer, "empty output " + Arrays.toString(out));
      }
      shapes.put(layer.name(), out);
      params.put(layer.name(), p);
    }
    return new Count(shapes, params);
  }

  private static int[] window(int[] x, int kh, int kw, JsonNode c, int channels) {
    int sh = c.get("strides").get(0).asInt();
    int sw = c.get("strides").get(1).asInt();
    boolean same = c.get("padding").asText().equals("same");
    int h = same ? Math.floorDiv(x[0] + sh - 1, sh) : Math.floorDiv(x[0] - kh, sh) + 1;
    int w = same ? Math.floorDiv(x[1] + sw - 1, sw) : Math.floorDiv(x[1] - kw, sw) + 1;
    return new int[] {h, w, channels};
  }

  private static int elements(int[] s) {
    int n = 1;
    for (int d : s) {
      n *= d;
    }
    return n;
  }

  private static void check(boolean ok, KerasLayer layer, String message) {
    if (!ok) {
      throw new IllegalStateException(layer.name() + " (" + layer.className() + "): " + message);
    }
  }
}
