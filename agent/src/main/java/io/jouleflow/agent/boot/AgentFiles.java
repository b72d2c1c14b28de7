package io.jouleflow.agent.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the agent unpacks the files it needs at start (the bootstrap bridge jar, nested
 * libraries): a fresh directory under {@code java.io.tmpdir}, or under {@code ~/.jouleflow/tmp}
 * when the temporary directory is not writable (read-only containers).
 */
final class AgentFiles {

  private static Path directory;

  private AgentFiles() {}

  static synchronized Path directory() throws IOException {
    if (directory != null) {
      return directory;
    }
    IOException first;
    try {
      directory = Files.createTempDirectory("jouleflow-agent-");
    } catch (IOException | UnsupportedOperationException e) {
      first = e instanceof IOException io ? io : new IOException(e);
      try {
        Path home = Path.of(System.getProperty("user.home"), ".jouleflow", "tmp");
        Files.createDirectories(home);
        directory = Files.createTempDirectory(home, "agent-");
      } catch (IOException second) {
        second.addSuppressed(first);
        throw new IOException("no writable directory for the agent's files (tried "
            + System.getProperty("java.io.tmpdir") + " and ~/.jouleflow/tmp)", second);
      }
    }
    directory.toFile().deleteOnExit();
    return directory;
  }
}
