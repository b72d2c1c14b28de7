package io.jouleflow.launcher.demo;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the demo runs, as {@code mvn -B -DskipTests package} leaves it in a checkout: the agent jar,
 * the examples jar and the examples' run-time class path.
 *
 * @param root the project root (the directory with the parent {@code pom.xml})
 * @param agentJar {@code agent/target/jouleflow-agent.jar}, or the jar {@code --agent} named
 * @param examplesJar {@code examples/target/jouleflow-examples-<version>.jar}
 * @param examplesClassPath the entries of {@code examples/target/classpath.txt} (TensorFlow Java)
 */
public record BuildOutputs(Path root, Path agentJar, Path examplesJar, String examplesClassPath) {

  public static final String AGENT_JAR = "agent/target/jouleflow-agent.jar";
  public static final String EXAMPLES_TARGET = "examples/target";
  public static final String CLASSPATH_FILE = EXAMPLES_TARGET + "/classpath.txt";
  public static final String BUILD_COMMAND = "mvn -B -DskipTests package";

  /** The class path of the example service: its jar, then TensorFlow Java. */
  public String serviceClassPath() {
    return examplesClassPath.isEmpty()
        ? examplesJar.toString()
        : examplesJar + File.pathSeparator + examplesClassPath;
  }

  /**
   * The project root: the checkout that holds the launcher jar ({@code
   * <root>/launcher/target/jouleflow.jar}: two levels above its directory), else the current directory or the
   * nearest directory above it that looks like the project, else the current directory.
   *
   * @param launcherJar where the launcher's classes were loaded from, if known
   * @param cwd the current directory
   */
  public static Path findRoot(Optional<Path> launcherJar, Path cwd) {
    List<Path> candidates = new ArrayList<>();
    launcherJar.map(Path::toAbsolutePath).map(Path::normalize)
        .filter(j -> j.getFileName() != null && j.getFileName().toString().endsWith(".jar"))
        .map(j -> j.getParent() == null ? null : j.getParent().getParent())
        .map(Path::getParent) // <root>/launcher/target/jouleflow.jar
        .ifPresent(candidates::add);
    for (Path p = cwd.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
      candidates.add(p);
    }
    return candidates.stream().filter(BuildOutputs::looksLikeTheProject).findFirst()
        .orElse(cwd.toAbsolutePath().normalize());
  }

  /** A jouleflow checkout: the parent pom next to the agent and examples modules. */
  static boolean looksLikeTheProject(Path dir) {
    return dir != null
        && Files.isRegularFile(dir.resolve("pom.xml"))
        && Files.isDirectory(dir.resolve("agent"))
        && Files.isDirectory(dir.resolve("examples"));
  }

  /**
   * Finds the build outputs under {@code root}.
   *
   * @param agentOverride the agent jar to use instead of the built one ({@code --agent}); the
   *     caller has checked that it exists
   * @param version the project version, for the examples jar's name; when that jar is missing the
   *     one {@code jouleflow-examples-*.jar} in {@code examples/target} is used
   * @throws DemoFailure when {@code root} is no checkout, or naming every missing output and the
   *     build command
   */
  public static BuildOutputs locate(Path root, Optional<Path> agentOverride, String version) {
    if (!looksLikeTheProject(root)) {
      throw new DemoFailure("the demo runs from a jouleflow checkout, and " + root + " is none"
          + " (nor is the launcher jar in one); cd into the checkout, build it with "
          + BUILD_COMMAND + ", and run java -jar launcher/target/jouleflow.jar demo");
    }
    List<String> missing = new ArrayList<>();
    Path agent = agentOverride.orElse(root.resolve(AGENT_JAR));
    if (!Files.isRegularFile(agent)) {
      missing.add(AGENT_JAR);
    }
    Optional<Path> examples = examplesJar(root.resolve(EXAMPLES_TARGET), version);
    if (examples.isEmpty()) {
      missing.add(EXAMPLES_TARGET + "/jouleflow-examples-" + version + ".jar");
    }
    Path classpathFile = root.resolve(CLASSPATH_FILE);
    if (!Files.isRegularFile(classpathFile)) {
      missing.add(CLASSPATH_FILE);
    }
    if (!missing.isEmpty()) {
      throw new DemoFailure("the demo needs the build outputs " + String.join(", ", missing)
          + " under " + root + "; build them first: cd " + root + " && " + BUILD_COMMAND);
    }
    String classPath;
    try {
      classPath = Files.readString(classpathFile, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new DemoFailure("cannot read " + classpathFile + ": " + e.getMessage(), e);
    }
    return new BuildOutputs(root, agent.toAbsolutePath(), examples.get(), classPath);
  }

  private static Optional<Path> examplesJar(Path target, String version) {
    Path exact = target.resolve("jouleflow-examples-" + version + ".jar");
    if (Files.isRegularFile(exact)) {
      return Optional.of(exact);
    }
    if (!Files.isDirectory(target)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(target)) {
      List<Path> jars = files.filter(f -> {
        String n = f.getFileName().toString();
        return n.startsWith("jouleflow-examples-") && n.endsWith(".jar")
            && !n.endsWith("-sources.jar") && !n.endsWith("-tests.jar")
            && !n.endsWith("-javadoc.jar");
      }).toList();
      return jars.size() == 1 ? Optional.of(jars.get(0)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
