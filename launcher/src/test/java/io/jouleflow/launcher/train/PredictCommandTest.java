package io.jouleflow.launcher.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jouleflow.predictor.model.ForestHyperParameters;
import io.jouleflow.predictor.model.ModelSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jouleflow predict} in process, with a model set trained on synthetic zoo samples. */
class PredictCommandTest {

  private static final String MNIST = fixture("mnist_sequential_keras22.json");

  @TempDir static Path sets;
  private static Path set;
  private static ModelSet trained;

  @TempDir Path tmp;

  @BeforeAll
  static void trainASet() {
    trained = ModelSetTrainer.train(
        SyntheticSamples.zoo(List.of("MobileNet", "ResNet50", "VGG16", "DenseNet121", "Xception"),
            new int[] {1, 2, 4, 8}, 0.05, 1),
        ForestHyperParameters.DEFAULT.withTrees(30));
    set = sets.resolve("set");
    trained.write(set);
  }

  private static String fixture(String name) {
    return Path.of("../predictor/src/test/resources/keras", name).toAbsolutePath().toString();
  }

  private static Cli predict(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "predict";
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--models";
    all[args.length + 2] = set.toString();
    return Cli.run(all);
  }

  @Test
  void printsATableOfEveryLayerWithItsShareAndTheTotal() {
    Cli run = predict(MNIST, "--batch", "4");
    assertThat(run.exitCode()).as(run.err()).isZero();
    System.out.print(run.out());
    List<String> lines = run.outLines();
    assertThat(lines.get(0)).startsWith("model mnist_sequential_keras22, batch 4, model set " + set);
    assertThat(lines.get(1)).containsSubsequence("LAYER", "TYPE", "FEATURES", "FLOPS", "mJ/INFERENCE", "SHARE");
    assertThat(run.out())
        .containsPattern("conv2d_1 +Convolutional +f=32 k=3x3 s=1 +\\d[.\\d]* [kMG] +\\d+\\.\\d{4} +\\d+\\.\\d %")
        .containsPattern("max_pooling2d_1 +Pooling\\*? +pool=2x2 s=2")
        .containsPattern("dense_1 +Dense\\*? +units=10 ")
        .containsPattern("dropout_1 +Dropout\\* +rate=0.5 ")
        .containsPattern("total +\\d+ layers .* 100.0 %")
        .contains("* fallback (too few samples of the type in the model set): ");
  }

  @Test
  void jsonHasEveryLayerWithFeaturesAndATotalThatIsTheirSum() throws Exception {
    Cli run = predict(MNIST, "--batch", "4", "--format", "json", "--carbon-intensity", "400");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(run.out());
    assertThat(json.get("model").asText()).isEqualTo("mnist_sequential_keras22");
    assertThat(json.get("batch").asInt()).isEqualTo(4);
    assertThat(json.get("model_set").get("location").asText()).isEqualTo(set.toString());
    JsonNode layers = json.get("layers");
    assertThat(layers).extracting(l -> l.get("name").asText()).contains("conv2d_1", "conv2d_2",
        "max_pooling2d_1", "flatten_1", "dropout_1", "dense_1");
    double sum = 0;
    for (JsonNode l : layers) {
      assertThat(l.get("joules").asDouble()).as(l.toString()).isPositive();
      assertThat(l.get("features").isObject()).isTrue();
      assertThat(l.get("features").get("batch_size").asDouble()).isEqualTo(4);
      boolean fallback = trained.fallback(l.get("type").asText());
      assertThat(l.has("fallback")).as(l.toString()).isEqualTo(fallback);
      if (fallback) {
        assertThat(l.get("fallback").asBoolean()).isTrue();
      }
      sum += l.get("joules").asDouble();
    }
    JsonNode conv = layers.get(1);
    assertThat(conv.get("type").asText()).isEqualTo("Convolutional");
    assertThat(conv.get("features").get("filters").asDouble()).isEqualTo(32);
    assertThat(conv.get("features").get("flops").asDouble()).isPositive();
    double total = json.get("total").get("joules").asDouble();
    assertThat(total).isCloseTo(sum, within(sum * 1e-12));
    assertThat(json.get("total").get("grams_co2e_per_million_inferences").asDouble())
        .isCloseTo(total * 1e6 / 3.6e6 * 400, within(1e-9));
  }

