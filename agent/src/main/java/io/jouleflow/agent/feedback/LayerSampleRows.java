package io.jouleflow.agent.feedback;

import io.jouleflow.predictor.layers.Layer;
import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.SampleOrigin;
import java.time.Instant;

/**
 * Builds the sample-store rows of the agent's observations ({@code origin='agent'}): one per layer
 * and comparison window, with this machine's hardware profile and meter source.
 */
public final class LayerSampleRows {

  private final String hardwareProfile;
  private final String meterSource;

  /**
   * @param hardwareProfile this machine's profile id; null when unknown (then no rows)
   * @param meterSource the meters' sources, e.g. {@code rapl} or {@code nvml+rapl}
   */
  public LayerSampleRows(String hardwareProfile, String meterSource) {
    this.hardwareProfile = hardwareProfile;
    this.meterSource = meterSource;
  }

  /**
   * The row of one layer over one window, or null when it cannot be a sample: unknown hardware, a
   * layer the model's detected layers lack (its features), or no traced batch size yet.
   *
   * @param layer the detected layer, with the shapes of the traced batch; may be null
   * @param predictedJoules the prediction for the layer, or null
   */
  public LayerSample row(
      Instant windowStart,
      String model,
      String config,
      Layer layer,
      int batch,
      double joulesPerInference,
      double secondsPerInference,
      long runs,
      Double predictedJoules) {
    if (layer == null || hardwareProfile == null || batch <= 0) {
      return null;
    }
    return new LayerSample(windowStart, hardwareProfile, meterSource, SampleOrigin.AGENT, model,
        config, layer.id(), layer.type().label(), layer.features(), batch, joulesPerInference,
        secondsPerInference, runs, predictedJoules);
  }
}
