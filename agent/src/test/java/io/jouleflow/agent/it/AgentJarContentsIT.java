package io.jouleflow.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The agent jar hides everything it carries, and the examples never know about jouleflow. */
class AgentJarContentsIT {

  @Test
  void everyClassFileLivesUnderIoJouleflow() throws IOException {
    try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
      List<String> classes = jar.stream().map(e -> e.getName())
          .filter(n -> n.endsWith(".class"))
          .map(n -> n.replaceFirst("^META-INF/versions/\\d+/", ""))
          .toList();
      assertThat(classes).isNotEmpty();
      assertThat(classes).allSatisfy(n -> assertThat(n).startsWith("io/jouleflow/"));
      // TensorFlow only as relocated proto messages; third parties only relocated.
      assertThat(classes).filteredOn(n -> n.contains("tensorflow"))
          .allSatisfy(n -> assertThat(n).startsWith("io/jouleflow/shaded/tfproto/"));
      assertThat(classes).contains(
          "io/jouleflow/shaded/tfproto/RunMetadata.class",
          "io/jouleflow/shaded/bytebuddy/agent/builder/AgentBuilder.class",
          "io/jouleflow/agent/bridge/Bridge.class");
    }
  }

  @Test
  void holdsTheLibraryButNoLauncherTrainingOrReportClass() throws IOException {
    try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
      List<String> entries = jar.stream().map(e -> e.getName()).toList();
      assertThat(entries).contains("io/jouleflow/predictor/model/ModelSet.class",
          "io/jouleflow/predictor/model/GraphPrediction.class",
          "io/jouleflow/predictor/layers/LayerDetector.class");
      // The launcher's verbs, demo, report, zoo, graph builder, measurement, training and
      // evaluation are the launcher module's, and its libraries (picocli, Tribuo) stay out.
      assertThat(entries).noneMatch(n -> n.startsWith("io/jouleflow/launcher/"))
          .noneMatch(n -> n.contains("picocli") || n.contains("tribuo") || n.contains("xgboost"))
          .noneMatch(n -> n.matches(".*/(demo|report|cli|zoo|evaluate|measure|train)/.*"))
          .noneMatch(n -> n.matches(".*/(RandomForestRegressor|ModelSetTrainer|ForestTrainer"
              + "|TrainingRows|HtmlReport|KerasGraphBuilder)\\.class"));
      for (String entry : entries.stream().filter(n -> n.endsWith(".class")).toList()) {
        String constants = new String(jar.getInputStream(jar.getEntry(entry)).readAllBytes(),
            StandardCharsets.ISO_8859_1);
        assertThat(constants).as(entry).doesNotContain("io/jouleflow/launcher/")
            .doesNotContain("org/tribuo/").doesNotContain("picocli/");
      }
    }
  }

  @Test
  void manifestDeclaresAllThreeEntryPointsAndRetransformation() throws IOException {
    try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
      Manifest mf = jar.getManifest();
      var a = mf.getMainAttributes();
      assertThat(a.getValue("Premain-Class")).isEqualTo("io.jouleflow.agent.boot.AgentEntry");
      assertThat(a.getValue("Agent-Class")).isEqualTo("io.jouleflow.agent.boot.AgentEntry");
      assertThat(a.getValue("Main-Class")).isEqualTo("io.jouleflow.agent.boot.AgentEntry");
      assertThat(a.getValue("Can-Retransform-Classes")).isEqualTo("true");
    }
  }

  @Test
  void bridgeSpeaksJdkTypesOnly() throws IOException {
    try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
      List<String> bridge = jar.stream().map(e -> e.getName())
          .filter(n -> n.startsWith("io/jouleflow/agent/bridge/") && n.endsWith(".class")).toList();
      assertThat(bridge).isNotEmpty();
      for (String entry : bridge) {
        String constants = new String(jar.getInputStream(jar.getEntry(entry)).readAllBytes(),
            StandardCharsets.ISO_8859_1);
        assertThat(constants).as(entry).doesNotContain("io/jouleflow/shaded")
            .doesNotContain("org/tensorflow/");
      }
    }
  }

  @Test
  void agentNeverTouchesTheJdkHttpServerTheApplicationMayConfigure() throws IOException {
    // com.sun.net.httpserver reads its settings (sun.net.httpserver.nodelay, ...) once per JVM
    // when its first server starts: the agent must not be that first server.
    try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
      List<String> offenders = jar.stream().filter(e -> e.getName().endsWith(".class"))
          .filter(e -> {
            try {
              return new String(jar.getInputStream(e).readAllBytes(),
                  StandardCharsets.ISO_8859_1).contains("com/sun/net/httpserver");
            } catch (IOException ex) {
              return true;
            }
          }).map(e -> e.getName()).toList();
      assertThat(offenders).isEmpty();
    }
  }

  @Test
  void examplesNeverReferenceJouleflow() throws IOException {
    Path examples = Path.of(System.getProperty("user.dir")).resolveSibling("examples").resolve("src");
    assertThat(examples).isDirectory();
    try (Stream<Path> files = Files.walk(examples)) {
      List<Path> offenders = files.filter(Files::isRegularFile).filter(p -> {
        try {
          return Files.readString(p).toLowerCase().contains("jouleflow");
        } catch (IOException e) {
          return true;
        }
      }).toList();
      assertThat(offenders).isEmpty();
    }
  }
}
