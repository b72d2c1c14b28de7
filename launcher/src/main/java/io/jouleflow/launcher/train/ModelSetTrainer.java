package io.jouleflow.launcher.train;

import io.jouleflow.predictor.layers.LayerFeatures;
import io.jouleflow.predictor.model.ForestHyperParameters;
import io.jouleflow.predictor.model.LayerEnergyForests;
import io.jouleflow.predictor.model.LayerTypeFit;
import io.jouleflow.predictor.model.ModelSet;
import io.jouleflow.predictor.model.ModelSetManifest;
import io.jouleflow.predictor.store.LayerSample;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Trains a {@link ModelSet}: one random forest per layer type ({@link RandomForestRegressor}) and
 * the manifest that says what it was trained on — the training half of a model set, which only
 * the launcher needs; reading and predicting are the predictor library's.
 */
public final class ModelSetTrainer {

  private ModelSetTrainer() {}

  /** Trains a set on {@code samples}; see {@link #train(List, ForestHyperParameters, Consumer)}. */
  public static ModelSet train(List<LayerSample> samples, ForestHyperParameters hyper) {
    return train(samples, hyper, line -> {});
  }

  /**
   * Trains one forest per layer type on {@code samples} (all of them: choose the hardware profile
   * and origins before), telling {@code progress} a line per type.
   *
   * @throws IllegalArgumentException if no sample has a positive energy
   */
  public static ModelSet train(
      List<LayerSample> samples, ForestHyperParameters hyper, Consumer<String> progress) {
    long t0 = System.nanoTime();
    RandomForestRegressor regressor = new RandomForestRegressor(hyper);
    regressor.fit(samples, progress);
    double seconds = Math.round((System.nanoTime() - t0) / 1e6) / 1e3;

    List<LayerTypeFit> types = new ArrayList<>();
    for (LayerTypeFit fit : regressor.fits()) {
      types.add(fit.fallback() ? fit : fit.withFile(ModelSet.fileName(fit.type())));
    }
    Map<String, Integer> byType = new TreeMap<>(LayerEnergyForests.TYPE_ORDER);
    Map<String, Integer> byOrigin = new TreeMap<>();
    Set<String> profiles = new TreeSet<>();
    Set<String> meters = new TreeSet<>();
    Set<String> models = new HashSet<>();
    Set<String> featureNames = new LinkedHashSet<>();
    for (LayerSample s : samples) {
      byType.merge(s.layerType(), 1, Integer::sum);
      byOrigin.merge(s.origin(), 1, Integer::sum);
      profiles.add(s.hardwareProfile());
      meters.add(s.meterSource());
      models.add(s.model());
      featureNames.addAll(s.features().keySet());
    }
    List<String> features = new ArrayList<>();
    LayerFeatures.NAMES.stream().filter(featureNames::contains).forEach(features::add);
    featureNames.stream().filter(n -> !LayerFeatures.NAMES.contains(n)).sorted().forEach(features::add);
    int rows = types.stream().mapToInt(LayerTypeFit::rows).sum();
    ModelSetManifest manifest =
        new ModelSetManifest(
            ModelSet.FORMAT_VERSION,
            DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS)),
            RandomForestRegressor.NAME,
            ModelSet.MODEL_FORMAT,
            String.join("+", profiles),
            List.copyOf(meters),
            jouleflowVersion(),
            gitRevision(),
            seconds,
            new ModelSetManifest.SampleCounts(
                samples.size(), rows, models.size(), new LinkedHashMap<>(byType), byOrigin),
            features,
            hyper,
            types,
            types.stream().filter(LayerTypeFit::fallback).map(LayerTypeFit::type).toList(),
            regressor.globalRates(),
            null,
            null);
    return ModelSet.of(manifest, regressor.forests());
  }

  /** {@code git rev-parse --short HEAD} in the working directory; {@code unknown} on any failure. */
  static String gitRevision() {
    try {
      Process git =
          new ProcessBuilder("git", "rev-parse", "--short", "HEAD")
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      byte[] out = git.getInputStream().readAllBytes();
      if (!git.waitFor(5, TimeUnit.SECONDS)) {
        git.destroyForcibly();
        return "unknown";
      }
      String revision = new String(out, StandardCharsets.UTF_8).strip();
      return git.exitValue() == 0 && revision.matches("[0-9a-f]{4,40}") ? revision : "unknown";
    } catch (IOException | RuntimeException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private static String jouleflowVersion() {
    Properties p = new Properties();
    try (InputStream in =
        ModelSetTrainer.class.getResourceAsStream("/io/jouleflow/launcher/cli/version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // informational only
    }
    String version = p.getProperty("version", "unknown");
    return version.startsWith("${") ? "unknown" : version;
  }
}
