package io.jouleflow.launcher.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code jouleflow predict} in a child JVM of the launcher's own class path. A child, not a call in
 * this JVM: loading a SavedModel starts TensorFlow, whose native logging writes to the process's
 * stderr (absl's "WARNING: All log messages before absl::InitializeLog()..." even with
 * TF_CPP_MIN_LOG_LEVEL=3); in a child, that noise is filtered out and the verb's own lines kept.
 *
 * @param exitCode the child's exit code
 * @param out what it printed on stdout
 * @param errLines its stderr lines, TensorFlow's native log lines removed
 */
public record PredictRun(int exitCode, String out, List<String> errLines) {

  /** TensorFlow's and absl's native log lines, which are not the verb's output. */
  private static final Pattern NATIVE_LOG = Pattern.compile(
      "^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d+: [IWEF] "
          + "|[IWEF]\\d{4} \\d\\d:\\d\\d:\\d+\\.\\d+ "
          + "|WARNING: All log messages before absl::InitializeLog\\(\\) is called"
          + "|To enable the following instructions: )");

  /** True for a line TensorFlow's native logging wrote. */
  static boolean nativeLogLine(String line) {
    return NATIVE_LOG.matcher(line).find();
  }

  /**
   * Runs {@code <mainClass> <args>} with {@code java -cp <classPath>} and waits at most {@code
   * timeoutSeconds}.
   */
  public static PredictRun run(Path java, List<String> jvmArgs, String classPath, String mainClass,
      List<String> args, long timeoutSeconds) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(java.toString());
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.add(mainClass);
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    Process p = pb.start();
    p.getOutputStream().close();
    CompletableFuture<String> out = drain(p.getInputStream(), "predict-stdout");
    CompletableFuture<String> err = drain(p.getErrorStream(), "predict-stderr");
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new IOException("jouleflow " + String.join(" ", args) + " did not finish within "
          + timeoutSeconds + " s");
    }
    List<String> errLines = err.join().lines().filter(l -> !nativeLogLine(l)).toList();
    return new PredictRun(p.exitValue(), out.join(), errLines);
  }

  /** Reads a stream to its end on a thread of its own (a full pipe would block the child). */
  private static CompletableFuture<String> drain(InputStream in, String name) {
    CompletableFuture<String> text = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try (in) {
        text.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        text.complete("");
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return text;
  }
}
