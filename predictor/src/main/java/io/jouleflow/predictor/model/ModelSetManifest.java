package io.jouleflow.predictor.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * The {@code manifest.json} of a model set: what data, hardware and meters it was trained on, how,
 * by which revision, and what became of each layer type. Written with snake_case names.
 *
 * @param formatVersion {@link ModelSet#FORMAT_VERSION} of the writer; a reader refuses newer ones
 * @param created when training ended, ISO-8601 UTC
 * @param regressor {@link RandomForestRegressor#NAME}
 * @param modelFormat {@link ModelSet#MODEL_FORMAT}: how the forests' files are written
 * @param hardwareProfile the {@code HardwareProfile.id()} of the samples (several joined by
 *     {@code +} if the samples mixed profiles)
 * @param meterSources the samples' meter sources ({@code nvml}, {@code rapl}, {@code estimate})
 * @param jouleflowVersion the version of jouleflow that trained the set
 * @param gitRevision {@code git rev-parse --short HEAD} where training ran, or {@code unknown}
 * @param trainingSeconds wall time of training, all types
 * @param samples how much data: samples by type and by origin, rows, models
 * @param features every feature name the training rows carried, in {@code LayerFeatures.NAMES}
 *     order
 * @param hyperParameters the forests' settings and the fallback rule
 * @param types per layer type seen in training: forest or fallback, data, importances, rates
 * @param fallbackTypes the types of {@link #types()} that fall back
 * @param globalRates the fallback rates of types never seen in training
 * @param evaluation an evaluation summary ({@code jouleflow evaluate}); null until one is added
 * @param calibration where {@code jouleflow calibrate} carried the set to this machine's hardware
 *     ({@link #hardwareProfile()} is then that machine's); null for a set as trained
 */
public record ModelSetManifest(
    int formatVersion,
    String created,
    String regressor,
    String modelFormat,
    String hardwareProfile,
    List<String> meterSources,
    String jouleflowVersion,
    String gitRevision,
    double trainingSeconds,
    SampleCounts samples,
    List<String> features,
    ForestHyperParameters hyperParameters,
    List<LayerTypeFit> types,
    List<String> fallbackTypes,
    FallbackRates globalRates,
    JsonNode evaluation,
    Calibration calibration) {

  public ModelSetManifest {
    meterSources = meterSources == null ? List.of() : List.copyOf(meterSources);
    features = features == null ? List.of() : List.copyOf(features);
    types = types == null ? List.of() : List.copyOf(types);
    fallbackTypes = fallbackTypes == null ? List.of() : List.copyOf(fallbackTypes);
    globalRates = globalRates == null ? FallbackRates.NONE : globalRates;
  }

  /**
   * How much data a set was trained on.
   *
   * @param total layer samples given to training
   * @param rows training rows after agent samples were reduced (see {@link RandomForestRegressor})
   * @param models distinct models
   * @param byType samples per layer type
   * @param byOrigin samples per origin ({@code collect}, {@code agent})
   */
  public record SampleCounts(
      int total, int rows, int models, Map<String, Integer> byType, Map<String, Integer> byOrigin) {}

  /** This manifest with an evaluation summary. */
  public ModelSetManifest withEvaluation(JsonNode value) {
    return new ModelSetManifest(
        formatVersion, created, regressor, modelFormat, hardwareProfile, meterSources, jouleflowVersion,
        gitRevision, trainingSeconds, samples, features, hyperParameters, types, fallbackTypes,
        globalRates, value, calibration);
  }

  /** This manifest for another machine, with the calibration that carried it there. */
  public ModelSetManifest calibrated(String profile, String createdAt, Calibration value) {
    return new ModelSetManifest(
        formatVersion, createdAt, regressor, modelFormat, profile, meterSources, jouleflowVersion,
        gitRevision, trainingSeconds, samples, features, hyperParameters, types, fallbackTypes,
        globalRates, evaluation, value);
  }
}
