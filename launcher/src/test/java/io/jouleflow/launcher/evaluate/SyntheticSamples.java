package io.jouleflow.launcher.evaluate;

import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.ModelSample;
import io.jouleflow.predictor.store.SampleOrigin;
import io.jouleflow.predictor.store.SampleStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleBiFunction;

/**
 * Collect samples of fake architectures whose layer energies follow a known law, as {@code
 * jouleflow collect} would store them: 8 architectures of 3 families (vgg, resnet, densenet), each
 * at 4 batch sizes × 3 input sizes, with convolution, normalization, activation, pooling and dense
 * layers (and Add layers in the ResNets only), features computed the way {@code LayerFeatures}
 * defines them. The whole model measures {@link #ADDITIVITY} × the sum of its layers.
 */
final class SyntheticSamples {

  static final String PROFILE = "synthetic-cpu-00000001";
  static final Instant T0 = Instant.parse("2025-06-01T10:00:00Z");
  static final List<String> MODELS =
      List.of(
          "vgg16",
          "vgg19",
          "resnet50",
          "resnet101",
          "resnet152",
          "densenet121",
          "densenet169",
          "densenet201");
  static final Map<String, Double> K =
      Map.of(
          "Convolutional", 2e-10,
          "Dense", 5e-10,
          "Pooling", 1e-9,
          "Activation", 3e-9,
          "Normalization", 2e-9,
          "Add", 4e-9);
  static final double ALPHA = 0.9;
  static final double ADDITIVITY = 1.25;

  /** Layer and whole-model samples. */
  record Data(List<LayerSample> layers, List<ModelSample> models) {
    void writeTo(SampleStore store) {
      store.writeLayerSamples(layers);
      store.writeModelSamples(models);
    }
  }

  private SyntheticSamples() {}

  /** joules = K[type] · flops^{@value #ALPHA} · (1 + noise·N(0, 1)). */
  static Data powerLaw(double noise, long seed) {
    return generate(
        MODELS, (type, f) -> K.get(type) * Math.pow(f.get("flops"), ALPHA), noise, seed);
  }

  /**
   * Samples of {@code models} whose layer joules are {@code law(type, features)} times {@code 1 +
   * noise·N(0, 1)}.
   */
  static Data generate(
      List<String> models,
      ToDoubleBiFunction<String, Map<String, Double>> law,
      double noise,
      long seed) {
    Random random = new Random(seed);
    List<LayerSample> layers = new ArrayList<>();
    List<ModelSample> wholes = new ArrayList<>();
    for (String model : models) {
      for (int input : new int[] {32, 64, 96}) {
        for (int batch : new int[] {1, 2, 4, 8}) {
          String config = "b" + batch + "_" + input + "x" + input + "x3";
          List<Map.Entry<String, Map<String, Double>>> shape = architecture(model, batch, input);
          double sum = 0;
          for (int i = 0; i < shape.size(); i++) {
            String type = shape.get(i).getKey();
            Map<String, Double> features = shape.get(i).getValue();
            features.put("number_of_layers", (double) shape.size());
            double joules =
                law.applyAsDouble(type, features)
                    * Math.max(0.05, 1 + noise * random.nextGaussian());
            sum += joules;
            layers.add(
                new LayerSample(
                    T0,
                    PROFILE,
                    "rapl",
                    SampleOrigin.COLLECT,
                    model,
                    config,
                    type.toLowerCase() + "_" + i,
                    type,
                    features,
                    batch,
                    joules,
                    joules / 50,
                    20,
                    null,
                    null));
          }
          wholes.add(
              new ModelSample(
                  T0,
                  PROFILE,
                  "rapl",
                  SampleOrigin.COLLECT,
                  model,
                  config,
                  batch,
                  ADDITIVITY * sum,
                  ADDITIVITY * sum / 50,
                  20,
                  null,
                  shape.size(),
                  ADDITIVITY,
                  sum));
        }
      }
    }
    return new Data(layers, wholes);
  }

