package io.jouleflow.predictor.store;

/**
 * Which samples to read back: each non-null part must match exactly; null matches anything.
 *
 * <pre>{@code
 * store.layerSamples(SampleFilter.ALL.withHardwareProfile(profile.id()).withOrigin("collect"))
 * }</pre>
 *
 * @param hardwareProfile a {@code HardwareProfile.id()}, or null for every profile
 * @param origin {@link SampleOrigin#COLLECT} or {@link SampleOrigin#AGENT}, or null for both
 * @param model a model name, or null for every model
 */
public record SampleFilter(String hardwareProfile, String origin, String model) {

  /** Every sample. */
  public static final SampleFilter ALL = new SampleFilter(null, null, null);

  public SampleFilter {
    if (origin != null) {
      SampleOrigin.check(origin);
    }
  }

  public SampleFilter withHardwareProfile(String value) {
    return new SampleFilter(value, origin, model);
  }

  public SampleFilter withOrigin(String value) {
    return new SampleFilter(hardwareProfile, value, model);
  }

  public SampleFilter withModel(String value) {
    return new SampleFilter(hardwareProfile, origin, value);
  }
}
