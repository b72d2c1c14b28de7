package io.jouleflow.launcher.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildOutputsTest {

  @TempDir Path tmp;

  private Path checkout() throws IOException {
    Path root = tmp.resolve("checkout");
    Files.createDirectories(root.resolve("agent/target"));
    Files.createDirectories(root.resolve("examples/target"));
    Files.createDirectories(root.resolve("launcher/target"));
    Files.writeString(root.resolve("pom.xml"), "<project/>");
    return root;
  }

  private static void build(Path root) throws IOException {
    Files.writeString(root.resolve(BuildOutputs.AGENT_JAR), "jar");
    Files.writeString(root.resolve("examples/target/jouleflow-examples-1.2.3.jar"), "jar");
    Files.writeString(root.resolve(BuildOutputs.CLASSPATH_FILE), "/m2/tf.jar:/m2/javacpp.jar\n");
  }

  @Test
  void theRootIsTwoLevelsAboveTheLauncherJarsDirectoryWhereverTheCurrentDirectoryIs()
      throws IOException {
    Path root = checkout();

    Path found = BuildOutputs.findRoot(
        Optional.of(root.resolve("launcher/target/jouleflow.jar")), tmp);

    assertThat(found).isEqualTo(root.toAbsolutePath());
  }

  @Test
  void withoutALauncherJarInACheckoutTheCurrentDirectoryOrOneAboveItIsTheRoot() throws IOException {
    Path root = checkout();

    assertThat(BuildOutputs.findRoot(Optional.of(tmp.resolve("elsewhere/jouleflow.jar")),
        root.resolve("examples/target"))).isEqualTo(root.toAbsolutePath());
    assertThat(BuildOutputs.findRoot(Optional.empty(), root)).isEqualTo(root.toAbsolutePath());
    assertThat(BuildOutputs.findRoot(Optional.empty(), tmp)).isEqualTo(tmp.toAbsolutePath());
  }

  @Test
  void locatesTheAgentTheExamplesJarAndItsClassPath() throws IOException {
    Path root = checkout();
    build(root);

    BuildOutputs outputs = BuildOutputs.locate(root, Optional.empty(), "1.2.3");

    assertThat(outputs.agentJar()).isEqualTo(root.resolve(BuildOutputs.AGENT_JAR).toAbsolutePath());
    assertThat(outputs.examplesJar().getFileName().toString())
        .isEqualTo("jouleflow-examples-1.2.3.jar");
    assertThat(outputs.serviceClassPath().split(File.pathSeparator)).containsExactly(
        outputs.examplesJar().toString(), "/m2/tf.jar", "/m2/javacpp.jar");
    // Another version in the launcher than in examples/target: the one jar there is used.
    assertThat(BuildOutputs.locate(root, Optional.empty(), "unknown").examplesJar())
        .isEqualTo(outputs.examplesJar());
  }

  @Test
  void anAgentNamedByTheUserReplacesTheBuiltOne() throws IOException {
    Path root = checkout();
    build(root);
    Files.delete(root.resolve(BuildOutputs.AGENT_JAR));
    Path mine = Files.writeString(tmp.resolve("my-agent.jar"), "jar");

    assertThat(BuildOutputs.locate(root, Optional.of(mine), "1.2.3").agentJar()).isEqualTo(mine);
  }

  @Test
  void missingOutputsAreOneLineNamingThemAndTheBuildCommand() throws IOException {
    Path root = checkout();

    assertThatThrownBy(() -> BuildOutputs.locate(root, Optional.empty(), "1.2.3"))
        .isInstanceOf(DemoFailure.class)
        .hasMessage("the demo needs the build outputs agent/target/jouleflow-agent.jar,"
            + " examples/target/jouleflow-examples-1.2.3.jar, examples/target/classpath.txt under "
            + root + "; build them first: cd " + root + " && mvn -B -DskipTests package");
  }

  @Test
  void aDirectoryThatIsNoCheckoutSaysWhereToRunTheDemo() {
    assertThatThrownBy(() -> BuildOutputs.locate(tmp, Optional.empty(), "1.2.3"))
        .isInstanceOf(DemoFailure.class)
        .hasMessageContaining(tmp + " is none")
        .hasMessageContaining("mvn -B -DskipTests package")
        .message().doesNotContain("\n");
  }

  @Test
  void theServiceCommandRunsTheExampleWithTheAgentAndItsOwnSampleStore() throws IOException {
    Path root = checkout();
    build(root);
    BuildOutputs outputs = BuildOutputs.locate(root, Optional.empty(), "1.2.3");
    Path work = tmp.resolve("work");

    List<String> cmd = ServiceProcess.command(Path.of("/jdk/bin/java"), outputs, work, 8081, 9465,
        List.of("-Dx=y"));

    assertThat(cmd).containsExactly("/jdk/bin/java", "-Dx=y",
        "-javaagent:" + outputs.agentJar() + "=prometheus.port=9465,trace.every=20,samples=jdbc:sqlite:"
            + work.resolve("samples.db"),
        "-cp", outputs.serviceClassPath(), "example.service.InferenceService",
        "--port", "8081", "--model-dir", work.resolve("tiny_resnet").toString());
  }
}
