package io.jouleflow.agent.bridge;

import java.lang.ref.WeakReference;
import java.lang.reflect.Method;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code trace.every=auto}: which runs the agent traces. Per session and batch size (a "key"):
 * its first {@link #WARM_TRACES} runs, so its layer shares are known at once, then one run per
 * interval, so they stay fresh; and all traced runs together at most {@link #BUDGET} of the run
 * time, so traced runs stay out of the latency tail (1 in 100 traced runs were the slowest 1 %,
 * which made p99 1.25-1.54 times p99 without the agent). JDK types only (bootstrap class path).
 */
final class AdaptiveSampling {

  static final int WARM_TRACES = 3;
  /** Traced runs' time over all runs' time. */
  static final double BUDGET = 0.005;
  /**
   * Traced time allowed beyond the budget: the first models' warm-up traces, whose first runs
   * also pay for the session's own start (hundreds of milliseconds).
   */
  static final long BURST_NANOS = 1_000_000_000L;
  /** Batch sizes tracked per session; further ones share the last slot. */
  private static final int MAX_SLOTS = 32;

  private final long intervalNanos;
  private final LongAdder runNanos = new LongAdder();
  private final AtomicLong tracedNanos = new AtomicLong();
  private final Map<Object, Slots> sessions = Collections.synchronizedMap(new WeakHashMap<>());
  private final Slots noSession = new Slots();

  AdaptiveSampling(long intervalNanos) {
    this.intervalNanos = intervalNanos;
  }

  /** The key of a run about to start: its session's slot for this batch size. */
  Slot slot(Cache cache, Object session, long batch) {
    Slots slots;
    if (session == null) {
      slots = noSession;
    } else if (cache.session != null && cache.session.get() == session) {
      slots = cache.slots; // the same session as this thread's previous run: no lock
    } else {
      slots = sessions.computeIfAbsent(session, s -> new Slots());
      cache.session = new WeakReference<>(session);
      cache.slots = slots;
    }
    return slots.of(batch);
  }

  /** Whether a run of {@code slot} starting at {@code now} should be traced. */
  boolean due(Slot slot, long now) {
    if (slot.traced >= WARM_TRACES && now - slot.next < 0) {
      return false; // its shares are known and fresh
    }
    return tracedNanos.get() <= BUDGET * runNanos.sum() + BURST_NANOS;
  }

  /** The agent traces this run of {@code slot}. */
  void tracing(Slot slot, long now) {
    slot.traced++;
    slot.next = now + intervalNanos;
  }

  /** A run ended; {@code traced}: the agent traced it. */
  void ran(long nanos, boolean traced) {
    runNanos.add(nanos);
    if (traced) {
      tracedNanos.addAndGet(nanos);
    }
  }

  /** The batch size of a run: dimension 0 of its first input tensor; -1 when unknown. */
  static long batchOf(Object[] inputTensors) {
    if (inputTensors == null || inputTensors.length == 0 || inputTensors[0] == null) {
      return -1;
    }
    Object tensor = inputTensors[0];
    try {
      Dims dims = DIMS.get(tensor.getClass());
      return dims == null ? -1 : dims.first(tensor);
    } catch (Throwable t) {
      return -1;
    }
  }

  /** Per thread: the session of its previous run and that session's slots. */
  static final class Cache {
    WeakReference<Object> session;
    Slots slots;
  }

  /** One key's sampling state; races between threads cost at most an extra trace. */
  static final class Slot {
    final long batch;
    volatile int traced;
    volatile long next;

    Slot(long batch) {
      this.batch = batch;
    }
  }

  /** A session's slots, one per batch size; copy on write, read without a lock. */
  static final class Slots {
    private volatile Slot[] slots = new Slot[0];

    Slot of(long batch) {
      Slot[] s = slots;
      for (Slot slot : s) {
        if (slot.batch == batch) {
          return slot;
        }
      }
      synchronized (this) {
        s = slots;
        for (Slot slot : s) {
          if (slot.batch == batch) {
            return slot;
          }
        }
        if (s.length >= MAX_SLOTS) {
          return s[s.length - 1];
        }
        Slot[] grown = java.util.Arrays.copyOf(s, s.length + 1);
        grown[s.length] = new Slot(batch);
        slots = grown;
        return grown[s.length];
      }
    }
  }

  // TF_NumDims and TF_Dim of the C API, as loaded next to the application's TensorFlow.
  private static final ClassValue<Dims> DIMS = new ClassValue<>() {
    @Override
    protected Dims computeValue(Class<?> tensorType) {
      try {
        return new Dims(tensorType);
      } catch (Exception | LinkageError e) {
        return null;
      }
    }
  };

  private static final class Dims {
    final Method isNull;
    final Method numDims;
    final Method dim;

    Dims(Class<?> tensorType) throws Exception {
      Class<?> api = Class.forName(String.join(".", "org", "tensorflow", "internal", "c_api",
          "global", "tensorflow"), false, tensorType.getClassLoader());
      isNull = tensorType.getMethod("isNull");
      numDims = find(api, "TF_NumDims", tensorType, 1);
      dim = find(api, "TF_Dim", tensorType, 2);
    }

    private static Method find(Class<?> api, String name, Class<?> tensorType, int arity)
        throws NoSuchMethodException {
      for (Method m : api.getMethods()) {
        if (m.getName().equals(name) && m.getParameterCount() == arity
            && m.getParameterTypes()[0].isAssignableFrom(tensorType)) {
          return m;
        }
      }
      throw new NoSuchMethodException(name);
    }

    long first(Object tensor) throws Exception {
      if ((Boolean) isNull.invoke(tensor)) {
        return -1;
      }
      int rank = (Integer) numDims.invoke(null, tensor);
      return rank == 0 ? 0 : (Long) dim.invoke(null, tensor, 0);
    }
  }
}
