package io.jouleflow.predictor.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which set is this machine's: the newest whose manifest names its hardware profile. */
class DefaultSetTest {

  @TempDir Path root;

  @Test
  void theNewestSetOfTheMachinesProfileIsFoundAndOthersAreNot() throws Exception {
    ModelSet bundled = ModelSet.bundled().orElseThrow();
    Calibration c = new Calibration(bundled.hardwareProfile(), "bundled", "test", Map.of(), 0.5);
    bundled.calibrated("intel-xeon-aaaa", Instant.parse("2026-12-01T00:00:00Z"), c)
        .write(root.resolve("old"));
    Thread.sleep(20); // manifests' modification times order the sets
    bundled.calibrated("intel-xeon-aaaa", Instant.parse("2026-12-02T00:00:00Z"), c)
        .write(root.resolve("new"));
    bundled.calibrated("arm-bbbb", Instant.parse("2026-12-03T00:00:00Z"), c)
        .write(root.resolve("other"));

    assertThat(ModelSet.newest(root, "intel-xeon-aaaa")).contains(root.resolve("new"));
    assertThat(ModelSet.newest(root, "amd-cccc")).isEmpty();
    // a set trained on several profiles with hardware features names them joined with +
    Thread.sleep(20);
    bundled.calibrated("amd-cccc+arm-bbbb", Instant.parse("2026-12-04T00:00:00Z"), c)
        .write(root.resolve("joined"));
    assertThat(ModelSet.newest(root, "amd-cccc")).contains(root.resolve("joined"));
    assertThat(ModelSet.newest(root, "arm-bbbb")).contains(root.resolve("joined"));
    assertThat(ModelSet.newest(root, "amd")).isEmpty();
    ModelSet read = ModelSet.read(root.resolve("new"));
    assertThat(read.hardwareProfile()).isEqualTo("intel-xeon-aaaa");
    assertThat(read.manifest().calibration().overall()).isEqualTo(0.5);
    // a calibrated set predicts the base set's joules times the factor (overall here)
    Map<String, Double> conv = Map.of("flops", 1e8, "batch_size", 1.0, "output_size", 1e4);
    assertThat(read.predictJoules("Convolutional", conv))
        .isEqualTo(bundled.predictJoules("Convolutional", conv) * 0.5);
  }
}
