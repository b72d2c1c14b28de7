package io.jouleflow.predictor.store;

import io.jouleflow.predictor.layers.LayerFeatures;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One observed layer: its energy and time per inference under one run configuration on one hardware
 * profile, with the layer's features, as the predictor trains on it.
 *
 * <p>The {@link #sampleKey()} tells duplicates apart: the store keeps one row per (hardware
 * profile, origin, sample key). Left null, it is derived: {@link #collectKey} for {@code collect}
 * samples, {@link #agentKey} with {@link #time()} as the window start for {@code agent} samples.
 *
 * @param time when the sample was taken; for agent samples the start of the observation window
 * @param hardwareProfile {@code HardwareProfile.id()}
 * @param meterSource where the joules came from: {@code nvml}, {@code rapl} or {@code estimate}
 * @param origin {@link SampleOrigin#COLLECT} or {@link SampleOrigin#AGENT}
 * @param model the model's name
 * @param config a stable id of the run configuration, e.g. {@code b8_64x64x3}
 * @param layer the layer's id ({@code Layer.id()})
 * @param layerType the layer type's label ({@code LayerType.label()}), e.g. {@code Dense}
 * @param features named features ({@link LayerFeatures#asMap()}); NaN values are dropped
 * @param batchSize examples per inference
 * @param joulesPerInference observed energy of the layer per inference (NaN if unknown)
 * @param secondsPerInference observed time of the layer per inference (NaN if unknown)
 * @param runsAveraged how many inferences the averages are over
 * @param predictedJoules what a model set predicted for the layer, null if none did
 * @param sampleKey the duplicate key within (hardware profile, origin); null to derive it
 * @param protocol {@link MeasureProtocols#IN_PLACE} or {@link MeasureProtocols#ISOLATED}; null for
 *     the origin's default ({@link MeasureProtocols#defaultFor})
 */
public record LayerSample(
    Instant time,
    String hardwareProfile,
    String meterSource,
    String origin,
    String model,
    String config,
    String layer,
    String layerType,
    Map<String, Double> features,
    int batchSize,
    double joulesPerInference,
    double secondsPerInference,
    long runsAveraged,
    Double predictedJoules,
    String sampleKey,
    String protocol) {

  public LayerSample {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(hardwareProfile, "hardwareProfile");
    Objects.requireNonNull(meterSource, "meterSource");
    SampleOrigin.check(origin);
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(layer, "layer");
    Objects.requireNonNull(layerType, "layerType");
    features = SampleFeatures.normalize(features);
    if (predictedJoules != null && predictedJoules.isNaN()) {
      predictedJoules = null;
    }
    protocol = MeasureProtocols.check(protocol == null ? MeasureProtocols.defaultFor(origin) : protocol);
    if (sampleKey == null) {
      sampleKey =
          SampleOrigin.COLLECT.equals(origin)
              ? collectKey(model, config, layer, protocol)
              : agentKey(model, config, layer, time);
    }
  }

  /** A sample of the origin's default protocol. */
  public LayerSample(
      Instant time,
      String hardwareProfile,
      String meterSource,
      String origin,
      String model,
      String config,
      String layer,
      String layerType,
      Map<String, Double> features,
      int batchSize,
      double joulesPerInference,
      double secondsPerInference,
      long runsAveraged,
      Double predictedJoules,
      String sampleKey) {
    this(time, hardwareProfile, meterSource, origin, model, config, layer, layerType, features,
        batchSize, joulesPerInference, secondsPerInference, runsAveraged, predictedJoules, sampleKey,
        null);
  }

  /** A sample whose key is derived (see the type's description), with features of a layer. */
  public LayerSample(
      Instant time,
      String hardwareProfile,
      String meterSource,
      String origin,
      String model,
      String config,
      String layer,
      String layerType,
      LayerFeatures features,
      int batchSize,
      double joulesPerInference,
      double secondsPerInference,
      long runsAveraged,
      Double predictedJoules) {
    this(
        time,
        hardwareProfile,
        meterSource,
        origin,
        model,
        config,
        layer,
        layerType,
        features.asMap(),
        batchSize,
        joulesPerInference,
        secondsPerInference,
        runsAveraged,
        predictedJoules,
        null,
        null);
  }

  /** This sample measured by {@code protocol} (its key derived again when it was derived). */
  public LayerSample withProtocol(String protocol) {
    boolean derived = sampleKey.equals(SampleOrigin.COLLECT.equals(origin)
        ? collectKey(model, config, layer, this.protocol) : agentKey(model, config, layer, time));
    return new LayerSample(time, hardwareProfile, meterSource, origin, model, config, layer,
        layerType, features, batchSize, joulesPerInference, secondsPerInference, runsAveraged,
        predictedJoules, derived ? null : sampleKey, protocol);
  }

  /** This sample with other features (its key kept). */
  public LayerSample withFeatures(Map<String, Double> other) {
    return new LayerSample(time, hardwareProfile, meterSource, origin, model, config, layer,
        layerType, other, batchSize, joulesPerInference, secondsPerInference, runsAveraged,
        predictedJoules, sampleKey, protocol);
  }

  /** The features as a {@link LayerFeatures}; names it does not know are left out. */
  public LayerFeatures layerFeatures() {
    return SampleFeatures.toLayerFeatures(features);
  }

  /** The key of an isolated collect sample: {@code model|config|layer}. */
  public static String collectKey(String model, String config, String layer) {
    return model + '|' + config + '|' + layer;
  }

  /** The key of a collect sample: {@code model|config|layer}, in place prefixed {@code inplace|}. */
  public static String collectKey(String model, String config, String layer, String protocol) {
    String key = collectKey(model, config, layer);
    return MeasureProtocols.ISOLATED.equals(protocol) ? key : protocol + '|' + key;
  }

  /** The key of an agent sample: {@code model|config|layer|windowStart}. */
  public static String agentKey(String model, String config, String layer, Instant windowStart) {
    return model + '|' + config + '|' + layer + '|' + SampleTime.format(windowStart);
  }
}
