package io.jouleflow.agent.bridge;

import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one class that advice inlined into TensorFlow calls. It is appended to the bootstrap class
 * path, so every class loader that loads TensorFlow can see it, and it therefore uses JDK types
 * only. It holds the trace sampling decision and hands every event to the agent's {@link
 * RunListener}; until the agent has started, events are ignored.
 *
 * <p>Nothing here may throw into the application: advice suppresses throwables, and the methods
 * below catch what they can.
 */
public final class Bridge {

  /** This run is not traced by the agent. */
  public static final int TRACE_NONE = 0;
  /** The agent turns tracing on for this run and hides the metadata from the caller. */
  public static final int TRACE_INJECT = 1;
  /** The caller traces this run and asked for metadata itself: the agent reads a copy. */
  public static final int TRACE_OBSERVE = 2;
  /**
   * The caller traces this run but did not ask for metadata: the agent asks for it, takes it and
   * hides it again.
   */
  public static final int TRACE_BORROW = 3;

  private static volatile RunListener listener;
  private static volatile int traceEvery;

  private static final ThreadLocal<RunContext> CONTEXT = new ThreadLocal<>();
  private static final AtomicLong RUNS = new AtomicLong();
  // TensorFlow allows one profiling session per process ("Another profiling session active"):
  // the agent traces only when neither its own nor a caller's traced run is in flight.
  private static final java.util.concurrent.atomic.AtomicBoolean AGENT_TRACE_IN_FLIGHT =
      new java.util.concurrent.atomic.AtomicBoolean();
  private static final java.util.concurrent.atomic.AtomicInteger CALLER_TRACES_IN_FLIGHT =
      new java.util.concurrent.atomic.AtomicInteger();

  // Reflection handles for TensorFlow's proto classes, resolved on first traced run of a loader.
  private static volatile ProtoAccess protoAccess;

  private Bridge() {}

  /** Called once by the agent when it is ready; {@code every <= 0} disables tracing. */
  public static void activate(RunListener l, int every) {
    traceEvery = every;
    listener = l;
  }

  /** Stops reporting (agent shutdown). */
  public static void deactivate() {
    listener = null;
  }

  public static boolean active() {
    return listener != null;
  }

  // ---- Session$Runner.runHelper ----

  /** Enter of {@code Session$Runner.runHelper}: remembers which session this thread runs. */
  public static void enterRunner(Object session, Object fetchNames) {
    RunContext ctx = CONTEXT.get();
    if (ctx == null) {
      ctx = new RunContext();
      CONTEXT.set(ctx);
    }
    ctx.session = session;
    ctx.fetchNames = fetchNames;
  }

  /** Exit of {@code Session$Runner.runHelper}: drops the references again. */
  public static void exitRunner() {
    RunContext ctx = CONTEXT.get();
    if (ctx != null) {
      ctx.session = null;
      ctx.fetchNames = null;
    }
  }

  // ---- private static Session.run(...) ----

  /**
   * Decides whether the agent traces this run. Runs whose caller asked for metadata are never
   * changed: if the caller traces them, the agent reads the same metadata ({@link
   * #TRACE_OBSERVE}); otherwise they run as the caller asked. A run that gets {@link
   * #TRACE_INJECT} must be followed by {@link #traceFinished(int, boolean)}.
   */
  public static int traceMode(Object callerOptions, boolean callerWantsMetadata) {
    boolean callerTraces = tracesAlready(callerOptions);
    if (callerTraces) {
      CALLER_TRACES_IN_FLIGHT.incrementAndGet();
    }
    int every = traceEvery;
    if (every <= 0 || listener == null) {
      return TRACE_NONE;
    }
    // Runs 0, N, 2N, ... across all threads: the first run is traced, so layers show up early.
    if (RUNS.getAndIncrement() % every != 0) {
      return TRACE_NONE;
    }
    if (callerTraces) {
      return callerWantsMetadata ? TRACE_OBSERVE : TRACE_BORROW;
    }
    if (callerWantsMetadata) {
      return TRACE_NONE;
    }
    if (CALLER_TRACES_IN_FLIGHT.get() > 0
        || !AGENT_TRACE_IN_FLIGHT.compareAndSet(false, true)) {
      return TRACE_NONE; // a profiling session is already running: skip this sample
    }
    return TRACE_INJECT;
  }

  /** Whether the run's metadata must be hidden from the caller again on exit. */
  public static boolean hidesMetadata(int mode) {
    return mode == TRACE_INJECT || mode == TRACE_BORROW;
  }

  /** Exit of every {@code Session.run}: releases what {@link #traceMode} took. */
  public static void traceFinished(int mode, Object callerOptions) {
    if (mode == TRACE_INJECT) {
      AGENT_TRACE_IN_FLIGHT.set(false);
    } else if (callerOptions != null && tracesAlready(callerOptions)) {
      CALLER_TRACES_IN_FLIGHT.decrementAndGet();
    }
  }

