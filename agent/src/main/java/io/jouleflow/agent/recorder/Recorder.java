package io.jouleflow.agent.recorder;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * A bounded multi-producer, single-consumer queue between application threads and the worker.
 * Producers never block and never wait: when the ring is full the event is dropped and counted.
 * It is lock-free (a ring of sequence-numbered slots, claimed with compare-and-set).
 */
public final class Recorder<T> {

  private final int mask;
  private final AtomicReferenceArray<T> slots;
  private final AtomicLongArray sequences;
  private final AtomicLong tail = new AtomicLong(); // next slot producers claim
  private long head; // next slot the consumer reads; consumer thread only
  private final AtomicLong dropped = new AtomicLong();

  /** @param capacity rounded up to a power of two */
  public Recorder(int capacity) {
    int size = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
    mask = size - 1;
    slots = new AtomicReferenceArray<>(size);
    sequences = new AtomicLongArray(size);
    for (int i = 0; i < size; i++) {
      sequences.set(i, i);
    }
  }

  public int capacity() {
    return mask + 1;
  }

  /** Adds an event; returns false (and counts a drop) when the queue is full. */
  public boolean offer(T event) {
    while (true) {
      long t = tail.get();
      int index = (int) (t & mask);
      long seq = sequences.get(index);
      if (seq == t) {
        if (tail.compareAndSet(t, t + 1)) {
          slots.set(index, event);
          sequences.set(index, t + 1); // publish
          return true;
        }
      } else if (seq < t) {
        dropped.incrementAndGet(); // the consumer has not freed this slot: full
        return false;
      }
      // seq > t: another producer claimed it; retry with the new tail
    }
  }

  /** Consumer only: hands up to {@code max} events to {@code sink}; returns how many. */
  public int drain(Consumer<? super T> sink, int max) {
    int n = 0;
    while (n < max) {
      int index = (int) (head & mask);
      if (sequences.get(index) != head + 1) {
        break; // empty, or the producer has claimed but not yet published
      }
      T event = slots.get(index);
      slots.set(index, null);
      sequences.set(index, head + mask + 1); // free for the producer one lap later
      head++;
      n++;
      sink.accept(event);
    }
    return n;
  }

  /** Events dropped because the queue was full. */
  public long dropped() {
    return dropped.get();
  }
}
