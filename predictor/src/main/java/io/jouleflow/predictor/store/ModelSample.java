package io.jouleflow.predictor.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One observed whole model: its energy and time per inference under one run configuration on one
 * hardware profile, and how its layers' samples add up to it.
 *
 * <p>The {@link #sampleKey()} tells duplicates apart as for {@link LayerSample}: left null, it is
 * {@link #collectKey} for {@code collect} samples and {@link #agentKey} with {@link #time()} as the
 * window start for {@code agent} samples.
 *
 * @param time when the sample was taken; for agent samples the start of the observation window
 * @param hardwareProfile {@code HardwareProfile.id()}
 * @param meterSource where the joules came from: {@code nvml}, {@code rapl} or {@code estimate}
 * @param origin {@link SampleOrigin#COLLECT} or {@link SampleOrigin#AGENT}
 * @param model the model's name
 * @param config a stable id of the run configuration, e.g. {@code b8_64x64x3}
 * @param batchSize examples per inference
 * @param joulesPerInference observed energy of the model per inference (NaN if unknown)
 * @param secondsPerInference observed time of the model per inference (NaN if unknown)
 * @param runsAveraged how many inferences the averages are over
 * @param predictedJoules what a model set predicted for the model, null if none did
 * @param layerCount layers of the model (Overhead excluded)
 * @param additivityFactor model joules ÷ the sum of its layers' joules, null if not measured
 * @param sumOfLayerJoules the sum of its layers' joules per inference, null if not measured
 * @param sampleKey the duplicate key within (hardware profile, origin); null to derive it
 * @param protocol {@link MeasureProtocols#IN_PLACE} or {@link MeasureProtocols#ISOLATED}; null for
 *     the origin's default
 * @param machineLoad how busy the machine was with other work while this was measured; null when
 *     not recorded
 */
public record ModelSample(
    Instant time,
    String hardwareProfile,
    String meterSource,
    String origin,
    String model,
    String config,
    int batchSize,
    double joulesPerInference,
    double secondsPerInference,
    long runsAveraged,
    Double predictedJoules,
    int layerCount,
    Double additivityFactor,
    Double sumOfLayerJoules,
    String sampleKey,
    String protocol,
    MachineLoad machineLoad) {

  public ModelSample {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(hardwareProfile, "hardwareProfile");
    Objects.requireNonNull(meterSource, "meterSource");
    SampleOrigin.check(origin);
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(config, "config");
    predictedJoules = nanToNull(predictedJoules);
    additivityFactor = nanToNull(additivityFactor);
    sumOfLayerJoules = nanToNull(sumOfLayerJoules);
    protocol = MeasureProtocols.check(protocol == null ? MeasureProtocols.defaultFor(origin) : protocol);
    if (sampleKey == null) {
      sampleKey =
          SampleOrigin.COLLECT.equals(origin)
              ? collectKey(model, config, protocol)
              : agentKey(model, config, time);
    }
  }

  /** A sample of the origin's default protocol, machine load not recorded. */
  public ModelSample(
      Instant time,
      String hardwareProfile,
      String meterSource,
      String origin,
      String model,
      String config,
      int batchSize,
      double joulesPerInference,
      double secondsPerInference,
      long runsAveraged,
      Double predictedJoules,
      int layerCount,
      Double additivityFactor,
      Double sumOfLayerJoules,
      String sampleKey) {
    this(time, hardwareProfile, meterSource, origin, model, config, batchSize, joulesPerInference,
        secondsPerInference, runsAveraged, predictedJoules, layerCount, additivityFactor,
        sumOfLayerJoules, sampleKey, null, null);
  }

  /** A sample whose key is derived (see the type's description). */
  public ModelSample(
      Instant time,
      String hardwareProfile,
      String meterSource,
      String origin,
      String model,
      String config,
      int batchSize,
      double joulesPerInference,
      double secondsPerInference,
      long runsAveraged,
      Double predictedJoules,
      int layerCount,
      Double additivityFactor,
      Double sumOfLayerJoules) {
    this(
        time,
        hardwareProfile,
        meterSource,
        origin,
        model,
        config,
        batchSize,
        joulesPerInference,
        secondsPerInference,
        runsAveraged,
        predictedJoules,
        layerCount,
        additivityFactor,
        sumOfLayerJoules,
        null,
        null,
        null);
  }

  /** The key of an isolated collect sample: {@code model|config}. */
  public static String collectKey(String model, String config) {
    return model + '|' + config;
  }

  /** The key of a collect sample: {@code model|config}, in place prefixed {@code inplace|}. */
  public static String collectKey(String model, String config, String protocol) {
    String key = collectKey(model, config);
    return MeasureProtocols.ISOLATED.equals(protocol) ? key : protocol + '|' + key;
  }

  /** Whether the machine was busy with other work (see {@link MachineLoad#busy()}). */
  public boolean measuredBusy() {
    return machineLoad != null && machineLoad.busy();
  }

  /** The key of an agent sample: {@code model|config|windowStart}. */
  public static String agentKey(String model, String config, Instant windowStart) {
    return model + '|' + config + '|' + SampleTime.format(windowStart);
  }

  private static Double nanToNull(Double value) {
    return value == null || value.isNaN() ? null : value;
  }
}
