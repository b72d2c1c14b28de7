package io.jouleflow.launcher.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.predictor.model.ModelSet;
import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.SampleStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jouleflow train} in process, on real SQLite stores filled with synthetic samples. */
class TrainCommandTest {

  private static List<LayerSample> zoo;

  @TempDir Path tmp;

  @BeforeAll
  static void samples() {
    zoo = SyntheticSamples.zoo(List.of("MobileNet", "ResNet50", "VGG16", "DenseNet121"),
        new int[] {1, 2}, 0.05, 1);
  }

  private String store(List<LayerSample> samples) {
    String url = "jdbc:sqlite:" + tmp.resolve("samples-" + System.nanoTime() + ".db");
    try (SampleStore store = SampleStore.open(url)) {
      store.writeLayerSamples(samples);
      store.writeModelSamples(SyntheticSamples.models(samples));
    }
    return url;
  }

  @Test
  void trainsFromAStoreAndWritesAModelSet() {
    Path out = tmp.resolve("set");
    Cli run = Cli.run("train", "--store", store(zoo), "--out", out.toString(), "--trees", "20",
        "--seed", "3");

    assertThat(run.exitCode()).as(run.err()).isZero();
    System.out.print(run.out());
    assertThat(run.out())
        .contains("training on " + zoo.size() + " layer samples of " + SyntheticSamples.PROFILE)
        .contains("20 trees per type, seed 3")
        .containsPattern("Convolutional +\\d+ +4  forest +\\w+ 0\\.\\d\\d, ")
        .containsPattern("Dropout +2 +1  fallback +2 rows < 20")
        .contains("fallback: the type's FLOPs line, else (types never seen) median rates of all rows:")
        .containsPattern("Dropout +\\S+ J \\+ \\S+ J/FLOP x FLOPs")
        .contains("unseen types")
        .contains("model set written to " + out.toAbsolutePath());
    assertThat(run.err()).contains("train: Convolutional: forest of 20 trees on");
    ModelSet set = ModelSet.read(out);
    assertThat(set.manifest().hyperParameters().trees()).isEqualTo(20);
    assertThat(set.manifest().hyperParameters().seed()).isEqualTo(3);
    assertThat(set.manifest().samples().total()).isEqualTo(zoo.size());
    assertThat(set.fallback("Dropout")).isTrue();
    assertThat(set.fallback("Convolutional")).isFalse();
  }

  @Test
  void trainsFromACsvExport() {
    Path export = tmp.resolve("export");
    try (SampleStore store = SampleStore.open(store(zoo))) {
      store.exportCsv(export);
    }
    Path out = tmp.resolve("set");
    Cli run = Cli.run("train", "--from-csv", export.toString(), "--out", out.toString(), "--trees", "5");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("imported " + (zoo.size() + 8) + " samples");
    assertThat(ModelSet.read(out).manifest().samples().total()).isEqualTo(zoo.size());
  }

  @Test
  void ofSeveralHardwareProfilesTheMostCommonIsTrainedOnUnlessOneIsNamed() {
    List<LayerSample> mixed = new ArrayList<>(zoo);
    for (LayerSample s : zoo.subList(0, 100)) {
      mixed.add(new LayerSample(s.time(), "other-gpu-12345678", s.meterSource(), s.origin(),
          s.model(), s.config(), s.layer(), s.layerType(), s.features(), s.batchSize(),
          s.joulesPerInference() / 10, s.secondsPerInference(), s.runsAveraged(), null, null));
    }
    String url = store(mixed);

    Cli common = Cli.run("train", "--store", url, "--out", tmp.resolve("a").toString(), "--trees", "5");
    assertThat(common.exitCode()).as(common.err()).isZero();
    assertThat(common.out()).contains("samples of 2 hardware profiles").contains(
        "training on the most common, " + SyntheticSamples.PROFILE);
    assertThat(ModelSet.read(tmp.resolve("a")).hardwareProfile()).isEqualTo(SyntheticSamples.PROFILE);

    Cli named = Cli.run("train", "--store", url, "--out", tmp.resolve("b").toString(), "--trees", "5",
        "--hardware-profile", "other-gpu-12345678");
    assertThat(named.exitCode()).as(named.err()).isZero();
    assertThat(ModelSet.read(tmp.resolve("b")).hardwareProfile()).isEqualTo("other-gpu-12345678");
    assertThat(ModelSet.read(tmp.resolve("b")).manifest().samples().total()).isEqualTo(100);

    Cli unknown = Cli.run("train", "--store", url, "--hardware-profile", "no-such-profile");
    assertThat(unknown.exitCode()).as("an unknown name is bad input").isEqualTo(2);
    assertThat(unknown.failureLines()).singleElement().asString()
        .contains("no layer samples of hardware profile no-such-profile");
  }

  @Test
  void aStoreWithoutSamplesIsExitOneInOneLine() {
    Cli empty = Cli.run("train", "--store", store(List.of()), "--out", tmp.resolve("x").toString());
    assertThat(empty.exitCode()).isEqualTo(1);
    assertThat(empty.errLines()).singleElement().asString()
        .startsWith("jouleflow: no layer samples in the store");
    assertThat(tmp.resolve("x")).doesNotExist();

    Cli noAgent = Cli.run("train", "--store", store(zoo.subList(0, 50)), "--origin", "agent");
    assertThat(noAgent.exitCode()).isEqualTo(1);
    assertThat(noAgent.failureLines()).singleElement().asString().contains("with origin agent");
  }

  @Test
  void badUsageIsExitTwoInOneLine() {
    String[][] cases = {
      {"--origin", "some"},
      {"--trees", "0"},
      {"--seed", "x"},
      {"--store", "jdbc:sqlite::memory:", "--from-csv", tmp.toString()},
      {"--from-csv", tmp.resolve("missing").toString()},
    };
    for (String[] c : cases) {
      String[] args = new String[c.length + 1];
      args[0] = "train";
      System.arraycopy(c, 0, args, 1, c.length);
      Cli run = Cli.run(args);
      assertThat(run.exitCode()).as(String.join(" ", c) + "\n" + run.err()).isEqualTo(2);
      assertThat(run.failureLines()).as(run.err()).singleElement();
      assertThat(run.err()).doesNotContain("\tat ");
    }
  }
}
