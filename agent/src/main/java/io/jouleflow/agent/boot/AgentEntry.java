package io.jouleflow.agent.boot;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent jar's Premain-Class, Agent-Class and Main-Class, loaded by the system class loader.
 * It only puts the bridge on the bootstrap class path and hands over to the agent runtime inside
 * its own class loader, so the agent's classes and libraries stay out of the application's way.
 * JDK types only; nothing here may throw into the application.
 */
public final class AgentEntry {

  static final String INSTALLED_PROPERTY = "io.jouleflow.agent.installed";

  private AgentEntry() {}

  public static void premain(String args, Instrumentation inst) {
    start(args, inst, false);
  }

  public static void agentmain(String args, Instrumentation inst) {
    start(args, inst, true);
  }

  /** {@code java -jar jouleflow-agent.jar attach <pid> [k=v,...]}. */
  public static void main(String[] argv) {
    System.exit(AttachCommand.run(argv, System.out, System.err));
  }

  private static synchronized void start(String args, Instrumentation inst, boolean attached) {
    try {
      if (System.getProperty(INSTALLED_PROPERTY) != null) {
        System.err.println("[jouleflow] agent already running in this JVM; ignoring the second load");
        return;
      }
      if (!inst.isRetransformClassesSupported()) {
        System.err.println("[jouleflow] WARN this JVM cannot retransform classes; agent disabled");
        return;
      }
      Path jar = AgentJar.location();
      BootstrapBridge.install(inst, jar);
      List<URL> urls = new ArrayList<>();
      urls.add(jar.toUri().toURL());
      urls.addAll(NestedLibraries.extract(jar));
      ClassLoader agentLoader = new URLClassLoader(
          "jouleflow-agent", urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
      Class<?> runtime = agentLoader.loadClass("io.jouleflow.agent.runtime.AgentRuntime");
      Method startMethod =
          runtime.getMethod("start", String.class, Instrumentation.class, boolean.class);
      System.setProperty(INSTALLED_PROPERTY, "true");
      startMethod.invoke(null, args, inst, attached);
    } catch (Throwable t) {
      Throwable cause = t instanceof InvocationTargetException && t.getCause() != null
          ? t.getCause() : t;
      System.err.println("[jouleflow] WARN agent disabled, the application runs without it: " + cause);
    }
  }
}
