package io.jouleflow.agent.boot;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;

/** Where the agent jar is. */
final class AgentJar {

  private AgentJar() {}

  static Path location() throws URISyntaxException {
    CodeSource source = AgentEntry.class.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      throw new IllegalStateException("cannot locate the agent jar");
    }
    Path path = Path.of(source.getLocation().toURI());
    if (!path.toString().endsWith(".jar")) {
      throw new IllegalStateException("the agent must run from its jar, not from " + path);
    }
    return path;
  }
}
