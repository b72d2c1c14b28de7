package io.jouleflow.agent.bridge;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;

/**
 * Runs that reach TensorFlow's C API ({@code TF_SessionRun}) through a Java wrapper the agent
 * instruments, DJL's {@code JavacppUtils.runSession}: the session is a JavaCPP {@code
 * TF_Session}. Sampling, tracing and the listener are {@link Bridge}'s; what is added here is the
 * RunMetadata buffer, which DJL passes as null: on a traced run the agent's substitute for the
 * {@code TF_SessionRun} call passes a buffer of its own and keeps the bytes. JDK types only, like
 * the rest of the bridge.
 */
public final class CApiRuns {

  /** Per thread: whether the run in flight wants a metadata buffer, and what it returned. */
  private static final ThreadLocal<Pending> PENDING = ThreadLocal.withInitial(Pending::new);

  private CApiRuns() {}

  /**
   * Enter of the wrapper: as {@link Bridge#enterRun}, with the session known. The caller cannot
   * ask for metadata through DJL, so a sampled run is traced by the agent ({@link
   * Bridge#TRACE_INJECT}) or, when the caller's options trace, borrowed ({@link
   * Bridge#TRACE_BORROW}); either way the metadata is taken and never reaches the caller.
   */
  public static int enter(long startNanos, Object session, Object runOptions,
      Object[] inputTensors, int outputCount) {
    Bridge.enterRunner(session, null);
    int mode = Bridge.enterRun(startNanos, runOptions, false, outputCount, inputTensors);
    Pending p = PENDING.get();
    p.wanted = Bridge.traceOf(mode) != Bridge.TRACE_NONE;
    p.trace = null;
    return mode;
  }

  /** The agent could not build traced options: no buffer either. */
  public static int injectionFailed(int mode) {
    PENDING.get().wanted = false;
    return Bridge.injectionFailed(mode);
  }

  /** Exit of the wrapper: hands the run (and its trace, if one was taken) to the bridge. */
  public static void exit(int mode, long startNanos, long endNanos, int outputCount,
      boolean failed) {
    Pending p = PENDING.get();
    byte[] trace = failed ? null : p.trace;
    p.wanted = false;
    p.trace = null;
    try {
      Bridge.exitRun(mode, startNanos, endNanos, outputCount, trace, failed);
    } finally {
      Bridge.exitRunner();
    }
  }

  /**
   * Replaces the wrapper's call of {@code TF_SessionRun} (Byte Buddy's member substitution binds
   * the call's arguments to these parameters by position): the same native call, with a metadata
   * buffer in place of {@code runMetadata} when this run is traced and the caller passed none.
   * Whatever the native call throws reaches the caller unchanged.
   */
  public static void sessionRun(Object session, Object runOptions, Object inputs,
      Object inputValues, int inputCount, Object outputs, Object outputValues, int outputCount,
      Object targets, int targetCount, Object runMetadata, Object status) throws Throwable {
    Pending p = PENDING.get();
    Object buffer = null;
    if (p.wanted && runMetadata == null) {
      buffer = newBuffer(session);
    }
    NATIVE_RUN.get(status.getClass()).invokeExact(session, runOptions, inputs, inputValues,
        inputCount, outputs, outputValues, outputCount, targets, targetCount,
        buffer != null ? buffer : runMetadata, status);
    if (buffer != null) {
      p.trace = bytesOf(buffer);
    }
  }

  private static final MethodType GENERIC_RUN = MethodType.methodType(void.class, Object.class,
      Object.class, Object.class, Object.class, int.class, Object.class, Object.class, int.class,
      Object.class, int.class, Object.class, Object.class);

