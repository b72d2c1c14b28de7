package io.jouleflow.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.agent.it.fixtures.DirectCApiCaller;
import io.jouleflow.agent.it.fixtures.LoadClassesApp;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The agent says in one line, at start or when the class loads, which TensorFlow it sees but
 * does not cover, and what still works: a class that calls TF_SessionRun itself; never for what
 * it covers: TensorFlow Java 1.1.0 and 0.5.0 (Tf05UnderAgentIT) and DJL's TensorFlow engine
 * 0.36.0 (DjlUnderAgentIT), real jars of each.
 */
class NotCoveredIT {

  @Test
  void tensorFlowJava05IsCovered() throws Exception {
    assertThat(notCovered(List.of(jar("tensorflow-core-api-0.5.0.jar"), protobufJars()),
        "org.tensorflow.Session")).isEmpty();
  }

  @Test
  void djlsTensorFlowEngineIsCovered() throws Exception {
    // JavacppUtils calls TF_SessionRun itself: DJL's runs are instrumented there (DjlUnderAgentIT),
    // so neither it nor the engine is named.
    assertThat(notCovered(
        List.of(jar("djl-api.jar"), jar("djl-tensorflow-engine.jar")),
        "ai.djl.tensorflow.engine.TfEngine",
        "ai.djl.tensorflow.engine.javacpp.JavacppUtils")).isEmpty();
  }

  @Test
  void aClassCallingTfSessionRunItselfIsNamedWhenItLoads() throws Exception {
    List<String> lines = notCovered(List.of(ChildJvm.applicationClassPath()),
        DirectCApiCaller.class.getName());
    assertThat(lines).singleElement().asString()
        .contains("C API called directly (TF_SessionRun, in " + DirectCApiCaller.class.getName());
  }

  @Test
  void tensorFlowJava11IsCovered() throws Exception {
    assertThat(notCovered(List.of(ChildJvm.applicationClassPath()),
        "org.tensorflow.Session", "org.tensorflow.internal.c_api.global.tensorflow")).isEmpty();
  }

  /** The agent's "not covered" lines of a child JVM that loads {@code classes}. */
  private static List<String> notCovered(List<String> classPath, String... classes)
      throws Exception {
    String cp = Stream.concat(classPath.stream(), Stream.of(fixtures()))
        .collect(Collectors.joining(File.pathSeparator));
    try (ChildJvm app = ChildJvm.start(List.of(ChildJvm.javaagent("prometheus.port=0")), cp,
        LoadClassesApp.class.getName(), List.of(classes))) {
      assertThat(app.waitFor(Duration.ofSeconds(60))).as(app.stderr()).isZero();
      assertThat(app.stdoutLines()).contains("loaded " + classes.length);
      assertThat(app.stderr()).contains("[jouleflow] agent");
      return app.stderr().lines().filter(l -> l.contains("not covered")).toList();
    }
  }

  private static String jar(String name) {
    return Path.of(System.getProperty("jouleflow.test.uncoveredJars"), name).toString();
  }

  private static String fixtures() {
    return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> e.endsWith("test-classes")).findFirst().orElseThrow();
  }

  private static String protobufJars() {
    return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> e.contains("com/google/protobuf") || e.contains("org/bytedeco"))
        .collect(Collectors.joining(File.pathSeparator));
  }
}
