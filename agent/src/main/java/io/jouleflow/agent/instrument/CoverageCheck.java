package io.jouleflow.agent.instrument;

import io.jouleflow.agent.log.AgentLog;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Says, in one log line each, when the application uses TensorFlow in a way the agent does not
 * cover, and what still works. Looked for at start (the system class path; the loaded classes
 * when attached) and then as classes load: a transformer that only reads names and, for a few
 * classes, searches their bytes; it never changes a class and never loads or initializes one.
 */
public final class CoverageCheck implements ClassFileTransformer {

  /** What the agent does not cover. */
  enum Gap {
    TF_JAVA_0X("TensorFlow Java 0.x (its org.tensorflow.Session uses org.tensorflow.proto.framework)",
        "its runs and their time are counted under model=\"unknown\" and eager ops by type,"
            + " but no model names, layers, traces or predictions"),
    C_API("TensorFlow's C API called directly (TF_SessionRun, in %s)",
        "such runs are not seen");

    final String what;
    final String effect;

    Gap(String what, String effect) {
      this.what = what;
      this.effect = effect;
    }
  }

  static final String STILL_WORKS = "still measured: the meters (hw_energy_joules_total,"
      + " hw_power_watts), TensorFlow Java 1.x's Session, SavedModelBundle and eager ops, and"
      + " DJL's TensorFlow engine";

  private static final String SESSION = "org/tensorflow/Session";
  // Joined at run time: the shade plugin rewrites constants naming org.tensorflow.proto (relocated).
  private static final byte[] PROTO_0X =
      ascii(String.join("/", "org", "tensorflow", "proto", "framework") + "/");
  private static final byte[] SESSION_RUN = ascii("TF_SessionRun");
  private static final byte[] C_API_CLASS = ascii("org/tensorflow/internal/c_api/global/tensorflow");
  private static final String[] NOT_SCANNED = {"java/", "javax/", "jdk/", "sun/", "com/sun/",
      "org/tensorflow/", "org/bytedeco/", "net/bytebuddy/", "ai/djl/"};

  private final Set<Gap> reported = ConcurrentHashMap.newKeySet();

  /** Logs what is not covered so far (one line), then watches classes as they load. */
  public static CoverageCheck install(Instrumentation inst, boolean attached) {
    CoverageCheck check = new CoverageCheck();
    List<String> found = new ArrayList<>();
    try {
      if (attached) {
        for (Class<?> c : inst.getAllLoadedClasses()) {
          check.atStart(c.getName().replace('.', '/'), c.getClassLoader(), found);
        }
      } else {
        check.atStart(SESSION, ClassLoader.getSystemClassLoader(), found);
      }
    } catch (RuntimeException | LinkageError e) {
      AgentLog.debug("coverage check at start: " + e);
    }
    if (!found.isEmpty()) {
      AgentLog.warn("not covered: " + String.join("; ", found) + "; " + STILL_WORKS);
    }
    inst.addTransformer(check, false);
    return check;
  }

  private void atStart(String name, ClassLoader loader, List<String> found) {
    if (loader == null) {
      return;
    }
    Gap gap = null;
    if (name.equals(SESSION)) {
      try (InputStream in = loader.getResourceAsStream(SESSION + ".class")) {
        gap = in != null && contains(in.readAllBytes(), PROTO_0X) ? Gap.TF_JAVA_0X : null;
      } catch (Exception e) {
        gap = null;
      }
    }
    if (gap != null && reported.add(gap)) {
      found.add(gap.what + ": " + gap.effect);
    }
  }

  @Override
  public byte[] transform(ClassLoader loader, String className, Class<?> redefined,
      ProtectionDomain domain, byte[] bytes) {
    try {
      Gap gap = gapOf(loader, className, redefined, bytes);
      if (gap != null && reported.add(gap)) {
        String what = gap == Gap.C_API ? String.format(gap.what, className.replace('/', '.'))
            : gap.what;
        AgentLog.warn("not covered: " + what + ": " + gap.effect + "; " + STILL_WORKS);
      }
    } catch (RuntimeException | LinkageError e) {
      // never in the application's way
    }
    return null;
  }

  /** The gap a class being loaded shows, or null. */
  Gap gapOf(ClassLoader loader, String className, Class<?> redefined, byte[] bytes) {
    if (loader == null || className == null || redefined != null || bytes == null) {
      return null;
    }
    if (className.equals(SESSION)) {
      return contains(bytes, PROTO_0X) ? Gap.TF_JAVA_0X : null;
    }
    if (className.startsWith("ai/djl/tensorflow/")) {
      return null; // DJL's TensorFlow engine: its C API calls are instrumented (JavacppUtils)
    }
    if (reported.contains(Gap.C_API) || excluded(className)) {
      return null;
    }
    return contains(bytes, SESSION_RUN) && contains(bytes, C_API_CLASS) ? Gap.C_API : null;
  }

  private static boolean excluded(String className) {
    for (String prefix : NOT_SCANNED) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code bytes} contain {@code part} (class files are small: a plain scan). */
  static boolean contains(byte[] bytes, byte[] part) {
    byte first = part[0];
    outer:
    for (int i = 0, end = bytes.length - part.length; i <= end; i++) {
      if (bytes[i] != first) {
        continue;
      }
      for (int j = 1; j < part.length; j++) {
        if (bytes[i + j] != part[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
