package io.jouleflow.launcher.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jouleflow.predictor.layers.LayerFeatures;
import io.jouleflow.predictor.model.ForestHyperParameters;
import io.jouleflow.predictor.model.ModelSet;
import io.jouleflow.predictor.model.ModelSetException;
import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.SampleOrigin;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSetTest {

  private static List<LayerSample> samples;
  private static ModelSet trained;

  @TempDir Path tmp;

  @BeforeAll
  static void train() {
    samples = new ArrayList<>();
    samples.addAll(SyntheticSamples.flopsProportional("Convolutional", 200, 2e-10, 0.05, 1));
    samples.addAll(SyntheticSamples.flopsProportional("Dense", 60, 5e-10, 0.05, 2));
    for (int i = 0; i < 3; i++) { // too few: falls back
      samples.add(SyntheticSamples.sample("m" + i, "b1", "up" + i, "Upsampling",
          Map.of(LayerFeatures.FLOPS, 1e8, LayerFeatures.BYTES_MOVED, 4e5), 1, 0.05,
          SampleOrigin.COLLECT));
    }
    for (int i = 0; i < 4; i++) { // one layer seen by the agent in four windows: one row
      LayerSample s = samples.get(i);
      samples.add(new LayerSample(SyntheticSamples.T0.plusSeconds(60L * i), s.hardwareProfile(),
          "rapl", SampleOrigin.AGENT, "service", "b1", "conv_a", "Convolutional", s.features(), 1,
          0.01 * (i + 1), 0.001, 500, null, null));
    }
    trained = ModelSetTrainer.train(samples, ForestHyperParameters.DEFAULT.withTrees(25).withSeed(7));
  }

  private static List<Map<String, Double>> probes() {
    List<Map<String, Double>> probes = new ArrayList<>();
    SyntheticSamples.flopsProportional("Convolutional", 50, 2e-10, 0, 99).forEach(s -> probes.add(s.features()));
    probes.add(Map.of(LayerFeatures.FLOPS, 3e8));
    probes.add(Map.of(LayerFeatures.BYTES_MOVED, 3e6));
    probes.add(Map.of());
    return probes;
  }

  @Test
  void writtenAndReadBackPredictsIdentically() {
    Path dir = tmp.resolve("set");
    trained.write(dir);
    ModelSet read = ModelSet.read(dir);

    assertThat(read.location()).isEqualTo(dir.toString());
    assertThat(read.manifest()).isEqualTo(trained.manifest());
    for (String type : List.of("Convolutional", "Dense", "Upsampling", "Multiply")) {
      assertThat(read.fallback(type)).isEqualTo(trained.fallback(type));
      for (Map<String, Double> features : probes()) {
        assertThat(read.predict(type, features)).isEqualTo(trained.predict(type, features));
        assertThat(read.predictJoules(type, features)).isPositive();
      }
    }
    assertThat(dir.resolve("Convolutional.forest")).isRegularFile();
    assertThat(dir.resolve("Dense.forest")).isRegularFile();
    assertThat(dir.resolve("Upsampling.forest")).doesNotExist();
  }

  @Test
  void manifestSaysWhatTheSetWasTrainedOnAndHow() throws IOException {
    Path dir = tmp.resolve("set");
    trained.write(dir);
    JsonNode m = new ObjectMapper().readTree(dir.resolve(ModelSet.MANIFEST).toFile());
    System.out.println(m.toPrettyString());

    assertThat(m.get("format_version").asInt()).isEqualTo(ModelSet.FORMAT_VERSION);
    assertThat(Instant.parse(m.get("created").asText())).isBeforeOrEqualTo(Instant.now());
    assertThat(m.get("regressor").asText()).isEqualTo("random-forest");
    assertThat(m.get("model_format").asText()).isEqualTo(ModelSet.MODEL_FORMAT);
    assertThat(m.get("hardware_profile").asText()).isEqualTo(SyntheticSamples.PROFILE);
    assertThat(m.get("meter_sources")).extracting(JsonNode::asText).containsExactly("estimate", "rapl");
    assertThat(m.get("git_revision").asText()).matches("[0-9a-f]{4,40}|unknown");
    assertThat(m.get("training_seconds").asDouble()).isPositive();
    JsonNode counts = m.get("samples");
    assertThat(counts.get("total").asInt()).isEqualTo(samples.size());
    // four agent samples of one layer: one row, counted AGENT_WEIGHT times
    assertThat(counts.get("rows").asInt()).isEqualTo(samples.size() - 4 + TrainingRows.AGENT_WEIGHT);
    assertThat(counts.get("by_type").get("Convolutional").asInt()).isEqualTo(204);
    assertThat(counts.get("by_type").get("Upsampling").asInt()).isEqualTo(3);
    assertThat(counts.get("by_origin").get("collect").asInt()).isEqualTo(263);
    assertThat(counts.get("by_origin").get("agent").asInt()).isEqualTo(4);
    assertThat(m.get("features")).extracting(JsonNode::asText)
        .startsWith("batch_size", "number_of_layers").contains("flops", "bytes_moved");
    JsonNode hyper = m.get("hyper_parameters");
    assertThat(hyper.get("trees").asInt()).isEqualTo(25);
    assertThat(hyper.get("seed").asLong()).isEqualTo(7);
    assertThat(hyper.get("max_depth").asInt()).isEqualTo(ForestHyperParameters.DEFAULT.maxDepth());
    assertThat(hyper.get("feature_fraction").asDouble()).isEqualTo(0.5);
    assertThat(hyper.get("min_samples").asInt()).isEqualTo(20);
    assertThat(hyper.get("min_models").asInt()).isEqualTo(3);
    assertThat(m.get("fallback_types")).extracting(JsonNode::asText).containsExactly("Upsampling");
    assertThat(m.get("global_rates").get("joules_per_flop").asDouble()).isPositive();

    JsonNode conv = m.get("types").get(1);
    assertThat(conv.get("type").asText()).isEqualTo("Convolutional");
    assertThat(conv.get("fallback").asBoolean()).isFalse();
    assertThat(conv.get("file").asText()).isEqualTo("Convolutional.forest");
    assertThat(conv.get("rows").asInt()).isEqualTo(200 + TrainingRows.AGENT_WEIGHT); // 1 agent row
    assertThat(conv.get("models").asInt()).isEqualTo(8);
    assertThat(conv.get("trainer").asText()).contains("RandomForestTrainer").contains("numMembers=25");
    assertThat(conv.get("importances").size()).isPositive();
    JsonNode up = m.get("types").get(2);
    assertThat(up.get("type").asText()).isEqualTo("Upsampling");
    assertThat(up.get("fallback").asBoolean()).isTrue();
    assertThat(up.get("reason").asText()).isEqualTo("3 rows < 20");
    assertThat(up.get("rates").get("joules_per_flop").asDouble()).isEqualTo(0.05 / 1e8);
    assertThat(m.has("evaluation")).isFalse();
  }

  @Test
  void anEvaluationSummaryIsKeptInTheManifest() {
    JsonNode evaluation = new ObjectMapper().createObjectNode().put("rmspe_model", 0.1226);
    Path dir = tmp.resolve("set");
    trained.withEvaluation(evaluation).write(dir);
    assertThat(ModelSet.read(dir).manifest().evaluation()).isEqualTo(evaluation);
  }

  @Test
  void aMissingOrCorruptSetFailsWithOneLine() throws IOException {
    Path good = tmp.resolve("good");
    trained.write(good);

    assertOneLine(() -> ModelSet.read(tmp.resolve("nothing")), "not a directory");
    assertOneLine(() -> ModelSet.read(Files.createDirectories(tmp.resolve("empty"))), "no manifest.json");

    Path garbage = copy(good, "garbage");
    Files.writeString(garbage.resolve(ModelSet.MANIFEST), "{ \"format_version\": 1, \"types\": [ {");
    assertOneLine(() -> ModelSet.read(garbage), "is corrupt: manifest.json");

    Path newer = copy(good, "newer");
    Files.writeString(newer.resolve(ModelSet.MANIFEST),
        Files.readString(newer.resolve(ModelSet.MANIFEST)).replace("\"format_version\" : 1", "\"format_version\" : 99"));
    assertOneLine(() -> ModelSet.read(newer), "format version 99");

    Path truncated = copy(good, "truncated");
    byte[] bytes = Files.readAllBytes(truncated.resolve("Dense.forest"));
    Files.write(truncated.resolve("Dense.forest"), Arrays.copyOf(bytes, bytes.length / 2));
    assertOneLine(() -> ModelSet.read(truncated), "is corrupt: Dense.forest");

    Path scribbled = copy(good, "scribbled");
    Files.writeString(scribbled.resolve("Convolutional.forest"), "not a forest");
    assertOneLine(() -> ModelSet.read(scribbled), "is corrupt: Convolutional.forest");

    Path missing = copy(good, "missing");
    Files.delete(missing.resolve("Dense.forest"));
    assertOneLine(() -> ModelSet.read(missing), "incomplete: no Dense.forest");
  }

  @Test
  void aSetOnTheClassPathLoadsFromResources() throws IOException {
    Path root = tmp.resolve("classes");
    Path dir = root.resolve(ModelSet.BUNDLED.substring(1));
    trained.write(dir);
    try (URLClassLoader loader = new URLClassLoader(new URL[] {root.toUri().toURL()}, null)) {
      ModelSet bundled = ModelSet.fromResources(loader, ModelSet.BUNDLED).orElseThrow();
      assertThat(bundled.location()).isEqualTo("bundled");
      assertThat(bundled.predict("Convolutional", probes().get(0)))
          .isEqualTo(trained.predict("Convolutional", probes().get(0)));
      assertThat(ModelSet.fromResources(loader, "/no/such/set/")).isEmpty();
    }
  }

  @Test
  void theNewestSetUnderARootIsFoundByItsManifestTime() throws IOException {
    Path root = tmp.resolve("models");
    assertThat(ModelSet.newest(root)).isEmpty();
    trained.write(root.resolve("b-older"));
    trained.write(root.resolve("a-newer"));
    Files.createDirectories(root.resolve("z-not-a-set"));
    Files.setLastModifiedTime(root.resolve("b-older").resolve(ModelSet.MANIFEST), FileTime.fromMillis(1000));
    assertThat(ModelSet.newest(root)).contains(root.resolve("a-newer"));
    assertThat(ModelSet.directoryName("cpu-1234abcd", Instant.parse("2025-06-01T12:34:56Z")))
        .isEqualTo("cpu-1234abcd-20250601-123456");
  }

  private Path copy(Path from, String name) throws IOException {
    Path to = Files.createDirectories(tmp.resolve(name));
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    return to;
  }

  private static void assertOneLine(ThrowableAssert.ThrowingCallable call, String part) {
    assertThatThrownBy(call)
        .isInstanceOf(ModelSetException.class)
        .hasMessageContaining(part)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