  /** The layers of a fake architecture: depth and width depend on the name. */
  private static List<Map.Entry<String, Map<String, Double>>> architecture(
      String model, int batch, int input) {
    int depth = Integer.parseInt(model.replaceAll("\\D", "")) / 20 + 2; // vgg16: 2, resnet152: 9
    boolean residual = model.startsWith("resnet");
    int width = model.startsWith("densenet") ? 24 : model.startsWith("vgg") ? 64 : 32;
    List<Map.Entry<String, Map<String, Double>>> layers = new ArrayList<>();
    double n = batch;
    int h = input;
    int c = 3;
    for (int block = 0; block < depth; block++) {
      int out = Math.min(512, width << (block / 2));
      double in = (double) h * h * c;
      double size = (double) h * h * out;
      double params = 9.0 * c * out + out;
      layers.add(
          entry(
              "Convolutional",
              map(
                  "batch_size",
                  n,
                  "input_size",
                  in,
                  "output_size",
                  size,
                  "filters",
                  out,
                  "kernel_size",
                  9,
                  "stride",
                  1,
                  "padding",
                  1,
                  "flops",
                  2 * n * h * h * out * 9 * c,
                  "parameters",
                  params,
                  "bytes_moved",
                  4 * (n * (in + size) + params),
                  "variant_standard",
                  1,
                  "variant_depthwise",
                  0,
                  "variant_separable",
                  0,
                  "variant_transposed",
                  0)));
      layers.add(
          entry(
              "Normalization",
              map(
                  "batch_size",
                  n,
                  "input_size",
                  size,
                  "output_size",
                  size,
                  "flops",
                  2 * n * size,
                  "parameters",
                  4.0 * out,
                  "bytes_moved",
                  4 * (2 * n * size + 4 * out))));
      layers.add(
          entry(
              "Activation",
              map(
                  "batch_size",
                  n,
                  "input_size",
                  size,
                  "output_size",
                  size,
                  "flops",
                  n * size,
                  "parameters",
                  0,
                  "bytes_moved",
                  8 * n * size)));
      if (residual) {
        layers.add(
            entry(
                "Add",
                map(
                    "batch_size",
                    n,
                    "input_size",
                    2 * size,
                    "output_size",
                    size,
                    "flops",
                    n * size,
                    "parameters",
                    0,
                    "bytes_moved",
                    12 * n * size)));
      }
      c = out;
      if (block % 2 == 1 && h >= 4) {
        double before = (double) h * h * c;
        h /= 2;
        double after = (double) h * h * c;
        layers.add(
            entry(
                "Pooling",
                map(
                    "batch_size",
                    n,
                    "input_size",
                    before,
                    "output_size",
                    after,
                    "filters",
                    1,
                    "stride",
                    2,
                    "pool_size",
                    4,
                    "padding",
                    0,
                    "flops",
                    n * after * 4,
                    "parameters",
                    0,
                    "bytes_moved",
                    4 * n * (before + after))));
      }
    }
    double pooled = c;
    layers.add(
        entry(
            "Pooling",
            map(
                "batch_size",
                n,
                "input_size",
                (double) h * h * c,
                "output_size",
                pooled,
                "filters",
                1,
                "pool_size",
                (double) h * h,
                "flops",
                n * h * h * c,
                "parameters",
                0,
                "bytes_moved",
                4 * n * (h * h * c + pooled))));
    int units = model.endsWith("1") ? 1000 : 100;
    layers.add(
        entry(
            "Dense",
            map(
                "batch_size",
                n,
                "input_size",
                pooled,
                "output_size",
                units,
                "hidden_size",
                units,
                "flops",
                2 * n * pooled * units,
                "parameters",
                pooled * units + units,
                "bytes_moved",
                4 * (n * (pooled + units) + pooled * units + units))));
    return layers;
  }

  private static Map.Entry<String, Map<String, Double>> entry(
      String type, Map<String, Double> features) {
    return Map.entry(type, features);
  }

  private static Map<String, Double> map(Object... pairs) {
    Map<String, Double> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], ((Number) pairs[i + 1]).doubleValue());
    }
    return map;
  }
}
