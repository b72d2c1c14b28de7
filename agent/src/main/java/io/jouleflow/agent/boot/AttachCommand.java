package io.jouleflow.agent.boot;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;

/**
 * {@code java -jar jouleflow-agent.jar attach <pid> [k=v,...]}: loads this agent jar into a
 * running JVM, which then retransforms the TensorFlow classes it has already loaded.
 */
final class AttachCommand {

  private static final String USAGE =
      "usage: java -jar jouleflow-agent.jar attach <pid> [key=value,...]";

  private AttachCommand() {}

  static int run(String[] argv, PrintStream out, PrintStream err) {
    if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h")) {
      (argv.length == 0 ? err : out).println(USAGE);
      return argv.length == 0 ? 2 : 0;
    }
    if (!argv[0].equals("attach")) {
      err.println("jouleflow-agent: unknown command '" + argv[0] + "'; " + USAGE);
      return 2;
    }
    if (argv.length < 2 || argv.length > 3) {
      err.println("jouleflow-agent: attach needs a process id and at most one option list; " + USAGE);
      return 2;
    }
    String pid = argv[1];
    if (!pid.matches("\\d+")) {
      err.println("jouleflow-agent: '" + pid + "' is not a process id; " + USAGE);
      return 2;
    }
    String options = argv.length == 3 ? argv[2] : "";
    try {
      Path jar = AgentJar.location();
      Class<?> vmClass = Class.forName("com.sun.tools.attach.VirtualMachine");
      Object vm = vmClass.getMethod("attach", String.class).invoke(null, pid);
      try {
        vmClass.getMethod("loadAgent", String.class, String.class)
            .invoke(vm, jar.toAbsolutePath().toString(), options);
      } finally {
        vmClass.getMethod("detach").invoke(vm);
      }
      out.println("jouleflow agent loaded into process " + pid
          + " (its log lines appear on that process's standard error)");
      return 0;
    } catch (ClassNotFoundException e) {
      err.println("jouleflow-agent: this Java runtime has no attach API (module jdk.attach); use a JDK");
      return 1;
    } catch (InvocationTargetException e) {
      Throwable c = e.getCause();
      err.println("jouleflow-agent: could not attach to process " + pid + ": "
          + (c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName()));
      return 1;
    } catch (Exception e) {
      err.println("jouleflow-agent: could not attach to process " + pid + ": " + e);
      return 1;
    }
  }
}
