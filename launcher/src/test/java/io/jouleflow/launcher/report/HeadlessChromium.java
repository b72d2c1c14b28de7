package io.jouleflow.launcher.report;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Headless Chromium for tests that check a page as a browser parses it. Without Chromium such a
 * test is skipped, unless {@code JOULEFLOW_REQUIRE_TOOLS=1} (CI) makes a missing tool a failure.
 */
final class HeadlessChromium {

  static final String MISSING = "no chromium: .ci/run installs it";
  static final long TIMEOUT_SECONDS = 60;

  private final Path executable;

  private HeadlessChromium(Path executable) {
    this.executable = executable;
  }

  /** Chromium, or the test stops here: skipped, or failed under JOULEFLOW_REQUIRE_TOOLS=1. */
  static HeadlessChromium require() {
    return new HeadlessChromium(require(find(System.getenv("PATH")), System.getenv()));
  }

  static Path require(Optional<Path> found, Map<String, String> env) {
    if (found.isEmpty()) {
      if ("1".equals(env.get("JOULEFLOW_REQUIRE_TOOLS"))) {
        fail(MISSING + " (JOULEFLOW_REQUIRE_TOOLS=1 requires it)");
      }
      Assumptions.abort(MISSING);
    }
    return found.get();
  }

  /** {@code /usr/bin/chromium} (Debian's package), else {@code chromium} on the PATH. */
  static Optional<Path> find(String pathVariable) {
    List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/bin/chromium")));
    if (pathVariable != null) {
      for (String dir : pathVariable.split(File.pathSeparator)) {
        if (!dir.isEmpty()) {
          candidates.add(Path.of(dir, "chromium"));
        }
      }
    }
    return candidates.stream().filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst();
  }

  /**
   * The DOM of {@code page} after Chromium loaded it, serialized ({@code --dump-dom}). A fresh
   * profile under {@code work} and no network features, so nothing but the file is read.
   */
  String dumpDom(Path page, Path work) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory(work, "chromium-profile");
    Path out = work.resolve("dom.html");
    Path err = work.resolve("chromium.err");
    Process p = new ProcessBuilder(executable.toString(), "--headless", "--no-sandbox",
        "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
        "--dump-dom", page.toUri().toString())
        .redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .start();
    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      // renderer and zygote processes first: killing only the parent would leave them running
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      fail("chromium did not finish in " + TIMEOUT_SECONDS + " s; stderr:\n" + tail(err));
    }
    if (p.exitValue() != 0) {
      fail("chromium exited " + p.exitValue() + "; stderr:\n" + tail(err));
    }
    return Files.readString(out);
  }

  private static String tail(Path file) throws IOException {
    String s = new String(Files.readAllBytes(file), StandardCharsets.UTF_8); // lenient: a log
    return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
  }
}
