package io.jouleflow.agent.boot;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Libraries that cannot be relocated because their native code is bound to their package names
 * (JNA) travel inside the agent jar as nested jars under {@code io/jouleflow/agent/lib/}. They are
 * copied to a private temporary directory and put on the agent's own class loader only, so the
 * application never sees them and may use its own versions.
 */
final class NestedLibraries {

  static final String PREFIX = "io/jouleflow/agent/lib/";

  private NestedLibraries() {}

  static List<URL> extract(Path agentJar) throws IOException {
    List<URL> urls = new ArrayList<>();
    Path dir = null;
    try (JarFile jar = new JarFile(agentJar.toFile())) {
      Enumeration<JarEntry> entries = jar.entries();
      while (entries.hasMoreElements()) {
        JarEntry e = entries.nextElement();
        if (!e.getName().startsWith(PREFIX) || !e.getName().endsWith(".jar")) {
          continue;
        }
        if (dir == null) {
          dir = AgentFiles.directory();
        }
        Path target = dir.resolve(e.getName().substring(PREFIX.length()));
        try (InputStream in = jar.getInputStream(e)) {
          Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        target.toFile().deleteOnExit();
        urls.add(target.toUri().toURL());
      }
    }
    return urls;
  }
}
