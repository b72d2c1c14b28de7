package io.jouleflow.agent.it;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** A real child JVM for integration tests: the application, optionally with the agent. */
public final class ChildJvm implements AutoCloseable {

  /** The packaged agent jar (set by failsafe). */
  public static Path agentJar() {
    String p = System.getProperty("jouleflow.test.agentJar");
    if (p == null) {
      throw new IllegalStateException("jouleflow.test.agentJar is not set; run through mvn verify");
    }
    return Path.of(p);
  }

  /**
   * The application's class path: TensorFlow, the examples and the test fixtures; never the
   * agent's own classes or libraries (the application does not have them).
   */
  public static String applicationClassPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> e.contains("org/tensorflow") || e.contains("org/bytedeco")
            || e.contains("com/google/protobuf") || e.contains("jouleflow-examples")
            || e.contains("examples/target/classes") || e.endsWith("test-classes"))
        .collect(Collectors.joining(File.pathSeparator));
  }

  /** The agent's -javaagent flag with options. */
  public static String javaagent(String options) {
    return "-javaagent:" + agentJar() + (options == null || options.isEmpty() ? "" : "=" + options);
  }

  private final Process process;
  private final List<String> stdout = new CopyOnWriteArrayList<>();
  private final Path stderrFile;

  private ChildJvm(Process process, Path stderrFile) {
    this.process = process;
    this.stderrFile = stderrFile;
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          stdout.add(line);
        }
      } catch (IOException ignored) {
        // process ended
      }
    }, "child-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  public static ChildJvm start(List<String> jvmArgs, String classPath, String mainClass, List<String> args)
      throws IOException {
    return start(jvmArgs, classPath, mainClass, args, Map.of());
  }

  public static ChildJvm start(List<String> jvmArgs, String classPath, String mainClass,
      List<String> args, Map<String, String> env) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xshare:auto");
    String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
    if (cache != null) {
      cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
    }
    // Tests keep out of the user's real sample store; a test that wants samples names a store
    // in the agent arguments, which take precedence over this property.
    cmd.add("-Djouleflow.samples=none");
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.add(mainClass);
    cmd.addAll(args);
    Path err = Files.createTempFile("child-stderr", ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    pb.environment().keySet().removeIf(k -> k.startsWith("JOULEFLOW_"));
    env.forEach((k, v) -> { // a null value removes the variable
      if (v == null) {
        pb.environment().remove(k);
      } else {
        pb.environment().put(k, v);
      }
    });
    return new ChildJvm(pb.start(), err);
  }

  public long pid() {
    return process.pid();
  }

  /** Waits for a stdout line matching {@code regex}; returns the match. */
  public Matcher awaitLine(String regex, Duration timeout) throws InterruptedException {
    Pattern p = Pattern.compile(regex);
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = 0;
    while (System.nanoTime() < deadline) {
      for (; seen < stdout.size(); seen++) {
        Matcher m = p.matcher(stdout.get(seen));
        if (m.find()) {
          return m;
        }
      }
      if (!process.isAlive() && seen >= stdout.size()) {
        break;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no stdout line matching /" + regex + "/ within " + timeout
        + (process.isAlive() ? "" : " (process exited " + process.exitValue() + ")")
        + "\nstdout:\n" + String.join("\n", stdout) + "\nstderr:\n" + stderr());
  }

  /** Everything the child wrote to stderr so far. */
  public String stderr() {
    try {
      return Files.readString(stderrFile);
    } catch (IOException e) {
      return "(stderr unreadable: " + e + ")";
    }
  }

  public List<String> stdoutLines() {
    return List.copyOf(stdout);
  }

  /** Writes one line to the child's stdin. */
  public void send(String line) throws IOException {
    OutputStream in = process.getOutputStream();
    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  /** SIGKILL, as an OOM killer or a crashed host would. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  public boolean alive() {
    return process.isAlive();
  }

  public int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("child did not exit within " + timeout + "\nstderr:\n" + stderr());
    }
    return process.exitValue();
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
    Files.deleteIfExists(stderrFile);
  }
}
