package io.jouleflow.agent.boot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * Copies the bridge package ({@code io/jouleflow/agent/bridge/}) out of the agent jar into a
 * small temporary jar and appends that to the bootstrap class path: advice inlined into
 * TensorFlow classes calls the bridge, and only the bootstrap loader is visible from every
 * class loader that might load TensorFlow.
 */
final class BootstrapBridge {

  static final String PACKAGE_PATH = "io/jouleflow/agent/bridge/";

  private BootstrapBridge() {}

  static void install(Instrumentation inst, Path agentJar) throws IOException {
    Path bridgeJar = AgentFiles.directory().resolve("jouleflow-bridge.jar");
    bridgeJar.toFile().deleteOnExit();
    int classes = 0;
    try (JarFile source = new JarFile(agentJar.toFile());
        OutputStream file = Files.newOutputStream(bridgeJar);
        JarOutputStream out = new JarOutputStream(file)) {
      Enumeration<JarEntry> entries = source.entries();
      while (entries.hasMoreElements()) {
        JarEntry e = entries.nextElement();
        if (e.getName().startsWith(PACKAGE_PATH) && e.getName().endsWith(".class")) {
          out.putNextEntry(new JarEntry(e.getName()));
          try (InputStream in = source.getInputStream(e)) {
            in.transferTo(out);
          }
          out.closeEntry();
          classes++;
        }
      }
    }
    if (classes == 0) {
      throw new IOException("no bridge classes in " + agentJar);
    }
    inst.appendToBootstrapClassLoaderSearch(new JarFile(bridgeJar.toFile()));
  }
}
