package io.jouleflow.agent.instrument;

import io.jouleflow.agent.log.AgentLog;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Says, in one log line each, when the application uses TensorFlow in a way the agent does not
 * cover, and what still works: a class that calls TensorFlow's C API ({@code TF_SessionRun})
 * itself, found as classes load by a transformer that searches the bytes of classes outside the
 * JDK, TensorFlow and DJL; it never changes a class and never loads or initializes one.
 */
public final class CoverageCheck implements ClassFileTransformer {

  /** What the agent does not cover. */
  enum Gap {
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
      + " hw_power_watts), TensorFlow Java's (1.x, 0.5.0) Session, SavedModelBundle and eager"
      + " ops, and DJL's TensorFlow engine";

  private static final byte[] SESSION_RUN = ascii("TF_SessionRun");
  private static final byte[] C_API_CLASS = ascii("org/tensorflow/internal/c_api/global/tensorflow");
  private static final String[] NOT_SCANNED = {"java/", "javax/", "jdk/", "sun/", "com/sun/",
      "org/tensorflow/", "org/bytedeco/", "net/bytebuddy/", "ai/djl/"};

  private final Set<Gap> reported = ConcurrentHashMap.newKeySet();

  /**
   * Watches classes as they load. (At start nothing is left to look for by name: TensorFlow Java
   * 1.x and 0.5.0 and DJL's engine are covered; a direct C API caller shows in its bytes.)
   */
  public static CoverageCheck install(Instrumentation inst) {
    CoverageCheck check = new CoverageCheck();
    inst.addTransformer(check, false);
    return check;
  }

  @Override
  public byte[] transform(ClassLoader loader, String className, Class<?> redefined,
      ProtectionDomain domain, byte[] bytes) {
    try {
      Gap gap = gapOf(loader, className, redefined, bytes);
      if (gap != null && reported.add(gap)) {
        String what = String.format(gap.what, className.replace('/', '.'));
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