  // TF_SessionRun of the run's TensorFlow (the class the substituted call linked against), by the
  // class of its TF_Status: DJL makes one for every run, never null.
  private static final ClassValue<MethodHandle> NATIVE_RUN = new ClassValue<>() {
    @Override
    protected MethodHandle computeValue(Class<?> statusType) {
      try {
        ClassLoader loader = statusType.getClassLoader();
        String capi = String.join(".", "org", "tensorflow", "internal", "c_api") + ".";
        Class<?> session = Class.forName(capi + "TF_Session", false, loader);
        Class<?> buffer = Class.forName(capi + "TF_Buffer", false, loader);
        Class<?> output = Class.forName(capi + "TF_Output", false, loader);
        Class<?> pointers = Class.forName(
            String.join(".", "org", "bytedeco", "javacpp", "PointerPointer"), false, loader);
        Method run = Class.forName(capi + "global.tensorflow", false, loader).getMethod(
            "TF_SessionRun", session, buffer, output, pointers, int.class, output, pointers,
            int.class, pointers, int.class, buffer, statusType);
        return MethodHandles.publicLookup().unreflect(run).asType(GENERIC_RUN);
      } catch (ReflectiveOperationException | LinkageError e) {
        // The wrapper was linked against this very method: it cannot be missing.
        throw new IllegalStateException("TF_SessionRun not found next to " + statusType, e);
      }
    }
  };

  /** {@code TF_Buffer.newBuffer()} of the session's TensorFlow, or null. */
  private static Object newBuffer(Object session) {
    try {
      BufferAccess access = session == null ? null : BUFFERS.get(session.getClass());
      return access == null ? null : access.newBuffer.invoke(null);
    } catch (Throwable t) {
      return null;
    }
  }

  /** The buffer's bytes ({@code copyData()}), or null when empty or unreadable. */
  private static byte[] bytesOf(Object buffer) {
    try {
      BufferAccess access = BUFFERS.get(buffer.getClass());
      byte[] bytes = access == null ? null : (byte[]) access.copyData.invoke(buffer);
      return bytes == null || bytes.length == 0 ? null : bytes;
    } catch (Throwable t) {
      return null;
    }
  }

  // ---- DJL's TfOpExecutor: eager ops (TFE_Execute) ----

  /** The op type of the executor this thread created last (an executor is built where made). */
  private static final ThreadLocal<Object[]> LAST_OP = new ThreadLocal<>();

  /** Exit of {@code TfOpExecutor(manager, context, opType)}. */
  public static void opCreated(Object executor, String opType) {
    LAST_OP.set(new Object[] {executor, opType});
  }

  /** Exit of {@code TfOpExecutor.buildRawPointer(int)}: the op executed. */
  public static void opExecuted(Object executor, long startNanos, long endNanos) {
    Object[] last = LAST_OP.get();
    String type = last != null && last[0] == executor ? (String) last[1] : "unknown";
    LAST_OP.remove();
    Bridge.eagerOp(type, startNanos, endNanos);
  }

  private static final class Pending {
    boolean wanted;
    byte[] trace;
  }

  // Keyed by a class of the application's TensorFlow (TF_Session or TF_Buffer): it goes away
  // with that class loader.
  private static final ClassValue<BufferAccess> BUFFERS = new ClassValue<>() {
    @Override
    protected BufferAccess computeValue(Class<?> type) {
      try {
        return new BufferAccess(type.getClassLoader());
      } catch (Exception | LinkageError e) {
        return null;
      }
    }
  };

  /** JavaCPP's {@code TF_Buffer} of one TensorFlow Java (as loaded by one class loader). */
  private static final class BufferAccess {
    final Method newBuffer;
    final Method copyData;

    BufferAccess(ClassLoader loader) throws Exception {
      Class<?> buffer = Class.forName(
          String.join(".", "org", "tensorflow", "internal", "c_api", "TF_Buffer"), false, loader);
      // With a deallocator: freed with the pointer scope the wrapper opened around the run.
      newBuffer = buffer.getMethod("newBuffer");
      copyData = buffer.getMethod("copyData");
    }
  }
}
