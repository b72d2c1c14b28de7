package io.jouleflow.dashboards;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A program from the machine the tests need (promtool, prometheus, node, npm). Where it is missing
 * the test is skipped with the reason, except under .ci/run, which installs the tools and sets
 * JOULEFLOW_REQUIRE_TOOLS=1 so that a missing tool fails instead of passing silently.
 */
final class ExternalTool {

  private ExternalTool() {}

  /** The executable's path, or the test is skipped / failed. */
  static Path require(String name, String installHint) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    String reason = "no " + name + " on PATH: " + installHint;
    if ("1".equals(System.getenv("JOULEFLOW_REQUIRE_TOOLS"))) {
      fail(reason + " (JOULEFLOW_REQUIRE_TOOLS=1)");
    }
    Assumptions.assumeTrue(false, reason);
    return null;
  }

  /** What a finished program printed (stdout and stderr together) and its exit code. */
  record Result(int exitCode, String output) {}

  /** Runs a command to its end (killed after {@code timeoutSeconds}). */
  static Result run(Path workDir, long timeoutSeconds, List<String> command)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("tool", ".out");
    try {
      Process p = new ProcessBuilder(new ArrayList<>(command)).directory(workDir.toFile())
          .redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        fail(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s:\n"
            + Files.readString(out, StandardCharsets.UTF_8));
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** The dashboards folder (set by the build; else the working directory, Maven's default). */
  static Path dashboards() {
    return Path.of(System.getProperty("jouleflow.test.dashboards", ".")).toAbsolutePath().normalize();
  }
}