  /**
   * The caller's RunOptions with full tracing turned on (a new message; the caller's object is
   * not modified), or null if it cannot be built — then the run stays untraced.
   */
  public static Object tracedOptions(Object callerOptions, Object sessionHandle) {
    try {
      ProtoAccess access = access(callerOptions, sessionHandle);
      return access == null ? null : access.traced(callerOptions);
    } catch (Throwable t) {
      return null;
    }
  }

  /** Serialized RunMetadata, or null. */
  public static byte[] metadataBytes(Object runMetadata) {
    if (runMetadata == null) {
      return null;
    }
    try {
      ProtoAccess access = protoAccess;
      Method m = access != null && access.metadataClass == runMetadata.getClass()
          ? access.toByteArray
          : runMetadata.getClass().getMethod("toByteArray");
      return (byte[]) m.invoke(runMetadata);
    } catch (Throwable t) {
      return null;
    }
  }

  /** Exit of {@code Session.run}: hands the run to the agent. */
  public static void exitRun(
      long startNanos, long endNanos, int outputCount, byte[] trace, boolean failed) {
    RunListener l = listener;
    if (l == null) {
      return;
    }
    RunContext ctx = CONTEXT.get();
    Object session = ctx == null ? null : ctx.session;
    Object fetchNames = trace == null || ctx == null ? null : ctx.fetchNames;
    try {
      l.onRun(session, fetchNames, startNanos, endNanos, outputCount, trace, failed);
    } catch (Throwable ignored) {
      // The listener never throws by contract; this is the last line of defence.
    }
  }

  // ---- EagerOperationBuilder.build ----

  public static void eagerOp(String opType, long startNanos, long endNanos) {
    RunListener l = listener;
    if (l != null) {
      try {
        l.onEagerOp(opType, startNanos, endNanos);
      } catch (Throwable ignored) {
        // see exitRun
      }
    }
  }

  // ---- SavedModelBundle.load ----

  public static void savedModelLoaded(Object bundle, String exportDir) {
    RunListener l = listener;
    if (l != null && bundle != null) {
      try {
        l.onSavedModelLoaded(bundle, exportDir);
      } catch (Throwable ignored) {
        // see exitRun
      }
    }
  }

  private static boolean tracesAlready(Object callerOptions) {
    if (callerOptions == null) {
      return false;
    }
    try {
      Method m = TRACE_LEVEL_VALUE.get(callerOptions.getClass());
      return m != null && ((Integer) m.invoke(callerOptions)) != 0;
    } catch (Throwable t) {
      return false;
    }
  }

  private static final ClassValue<Method> TRACE_LEVEL_VALUE = new ClassValue<>() {
    @Override
    protected Method computeValue(Class<?> type) {
      try {
        return type.getMethod("getTraceLevelValue");
      } catch (NoSuchMethodException e) {
        return null;
      }
    }
  };

  private static ProtoAccess access(Object callerOptions, Object sessionHandle) throws Exception {
    ProtoAccess current = protoAccess;
    ClassLoader loader =
        callerOptions != null
            ? callerOptions.getClass().getClassLoader()
            : sessionHandle == null ? null : sessionHandle.getClass().getClassLoader();
    if (current != null && current.loader == loader) {
      return current;
    }
    ProtoAccess fresh = new ProtoAccess(loader);
    protoAccess = fresh;
    return fresh;
  }

  /** Per-thread state: the session being run by this thread. */
  private static final class RunContext {
    Object session;
    Object fetchNames;
  }

  /** Reflective access to TensorFlow's RunOptions/RunMetadata as loaded by one class loader. */
  private static final class ProtoAccess {
    final ClassLoader loader;
    final Method newBuilder;
    final Method toBuilder;
    final Method setTraceLevel;
    final Method build;
    final Object fullTrace;
    final Class<?> metadataClass;
    final Method toByteArray;

    // Built at run time: the shade plugin rewrites string constants that name relocated
    // packages, and these must name TensorFlow's own classes, not the agent's copies.
    private static final String TF_PROTO = String.join(".", "org", "tensorflow", "proto") + ".";

    ProtoAccess(ClassLoader loader) throws Exception {
      this.loader = loader;
      Class<?> options = Class.forName(TF_PROTO + "RunOptions", true, loader);
      Class<?> builder = Class.forName(TF_PROTO + "RunOptions$Builder", true, loader);
      Class<?> level = Class.forName(TF_PROTO + "RunOptions$TraceLevel", true, loader);
      newBuilder = options.getMethod("newBuilder");
      toBuilder = options.getMethod("toBuilder");
      setTraceLevel = builder.getMethod("setTraceLevel", level);
      build = builder.getMethod("build");
      fullTrace = level.getField("FULL_TRACE").get(null);
      metadataClass = Class.forName(TF_PROTO + "RunMetadata", true, loader);
      toByteArray = metadataClass.getMethod("toByteArray");
    }

    Object traced(Object callerOptions) throws Exception {
      Object b = callerOptions == null ? newBuilder.invoke(null) : toBuilder.invoke(callerOptions);
      setTraceLevel.invoke(b, fullTrace);
      return build.invoke(b);
    }
  }
}
