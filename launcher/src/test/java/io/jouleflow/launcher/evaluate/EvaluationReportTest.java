package io.jouleflow.launcher.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jouleflow.launcher.evaluate.EvaluationReport.MethodResult;
import io.jouleflow.launcher.evaluate.PercentErrors.ErrorSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationReportTest {

  @TempDir Path dir;

  private static EvaluationReport report() {
    MethodResult forest =
        new MethodResult(
            "random-forest",
            new ErrorSummary(24, 0.1226, 0.5),
            new ErrorSummary(24, 0.081, 0.75),
            Map.of(
                "Convolutional", new ErrorSummary(300, 0.142, 0.4),
                "Dense", new ErrorSummary(20, 0.249, 0.2),
                "Add", new ErrorSummary(50, 0.087, 0.6)));
    MethodResult flops =
        new MethodResult(
            "flops-linear",
            new ErrorSummary(24, 0.4, 0.125),
            new ErrorSummary(20, 0.35, 0.1),
            Map.of(
                "Convolutional", new ErrorSummary(300, 0.5, 0.1),
                "Dense", new ErrorSummary(20, 1.2, 0.0)));
    return new EvaluationReport(
        "family",
        "leave one family out (3 folds)",
        "amd-epyc-645a2d61",
        3,
        8,
        Map.of("Convolutional", 300, "Dense", 20, "Add", 50),
        List.of(forest, flops));
  }

  @Test
  void markdownIsThePapersTableWithMethodsAsRowsAndTypesInThePapersOrder() {
    String md = report().toMarkdown();
    assertThat(md.lines().toList())
        .containsSubsequence(
            "Held-out-architecture evaluation: leave one family out (3 folds); hardware"
                + " amd-epyc-645a2d61; 24 held-out model configurations of 8 architectures. RMSPE"
                + " in %, lower is better; ±10 %: share of held-out models predicted within 10 %.",
            "",
            "| Method | Whole model (vs measured model) | Whole model (vs sum of layers) | ±10 %"
                + " (vs measured model) | ±10 % (vs sum of layers) | Dense | Convolutional | Add |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            "| random-forest | 12.26 | 8.10 | 50.0 % | 75.0 % | 24.90 | 14.20 | 8.70 |",
            "| flops-linear | 40.00 | 35.00 | 12.5 % | 10.0 % | 120.00 | 50.00 | – |",
            "",
            "Held-out layers scored: Dense 20, Convolutional 300, Add 50.");
  }

  @Test
  void csvHasOneRowPerMethodInPercentWithEmptyCellsWhereNothingWasScored() {
    assertThat(report().toCsv().lines().toList())
        .containsExactly(
            "method,split,folds,held_out_models,rmspe_whole_model_pct,rmspe_sum_of_layers_pct,"
                + "within_10pct_whole_model_pct,within_10pct_sum_of_layers_pct,rmspe_Dense_pct,"
                + "rmspe_Convolutional_pct,rmspe_Add_pct",
            "random-forest,family,3,24,12.26,8.1,50.0,75.0,24.9,14.2,8.7",
            "flops-linear,family,3,24,40.0,35.0,12.5,10.0,120.0,50.0,");
  }

  @Test
  void writesEvaluationMdAndEvaluationCsv() throws Exception {
    Path out = dir.resolve("nested/evaluation");
    List<Path> files = report().write(out);
    assertThat(files).containsExactly(out.resolve("evaluation.md"), out.resolve("evaluation.csv"));
    assertThat(Files.readString(out.resolve("evaluation.md"))).isEqualTo(report().toMarkdown());
    assertThat(Files.readString(out.resolve("evaluation.csv"))).isEqualTo(report().toCsv());
  }

  @Test
  void summaryForTheManifestIsOneJsonObjectInPercent() throws Exception {
    EvaluationSummary summary = report().summary("random-forest");
    assertThat(summary.method()).isEqualTo("random-forest");
    assertThat(summary.wholeModelRmspe()).isEqualTo(0.1226);
    assertThat(summary.perTypeRmspe().keySet()).containsExactly("Dense", "Convolutional", "Add");
    JsonNode json = new ObjectMapper().readTree(summary.toJson());
    assertThat(json.get("method").asText()).isEqualTo("random-forest");
    assertThat(json.get("split").asText()).isEqualTo("family");
    assertThat(json.get("held_out_models").asInt()).isEqualTo(24);
    assertThat(json.get("whole_model_rmspe_pct").asDouble()).isEqualTo(12.26);
    assertThat(json.get("sum_of_layers_rmspe_pct").asDouble()).isEqualTo(8.1);
    assertThat(json.get("within_10pct_pct").asDouble()).isEqualTo(50.0);
    assertThat(json.get("within_10pct_of_sum_pct").asDouble()).isEqualTo(75.0);
    assertThat(json.get("per_type_rmspe_pct").get("Convolutional").asDouble()).isEqualTo(14.2);

    JsonNode flops = new ObjectMapper().readTree(report().summary("flops-linear").toJson());
    assertThat(flops.get("per_type_rmspe_pct").get("Add").isNull()).isTrue();
  }
}
