package io.jouleflow.launcher.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.meters.HardwareDescription;
import io.jouleflow.predictor.model.ModelSet;
import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.SampleStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One set trained on two hardware profiles ({@code train --prior hardware}) tells them apart by
 * their hardware features: the same layers cost 3× on the second profile, and the set predicts
 * each profile's energy for it.
 */
class HardwareFeaturesTest {

  static final String INTEL = "intel-test-4c-00000001";
  static final String AMD = "amd-test-4c-00000002";
  static final Map<String, Double> INTEL_HW = Map.of(HardwareDescription.CPU_VENDOR, 1.0,
      HardwareDescription.CPU_CORES, 4.0, HardwareDescription.CPU_BASE_GHZ, 2.5);
  static final Map<String, Double> AMD_HW = Map.of(HardwareDescription.CPU_VENDOR, 2.0,
      HardwareDescription.CPU_CORES, 4.0, HardwareDescription.CPU_BASE_GHZ, 2.5);

  private static List<LayerSample> zoo;

  @TempDir Path tmp;

  @BeforeAll
  static void samples() {
    zoo = SyntheticSamples.zoo(List.of("MobileNet", "ResNet50", "VGG16"), new int[] {1, 2}, 0.02, 7);
  }

  private static List<LayerSample> on(String profile, double factor) {
    List<LayerSample> rows = new ArrayList<>();
    for (LayerSample s : zoo) {
      rows.add(new LayerSample(s.time(), profile, s.meterSource(), s.origin(), s.model(), s.config(),
          s.layer(), s.layerType(), s.features(), s.batchSize(), s.joulesPerInference() * factor,
          s.secondsPerInference(), s.runsAveraged(), null, null));
    }
    return rows;
  }

  private String store(boolean describe) {
    String url = "jdbc:sqlite:" + tmp.resolve("samples.db");
    try (SampleStore store = SampleStore.open(url)) {
      for (List<LayerSample> rows : List.of(on(INTEL, 1), on(AMD, 3))) {
        store.writeLayerSamples(rows);
        store.writeModelSamples(SyntheticSamples.models(rows));
      }
      if (describe) {
        store.describeHardware(INTEL, INTEL_HW);
        store.describeHardware(AMD, AMD_HW);
      }
    }
    return url;
  }

  @Test
  void aSetTrainedOnTwoProfilesPredictsEachByItsHardware() {
    Path out = tmp.resolve("set");
    Cli run = Cli.run("train", "--store", store(true), "--hardware-profile", INTEL,
        "--prior", "hardware", "--out", out.toString(), "--trees", "20");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("prior: " + zoo.size() + " layer samples of " + AMD
        + " as measured, every sample with its hardware features");
    ModelSet set = ModelSet.read(out);
    assertThat(set.usesHardwareFeatures()).isTrue();
    assertThat(set.manifest().features()).contains(HardwareDescription.CPU_VENDOR);
    assertThat(set.hardwareProfile()).isEqualTo(AMD + "+" + INTEL);

    LayerSample conv = zoo.stream().filter(s -> s.layerType().equals("Convolutional"))
        .max((a, b) -> Double.compare(a.joulesPerInference(), b.joulesPerInference()))
        .orElseThrow();
    double intel = set.onHardware(INTEL_HW).predictJoules("Convolutional", conv.features());
    double amd = set.onHardware(AMD_HW).predictJoules("Convolutional", conv.features());
    assertThat(amd / intel).as("the AMD profile's layers cost 3x").isBetween(2.4, 3.6);
    assertThat(intel / conv.joulesPerInference()).isBetween(0.7, 1.3);
  }

  @Test
  void theDefaultPriorScalesAndTrainsNoHardwareFeatures() {
    Path out = tmp.resolve("set");
    Cli run = Cli.run("train", "--store", store(true), "--hardware-profile", INTEL,
        "--out", out.toString(), "--trees", "5");

    assertThat(run.exitCode()).as(run.err()).isZero();
    ModelSet set = ModelSet.read(out);
    assertThat(set.usesHardwareFeatures()).isFalse();
    assertThat(set.onHardware(AMD_HW)).isSameAs(set);
  }

  @Test
  void withoutHardwareDescriptionsPriorHardwareFailsInOneLine() {
    Cli run = Cli.run("train", "--store", store(false), "--hardware-profile", INTEL,
        "--prior", "hardware", "--out", tmp.resolve("set").toString(), "--trees", "5");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.failureLines()).singleElement().asString()
        .contains("--prior hardware needs every profile's hardware description")
        .contains(AMD).contains(INTEL);
    Cli bad = Cli.run("train", "--store", store(false), "--prior", "features");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.failureLines()).singleElement().asString()
        .contains("--prior must be scale or hardware");
  }
}