  @Test
  void csvHasARowPerLayerAndATotalRow() {
    Cli run = predict(MNIST, "--format", "csv");
    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> lines = run.outLines();
    assertThat(lines.get(0)).isEqualTo("name,type,flops,joules,share,fallback");
    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("conv2d_1,Convolutional,"));
    assertThat(lines.get(lines.size() - 1)).startsWith("_total,Model,");
  }

  @Test
  void warnsOnceForUnknownLayersAndForAnotherHardwareProfile() {
    Cli run = predict(fixture("custom_layer_keras2.json"), "--input", "16x16x3");
    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> warnings = run.errLines().stream().filter(l -> l.startsWith("warning:")).toList();
    assertThat(warnings).hasSize(2);
    assertThat(warnings.get(0)).contains("unknown classes").contains("MyBlock");
    assertThat(warnings.get(1)).contains("trained on hardware profile " + SyntheticSamples.PROFILE)
        .contains("this machine is ");
    assertThat(run.out()).containsPattern("Other\\* ");
  }

  @Test
  void predictsAZooModelOfHundredsOfLayersQuickly() throws Exception {
    for (String zoo : List.of("zoo:ResNet50", "zoo:DenseNet121")) {
      Cli run = predict(zoo, "--format", "json");
      assertThat(run.exitCode()).as(run.err()).isZero();
      JsonNode json = new ObjectMapper().readTree(run.out());
      System.out.printf("predict %s: %d layers in %.3f s (in process, set loaded from disk)%n", zoo,
          json.get("layers").size(), run.seconds());
      assertThat(json.get("layers").size()).isGreaterThan(170);
      assertThat(run.seconds()).isLessThan(10);
    }
  }

  @Test
  void badInputIsOneLineAndExitTwo() throws Exception {
    Path notASet = Files.createDirectories(tmp.resolve("not-a-set"));
    String[][] cases = {
      {tmp.resolve("missing.json").toString()},
      {fixture("corrupt_truncated.json")},
      {fixture("custom_layer_keras2.json")},
      {MNIST, "--format", "xml"},
      {MNIST, "--input", "28x28"},
      {MNIST, "--batch", "0"},
      {MNIST, "--carbon-intensity", "-3"},
      {"zoo:NoSuchNet"},
    };
    for (String[] c : cases) {
      Cli run = predict(c);
      assertThat(run.exitCode()).as(String.join(" ", c) + "\n" + run.err()).isEqualTo(2);
      assertThat(run.failureLines()).as(run.err()).singleElement();
      assertThat(run.err()).doesNotContain("\tat ");
    }
    assertThat(predict(MNIST, "--format", "xml").failureLines()).singleElement().asString()
        .contains("--format must be table, json, csv or html, not 'xml'");
    for (Path models : List.of(notASet, tmp.resolve("nowhere"))) {
      Cli run = Cli.run("predict", MNIST, "--models", models.toString());
      assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
      assertThat(run.failureLines()).singleElement().asString().contains("--models: no model set at");
    }
  }

  @Test
  void withoutAnyModelSetItIsExitOneInOneLine() {
    assumeThat(ModelSet.bundled()).as("a bundled set answers instead").isEmpty();
    String home = System.getProperty("user.home");
    try {
      System.setProperty("user.home", tmp.toString());
      Cli run = Cli.run("predict", MNIST);
      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.errLines()).singleElement().asString()
          .startsWith("jouleflow: no model set:").contains("jouleflow train");

      trained.write(tmp.resolve(".jouleflow/models/some-set"));
      Cli found = Cli.run("predict", MNIST, "--format", "json");
      assertThat(found.exitCode()).as(found.err()).isZero();
      assertThat(found.out()).contains(tmp.resolve(".jouleflow/models/some-set").toString());
    } finally {
      System.setProperty("user.home", home);
    }
  }
}
