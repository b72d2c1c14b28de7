package io.jouleflow.launcher.train;

import io.jouleflow.launcher.zoo.ModelZoo;
import io.jouleflow.predictor.keras.KerasLayers;
import io.jouleflow.predictor.layers.Layer;
import io.jouleflow.predictor.layers.LayerFeatures;
import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.ModelSample;
import io.jouleflow.predictor.store.SampleOrigin;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Layer samples with a known answer: energy in proportion to FLOPs (bytes moved for layers without
 * FLOPs) at a rate per layer type, times a little noise; features either drawn at random for
 * convolution-like layers or taken from real zoo architectures.
 */
public final class SyntheticSamples {

  public static final String PROFILE = "test-cpu-4c8t-0badf00d";
  public static final Instant T0 = Instant.parse("2025-06-01T00:00:00Z");

  private SyntheticSamples() {}

  /** The true joules per FLOP of a type (per byte moved where a layer has no FLOPs). */
  public static double rate(String type) {
    return switch (type) {
      case "Convolutional" -> 2e-10;
      case "Dense" -> 5e-10;
      case "Normalization" -> 1e-9;
      case "Activation" -> 3e-9;
      default -> 1e-9;
    };
  }

  /**
   * {@code n} samples of one type with convolution-like features (batch, sizes, filters, kernel,
   * stride, FLOPs, parameters, bytes) whose joules are {@code joulesPerFlop} × FLOPs × (1 ± noise).
   */
  public static List<LayerSample> flopsProportional(
      String type, int n, double joulesPerFlop, double noise, long seed) {
    Random rnd = new Random(seed);
    int[] batches = {1, 2, 4, 8, 16};
    int[] channels = {16, 32, 64, 128, 256};
    int[] kernels = {1, 3, 5};
    List<LayerSample> samples = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int b = batches[rnd.nextInt(batches.length)];
      int hw = 7 + rnd.nextInt(106);
      int cin = channels[rnd.nextInt(channels.length)];
      int cout = channels[rnd.nextInt(channels.length)];
      int k = kernels[rnd.nextInt(kernels.length)];
      int stride = 1 + rnd.nextInt(2);
      int out = hw / stride;
      double flops = 2.0 * b * out * out * cout * k * k * cin;
      double params = (double) k * k * cin * cout + cout;
      LayerFeatures features =
          LayerFeatures.builder()
              .batchSize(b)
              .numberOfLayers(20 + rnd.nextInt(300))
              .inputSize((double) hw * hw * cin)
              .outputSize((double) out * out * cout)
              .filters(cout)
              .kernelSize(k * k)
              .stride(stride)
              .padding(rnd.nextInt(2))
              .flops(flops)
              .parameters(params)
              .bytesMoved(4.0 * (b * ((double) hw * hw * cin + (double) out * out * cout) + params))
              .build();
      double joules = joulesPerFlop * flops * (1 + noise * (2 * rnd.nextDouble() - 1));
      samples.add(sample("model" + (i % 7), "b" + b + "_" + hw, type + "_" + i, type,
          features.asMap(), b, joules, SampleOrigin.COLLECT));
    }
    return samples;
  }

  /**
   * Collect samples of every layer of the zoo models {@code names} at each batch size, with the
   * joules of {@link #rate} × FLOPs (or × bytes moved) × (1 ± noise).
   */
  public static List<LayerSample> zoo(List<String> names, int[] batches, double noise, long seed) {
    Random rnd = new Random(seed);
    List<LayerSample> samples = new ArrayList<>();
    for (String name : names) {
      for (int batch : batches) {
        for (Layer layer : KerasLayers.toLayerGraph(ModelZoo.build(name), batch, null)
            .graph().layers()) {
          Map<String, Double> f = layer.features().asMap();
          String type = layer.type().label();
          samples.add(sample(name, "b" + batch, layer.id(), type, f, batch,
              joules(type, f) * (1 + noise * (2 * rnd.nextDouble() - 1)), SampleOrigin.COLLECT));
        }
      }
    }
    return samples;
  }

  /** The noiseless joules of a layer: {@link #rate} × FLOPs, else × bytes moved, else 1 mJ. */
  public static double joules(String type, Map<String, Double> features) {
    double flops = features.getOrDefault(LayerFeatures.FLOPS, 0.0);
    double bytes = features.getOrDefault(LayerFeatures.BYTES_MOVED, 0.0);
    return flops > 0 ? rate(type) * flops : bytes > 0 ? rate(type) * bytes : 1e-3;
  }

  /** One whole-model sample per (model, batch) of {@code layers}, their sum as the model's joules. */
  public static List<ModelSample> models(List<LayerSample> layers) {
    Map<String, double[]> sums = new LinkedHashMap<>();
    Map<String, LayerSample> first = new LinkedHashMap<>();
    for (LayerSample s : layers) {
      String key = s.model() + "|" + s.config();
      sums.computeIfAbsent(key, k -> new double[2]);
      sums.get(key)[0] += s.joulesPerInference();
      sums.get(key)[1]++;
      first.putIfAbsent(key, s);
    }
    List<ModelSample> models = new ArrayList<>();
    sums.forEach((key, sum) -> {
      LayerSample s = first.get(key);
      models.add(new ModelSample(T0, s.hardwareProfile(), s.meterSource(), s.origin(), s.model(),
          s.config(), s.batchSize(), sum[0] * 1.1, 0.01, 50, null, (int) sum[1], 1.1, sum[0]));
    });
    return models;
  }

  public static LayerSample sample(String model, String config, String layer, String type,
      Map<String, Double> features, int batch, double joules, String origin) {
    return new LayerSample(T0, PROFILE, "estimate", origin, model, config, layer, type, features,
        batch, joules, joules / 50, 100, null, null);
  }
}
