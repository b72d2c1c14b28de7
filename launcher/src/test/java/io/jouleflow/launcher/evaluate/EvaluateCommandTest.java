package io.jouleflow.launcher.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.launcher.cli.JouleflowCommand;
import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.ModelSample;
import io.jouleflow.predictor.store.SampleStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jouleflow evaluate} in process, on real SQLite stores of synthetic samples. */
class EvaluateCommandTest {

  @TempDir Path dir;

  private record Run(int exitCode, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  private static Run jouleflow(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = JouleflowCommand.commandLine(Map.of());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private String store(SyntheticSamples.Data data) {
    String url = "jdbc:sqlite:" + dir.resolve("samples.db");
    try (SampleStore store = SampleStore.open(url)) {
      data.writeTo(store);
    }
    return url;
  }

  @Test
  void evaluatesEveryMethodWritesTheFilesAndPrintsTheTable() throws Exception {
    String url = store(SyntheticSamples.powerLaw(0.03, 21));
    Path out = dir.resolve("evaluation");
    Run run = jouleflow("evaluate", "--store", url, "--out", out.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("| Method | Whole model (vs measured model) |")
        .contains("| Dense | Convolutional | Pooling | Normalization | Activation | Add |")
        .contains("Held-out layers scored:")
        .contains("wrote " + out.resolve("evaluation.md").toAbsolutePath());
    List<String> rows =
        run.out()
            .lines()
            .filter(l -> l.startsWith("| ") && !l.startsWith("| Method") && !l.startsWith("| ---"))
            .map(l -> l.split(" \\| ")[0])
            .toList();
    assertThat(rows)
        .containsExactly("| random-forest", "| xgboost", "| polynomial", "| flops-linear");
    assertThat(run.err())
        .contains("hardware " + SyntheticSamples.PROFILE)
        .contains("leave one family out (3 folds)")
        .contains("fold 1/3 densenet")
        .contains("fold 3/3 vgg")
        .contains("  random-forest: fitted in");
    assertThat(Files.readString(out.resolve("evaluation.md")))
        .isEqualTo(run.out().substring(0, run.out().indexOf("\nwrote ")));
    List<String> csv = Files.readAllLines(out.resolve("evaluation.csv"));
    assertThat(csv).hasSize(5);
    assertThat(csv.get(1)).startsWith("random-forest,family,3,96,");
  }

  @Test
  void fractionSplitAndChosenMethodsFromACsvExport() throws Exception {
    String url = store(SyntheticSamples.powerLaw(0.03, 22));
    Path export = dir.resolve("export");
    try (SampleStore store = SampleStore.open(url)) {
      store.exportCsv(export);
    }
    Path out = dir.resolve("out");
    Run run =
        jouleflow(
            "evaluate",
            "--from-csv",
            export.toString(),
            "--split",
            "fraction",
            "--methods",
            "flops,poly",
            "--out",
            out.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err())
        .contains("2 of 8 architectures held out (20 %, seed 1)")
        .contains("fold 1/1 fraction");
    assertThat(Files.readAllLines(out.resolve("evaluation.csv")))
        .extracting(l -> l.split(",")[0])
        .containsExactly("method", "polynomial", "flops-linear");
  }

  @Test
  void fewerThanTwoArchitecturesIsAOneLineFailure() {
    SyntheticSamples.Data data = SyntheticSamples.powerLaw(0.03, 23);
    List<LayerSample> layers =
        data.layers().stream().filter(s -> s.model().equals("vgg16")).toList();
    List<ModelSample> models =
        data.models().stream().filter(s -> s.model().equals("vgg16")).toList();
    String url = store(new SyntheticSamples.Data(layers, models));
    Run run = jouleflow("evaluate", "--store", url, "--out", dir.resolve("out").toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.errLines())
        .containsExactly(
            "jouleflow: evaluate needs samples of at least 2 architectures to hold one out; "
                + "jdbc:sqlite:"
                + dir.resolve("samples.db")
                + " has 1 for hardware "
                + SyntheticSamples.PROFILE
                + " (vgg16)");
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void aMissingStoreIsOneLineOfBadInputAndIsNotCreated() {
    Path missing = dir.resolve("none.db");
    Run run = jouleflow("evaluate", "--store", "jdbc:sqlite:" + missing);
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errLines())
        .containsExactly("jouleflow: no sample store at " + missing
            + "; run `jouleflow collect` first (see --help)");
    assertThat(missing).doesNotExist();
  }

  @Test
  void badOptionsAreUsageErrors() {
    String url = store(SyntheticSamples.powerLaw(0.03, 24));
    Run split = jouleflow("evaluate", "--store", url, "--split", "random");
    assertThat(split.exitCode()).isEqualTo(2);
    assertThat(split.errLines())
        .containsExactly(
            "jouleflow: --split must be family or fraction, not 'random' (see --help)");

    Run method = jouleflow("evaluate", "--store", url, "--methods", "rf,catboost");
    assertThat(method.exitCode()).isEqualTo(2);
    assertThat(method.errLines())
        .containsExactly(
            "jouleflow: unknown method 'catboost'; one of: rf, xgboost, poly, flops (see --help)");

    Run profile = jouleflow("evaluate", "--store", url, "--hardware-profile", "gpu-1");
    assertThat(profile.exitCode()).isEqualTo(2);
    assertThat(profile.errLines())
        .containsExactly(
            "jouleflow: no collected samples of hardware profile 'gpu-1'; the store has: "
                + SyntheticSamples.PROFILE
                + " (see --help)");

    Run both = jouleflow("evaluate", "--store", url, "--from-csv", dir.toString());
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.errLines()).hasSize(1);
  }
}
