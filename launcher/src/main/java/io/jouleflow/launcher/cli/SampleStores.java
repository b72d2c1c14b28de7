package io.jouleflow.launcher.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** What the verbs that read the sample store check about a {@code --store} URL before opening. */
final class SampleStores {

  private static final String SQLITE = "jdbc:sqlite:";

  private SampleStores() {}

  /**
   * The file of a SQLite URL when it does not exist (opening would create an empty store); null
   * for a file that exists, other databases and in-memory ones.
   */
  static Path missingFile(String url) {
    if (!url.startsWith(SQLITE)) {
      return null;
    }
    String path = url.substring(SQLITE.length());
    if (path.startsWith("file:")) {
      path = path.substring("file:".length());
    }
    int query = path.indexOf('?');
    if (query >= 0) {
      path = path.substring(0, query);
    }
    if (path.isEmpty() || path.startsWith(":")) {
      return null;
    }
    if (path.startsWith("~/")) {
      path = System.getProperty("user.home") + path.substring(1);
    }
    Path file = Path.of(path);
    return Files.isRegularFile(file) ? null : file;
  }
}
