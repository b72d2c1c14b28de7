package io.jouleflow.agent.telemetry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * Calls and time per eager op type, updated on application threads without a queue: one map
 * lookup and two striped adds per op, no allocation once a type has been seen. Eager op names are
 * unique per call ({@code Relu_36}), so only the type is kept; types are a small finite set.
 */
public final class EagerOpStats {

  /** Calls and nanoseconds of one op type. */
  public static final class Totals {
    final LongAdder calls = new LongAdder();
    final LongAdder nanos = new LongAdder();

    public long calls() {
      return calls.sum();
    }

    public double seconds() {
      return nanos.sum() / 1e9;
    }
  }

  private final Map<String, Totals> byType = new ConcurrentHashMap<>();

  public void record(String opType, long nanos) {
    Totals t = byType.get(opType);
    if (t == null) {
      t = byType.computeIfAbsent(opType, k -> new Totals());
    }
    t.calls.increment();
    t.nanos.add(Math.max(0, nanos));
  }

  public void forEach(BiConsumer<String, Totals> action) {
    byType.forEach(action);
  }
}
