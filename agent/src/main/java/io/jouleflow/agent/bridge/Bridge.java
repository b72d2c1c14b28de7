package io.jouleflow.agent.bridge;

import java.lang.ref.WeakReference;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one class that advice inlined into TensorFlow calls. It is appended to the bootstrap class
 * path, so every class loader that loads TensorFlow can see it, and it therefore uses JDK types
 * only. It holds the trace sampling decision, knows which runs are in flight, and hands every
 * event to the agent's {@link RunListener}; until the agent has started, events are ignored.
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
  /** Flag on a run mode: the caller's own RunOptions request a trace. */
  static final int CALLER_TRACES = 0x10;
  private static final int MODE_MASK = 0x0f;

  /** {@code trace.every=auto}: see {@link AdaptiveSampling}. */
  public static final int TRACE_AUTO = -1;

  private static volatile RunListener listener;
  private static volatile int traceEvery;
  private static volatile AdaptiveSampling adaptive; // with TRACE_AUTO

  private static final ThreadLocal<RunContext> CONTEXT = new ThreadLocal<>();
  // Every thread's context, to find the oldest run in flight; contexts of dead threads vanish.
  private static final CopyOnWriteArrayList<WeakReference<RunContext>> CONTEXTS =
      new CopyOnWriteArrayList<>();
  private static final AtomicLong RUNS = new AtomicLong();
  // TensorFlow allows one profiling session per process ("Another profiling session active"):
  // the agent traces only when no other trace runs, and never again once the application has
  // shown that it traces runs itself (its trace could start while ours runs).
  private static final AtomicBoolean AGENT_TRACE_IN_FLIGHT = new AtomicBoolean();
  private static final AtomicInteger CALLER_TRACES_IN_FLIGHT = new AtomicInteger();
  private static volatile boolean callerHasTraced;
  // Traces use SOFTWARE_TRACE (step stats from the executor: no profiler session, no TensorFlow
  // log lines) until a traced run shows a GPU device, whose kernel times need the profiler.
  private static volatile boolean profilerTraces;

  private Bridge() {}

  /** Called once by the agent when it is ready; {@code every == 0} disables tracing. */
  public static void activate(RunListener l, int every) {
    activate(l, every, 1_000_000_000L);
  }

  /**
   * As {@link #activate(RunListener, int)}; with {@code every == TRACE_AUTO}, a session and batch
   * size is traced again {@code intervalNanos} after its last trace (see {@link AdaptiveSampling}).
   */
  public static void activate(RunListener l, int every, long intervalNanos) {
    adaptive = every == TRACE_AUTO ? new AdaptiveSampling(intervalNanos) : null;
    traceEvery = every;
    listener = l;
  }

  /** Stops reporting (agent shutdown). */
  public static void deactivate() {
    listener = null;
  }



  /**
   * {@link System#nanoTime()} at which the oldest Session.run now in flight started, or {@link
   * Long#MAX_VALUE} when none is. A run's event is queued before it stops counting as in flight,
   * so energy before this instant can be closed once the queue is drained.
   */
  public static long oldestRunStart() {
    long oldest = Long.MAX_VALUE;
    for (WeakReference<RunContext> ref : CONTEXTS) {
      RunContext ctx = ref.get();
      if (ctx == null) {
        CONTEXTS.remove(ref);
      } else {
        long since = ctx.runningSince;
        if (since != 0 && since - oldest < 0) {
          oldest = since;
        }
      }
    }
    return oldest;
  }

  // ---- Session$Runner.runHelper ----

  /** Enter of {@code Session$Runner.runHelper}: remembers which session this thread runs. */
  public static void enterRunner(Object session, Object fetchNames) {
    RunContext ctx = context();
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
   * Enter of {@code Session.run}: marks the run in flight and decides whether the agent traces
   * it. Only runs that fetch outputs (inferences) are traced. Runs whose caller asked for
   * metadata are never changed: if the caller traces them, the agent reads the same metadata
   * ({@link #TRACE_OBSERVE}); otherwise they run as the caller asked. The returned mode goes back
   * to {@link #exitRun}.
   */
  public static int enterRun(long startNanos, Object callerOptions, boolean callerWantsMetadata,
      int outputCount, Object[] inputTensors) {
    RunContext ctx = context();
    ctx.runningSince = startNanos == 0 ? 1 : startNanos;
    boolean callerTraces = tracesAlready(callerOptions);
    int flag = 0;
    if (callerTraces) {
      callerHasTraced = true;
      CALLER_TRACES_IN_FLIGHT.incrementAndGet();
      flag = CALLER_TRACES;
    }
    int every = traceEvery;
    if (every == 0 || listener == null || outputCount == 0) {
      return flag | TRACE_NONE;
    }
    AdaptiveSampling auto = adaptive;
    AdaptiveSampling.Slot slot = null;
    if (auto != null) {
      slot = auto.slot(ctx.sampling, ctx.session, AdaptiveSampling.batchOf(inputTensors));
      if (!auto.due(slot, startNanos)) {
        return flag | TRACE_NONE;
      }
    } else if (RUNS.getAndIncrement() % every != 0) {
      // Inferences 0, N, 2N, ... across all threads: the first is traced, so layers show early.
      return flag | TRACE_NONE;
    }
    int mode = traceMode(callerTraces, callerWantsMetadata);
    if (slot != null && mode != TRACE_NONE) {
      auto.tracing(slot, startNanos);
    }
    return flag | mode;
  }

  /** The trace mode of a sampled run (see {@link #enterRun}). */
  private static int traceMode(boolean callerTraces, boolean callerWantsMetadata) {
    if (callerTraces) {
      if (callerWantsMetadata) {
        return TRACE_OBSERVE;
      }
      return AGENT_TRACE_IN_FLIGHT.get() ? TRACE_NONE : TRACE_BORROW;
    }
    if (callerWantsMetadata || callerHasTraced || CALLER_TRACES_IN_FLIGHT.get() > 0
        || !AGENT_TRACE_IN_FLIGHT.compareAndSet(false, true)) {
      return TRACE_NONE; // a profiling session may be running: skip this sample
    }
    return TRACE_INJECT;
  }

  /** The trace part of a run mode ({@link #TRACE_NONE} ... {@link #TRACE_BORROW}). */
  public static int traceOf(int mode) {
    return mode & MODE_MASK;
  }

  /** Whether the run's metadata must be hidden from the caller again on exit. */
  public static boolean hidesMetadata(int mode) {
    int trace = mode & MODE_MASK;
    return trace == TRACE_INJECT || trace == TRACE_BORROW;
  }

  /** The agent could not build traced options: the run goes untraced after all. */
  public static int injectionFailed(int mode) {
    AGENT_TRACE_IN_FLIGHT.set(false);
    return (mode & ~MODE_MASK) | TRACE_NONE;
  }

  /**
   * From now on the agent's traces use {@code FULL_TRACE} (TensorFlow's profiler: GPU kernel
   * times, and TensorFlow's log lines about its profiler session) instead of {@code
   * SOFTWARE_TRACE}. Called when a traced run showed a GPU device.
   */
  public static void useProfilerTraces() {
    profilerTraces = true;
  }

  /** Whether the agent's traces use TensorFlow's profiler ({@link #useProfilerTraces()}). */
  public static boolean profilerTraces() {
    return profilerTraces;
  }

  /**
   * The caller's RunOptions with tracing turned on — {@code SOFTWARE_TRACE}, or {@code
   * FULL_TRACE} once {@link #useProfilerTraces()} — as a new message (the caller's object is not
   * modified), or null if it cannot be built: then the run stays untraced. {@code runner} is the
   * class of the advised run method — TensorFlow Java's {@code Session} or DJL's {@code
   * JavacppUtils} — whose parameter names the RunOptions class (its package differs between
   * TensorFlow Java 0.x and 1.x).
   */
  public static Object tracedOptions(Object callerOptions, Class<?> runner) {
    try {
      Class<?> options = runner == null ? null : RUN_OPTIONS.get(runner);
      ProtoAccess access = options == null ? null : PROTO_ACCESS.get(options);
      return access == null ? null : access.traced(callerOptions, profilerTraces);
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
      Method m = TO_BYTE_ARRAY.get(runMetadata.getClass());
      return m == null ? null : (byte[]) m.invoke(runMetadata);
    } catch (Throwable t) {
      return null;
    }
  }

  /** Exit of {@code Session.run}: releases the trace gate, hands the run to the agent. */
  public static void exitRun(
      int mode, long startNanos, long endNanos, int outputCount, byte[] trace, boolean failed) {
    if ((mode & MODE_MASK) == TRACE_INJECT) {
      AGENT_TRACE_IN_FLIGHT.set(false);
    }
    if ((mode & CALLER_TRACES) != 0) {
      CALLER_TRACES_IN_FLIGHT.decrementAndGet();
    }
    AdaptiveSampling auto = adaptive;
    if (auto != null && outputCount > 0) {
      auto.ran(endNanos - startNanos, hidesMetadata(mode) && trace != null);
    }
    RunContext ctx = CONTEXT.get();
    RunListener l = listener;
    try {
      if (l != null) {
        Object session = ctx == null ? null : ctx.session;
        // Every run's fetches: they tell a model's training steps from its inference steps.
        Object fetchNames = ctx == null ? null : ctx.fetchNames;
        l.onRun(session, fetchNames, startNanos, endNanos, outputCount, trace, failed);
      }
    } catch (Throwable ignored) {
      // The listener never throws by contract; this is the last line of defence.
    } finally {
      if (ctx != null) {
        ctx.runningSince = 0; // only after the event is queued: see oldestRunStart()
      }
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

  // ---- Graph.close ----

  public static void graphClosing(Object graph) {
    RunListener l = listener;
    if (l != null && graph != null) {
      try {
        l.onGraphClosing(graph);
      } catch (Throwable ignored) {
        // see exitRun
      }
    }
  }

  private static RunContext context() {
    RunContext ctx = CONTEXT.get();
    if (ctx == null) {
      ctx = new RunContext();
      CONTEXT.set(ctx);
      CONTEXTS.add(new WeakReference<>(ctx));
    }
    return ctx;
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

  // Reflection handles live in ClassValues of TensorFlow's own classes, so they go away with
  // TensorFlow's class loader (an application server undeploying a web app) instead of pinning it.
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

  private static final ClassValue<Method> TO_BYTE_ARRAY = new ClassValue<>() {
    @Override
    protected Method computeValue(Class<?> type) {
      try {
        return type.getMethod("toByteArray");
      } catch (NoSuchMethodException e) {
        return null;
      }
    }
  };

  // Keyed by TensorFlow's RunOptions class: it goes away with the application's class loader.
  private static final ClassValue<ProtoAccess> PROTO_ACCESS = new ClassValue<>() {
    @Override
    protected ProtoAccess computeValue(Class<?> options) {
      try {
        return new ProtoAccess(options);
      } catch (Exception | LinkageError e) {
        return null;
      }
    }
  };

  // The RunOptions class an advised run method takes as its argument 1, by the method's class:
  // TensorFlow Java's Session (run, 10 arguments) or DJL's JavacppUtils (runSession, 8).
  private static final ClassValue<Class<?>> RUN_OPTIONS = new ClassValue<>() {
    @Override
    protected Class<?> computeValue(Class<?> owner) {
      for (Method m : owner.getDeclaredMethods()) {
        if (Modifier.isStatic(m.getModifiers())
            && ((m.getName().equals("run") && m.getParameterCount() == 10)
                || (m.getName().equals("runSession") && m.getParameterCount() == 8))) {
          return m.getParameterTypes()[1];
        }
      }
      return null;
    }
  };

  /** Per-thread state: the session being run by this thread and since when. */
  private static final class RunContext {
    final AdaptiveSampling.Cache sampling = new AdaptiveSampling.Cache();
    Object session;
    Object fetchNames;
    volatile long runningSince; // 0: no run in flight
  }

  /**
   * Reflective access to the RunOptions class that an advised run method takes, found through its
   * parameter types and the message's own methods: no class names,
   * so TensorFlow Java 1.x ({@code org.tensorflow.proto}) and 0.x ({@code
   * org.tensorflow.proto.framework}) are handled alike, and the shade plugin's relocation of
   * string constants cannot point it at the agent's copies.
   */
  private static final class ProtoAccess {
    final Method newBuilder;
    final Method toBuilder;
    final Method setTraceLevel;
    final Method build;
    final Object fullTrace;
    final Object softwareTrace;

    ProtoAccess(Class<?> options) throws Exception {
      newBuilder = options.getMethod("newBuilder");
      toBuilder = options.getMethod("toBuilder");
      Class<?> level = options.getMethod("getTraceLevel").getReturnType();
      Class<?> builder = newBuilder.getReturnType();
      setTraceLevel = builder.getMethod("setTraceLevel", level);
      build = builder.getMethod("build");
      fullTrace = level.getField("FULL_TRACE").get(null);
      softwareTrace = level.getField("SOFTWARE_TRACE").get(null);
    }

    Object traced(Object callerOptions, boolean profiler) throws Exception {
      Object b = callerOptions == null ? newBuilder.invoke(null) : toBuilder.invoke(callerOptions);
      setTraceLevel.invoke(b, profiler ? fullTrace : softwareTrace);
      return build.invoke(b);
    }
  }
}
