package io.jouleflow.agent.runtime;

import io.jouleflow.agent.bridge.Bridge;
import io.jouleflow.agent.log.AgentLog;
import io.jouleflow.agent.recorder.Recorder;
import io.jouleflow.agent.recorder.RunEvent;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The "jouleflow-worker" thread: drains run events and does all the heavy work (proto parsing,
 * graph inspection, metric updates) away from application threads. A failure on one event is
 * logged once per kind and skipped; the thread keeps going.
 */
final class AgentWorker implements Runnable {

  private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final Recorder<RunEvent> recorder;
  private final RunProcessor processor;
  private final Set<String> reportedFailures = new HashSet<>();
  private final Thread thread;
  private volatile boolean running = true;

  AgentWorker(Recorder<RunEvent> recorder, RunProcessor processor) {
    this.recorder = recorder;
    this.processor = processor;
    this.thread = new Thread(this, "jouleflow-worker");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  @Override
  public void run() {
    while (running) {
      try {
        // In-flight first, then drain everything: a run that was in flight before this point
        // is either still in flight or already queued, so energy before the oldest in-flight
        // start can be split without missing anyone.
        long oldestInFlight = Bridge.oldestRunStart();
        int total = 0;
        int n;
        do {
          n = recorder.drain(this::processSafely, 1024);
          total += n;
        } while (n == 1024);
        tickSafely(System.nanoTime(), oldestInFlight);
        // Rest between rounds unless the queue is filling up: under steady load a worker that
        // looped again at once would spin on a core the application's inference needs.
        if (total < 1024) {
          LockSupport.parkNanos(IDLE_PARK_NANOS);
        }
      } catch (Throwable t) {
        // Never let the worker die silently: every later event would be lost.
        if (reportedFailures.add("loop " + t.getClass().getName())) {
          AgentLog.warn("worker error (" + t + "); continuing, once logged");
        }
        LockSupport.parkNanos(IDLE_PARK_NANOS);
      }
    }
    // Orderly shutdown: what was queued is still counted, and its energy attributed.
    while (recorder.drain(this::processSafely, 1024) > 0) {
      // keep draining
    }
    try {
      processor.flush(System.nanoTime());
    } catch (RuntimeException e) {
      AgentLog.warn("could not attribute the last energy at shutdown: " + e);
    }
  }

  /** Stops after draining what is queued; waits at most {@code millis}. */
  void stop(long millis) {
    running = false;
    LockSupport.unpark(thread);
    try {
      thread.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void tickSafely(long now, long oldestInFlight) {
    try {
      processor.tick(now, oldestInFlight);
    } catch (RuntimeException | LinkageError e) {
      String kind = "tick " + e.getClass().getName();
      if (reportedFailures.add(kind)) {
        AgentLog.warn("could not attribute energy (" + e + "); once logged");
      }
    }
  }

  private void processSafely(RunEvent event) {
    try {
      processor.process(event);
    } catch (RuntimeException | LinkageError e) {
      String kind = e.getClass().getName();
      if (reportedFailures.add(kind)) {
        AgentLog.warn("could not process a run (" + e + "); such runs are skipped, once logged");
      }
    }
  }
}
