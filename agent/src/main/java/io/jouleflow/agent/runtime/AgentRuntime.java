package io.jouleflow.agent.runtime;

import io.jouleflow.agent.bridge.Bridge;
import io.jouleflow.agent.bridge.RunListener;
import io.jouleflow.agent.config.AgentOption;
import io.jouleflow.agent.config.AgentOptions;
import io.jouleflow.agent.feedback.FeedbackWriter;
import io.jouleflow.agent.instrument.CoverageCheck;
import io.jouleflow.agent.instrument.TensorFlowInstrumentation;
import io.jouleflow.agent.log.AgentLog;
import io.jouleflow.agent.model.GraphSnapshots;
import io.jouleflow.agent.model.ModelIdentity;
import io.jouleflow.agent.model.SessionLayers;
import io.jouleflow.agent.recorder.Recorder;
import io.jouleflow.agent.recorder.RunEvent;
import io.jouleflow.agent.telemetry.AgentMetrics;
import io.jouleflow.agent.telemetry.EagerOpStats;
import io.jouleflow.meters.DeviceType;
import io.jouleflow.meters.EnergyTimeline;
import io.jouleflow.meters.HardwareDescription;
import io.jouleflow.meters.HardwareProfile;
import io.jouleflow.predictor.attribution.DetectedLayers;
import io.jouleflow.predictor.attribution.RunEnergyAttributor;
import java.lang.instrument.Instrumentation;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The agent proper, loaded by the agent's own class loader: resolves options, starts telemetry
 * and the worker, then activates the bridge and instruments TensorFlow. It is the bridge's
 * {@link RunListener}; its callbacks run on application threads and only enqueue or add.
 */
public final class AgentRuntime implements RunListener {

  public static final String VERSION =
      String.valueOf(AgentRuntime.class.getPackage().getImplementationVersion());

  private static final long SHUTDOWN_MILLIS = 3_000;
  /** The longest the endpoint waits for the application to start (README, "Options"). */
  private static final Duration ENDPOINT_AT_THE_LATEST = Duration.ofSeconds(30);

  private final Recorder<RunEvent> recorder;
  private final EagerOpStats eagerOps;
  private final ModelIdentity identity;
  /** The session of this thread's latest run: a new one's graph is watched (see onRun). */
  private final ThreadLocal<WeakReference<Object>> lastSession = new ThreadLocal<>();
  /** The application's main thread (null when attached): its ports are bound once it ends. */
  private final Thread applicationMain;
  /** Counted down at the first TensorFlow call outside the main thread: the application serves. */
  private final CountDownLatch servingCall;

  private AgentRuntime(Recorder<RunEvent> recorder, EagerOpStats eagerOps, ModelIdentity identity,
      Thread applicationMain, CountDownLatch servingCall) {
    this.recorder = recorder;
    this.eagerOps = eagerOps;
    this.identity = identity;
    this.applicationMain = applicationMain;
    this.servingCall = servingCall;
  }

  /**
   * Entry from {@code AgentEntry} (by reflection, across class loaders).
   *
   * @param attached true when loaded into a running JVM: already loaded classes are retransformed
   */
  public static void start(String agentArgs, Instrumentation inst, boolean attached) {
    long t0 = System.nanoTime();
    AgentOptions options = AgentOptions.fromEnvironment(agentArgs);
    options.warnings().forEach(AgentLog::warn);

    Recorder<RunEvent> recorder = new Recorder<>(options.getInt(AgentOption.QUEUE_CAPACITY));
    EagerOpStats eagerOps = new EagerOpStats();
    AgentMetrics metrics =
        AgentMetrics.start(
            options.get(AgentOption.PROMETHEUS_HOST),
            options.getInt(AgentOption.PROMETHEUS_PORT),
            options.get(AgentOption.OTLP_ENDPOINT),
            options.getInt(AgentOption.OTLP_INTERVAL),
            eagerOps,
            recorder::dropped);
    // premain runs on the application's main thread, before main.
    Thread applicationMain = attached ? null : Thread.currentThread();
    CountDownLatch servingCall = new CountDownLatch(1);
    openEndpointOnceTheApplicationStarted(metrics, applicationMain, servingCall);
    ModelIdentity identity =
        new ModelIdentity(options.get(AgentOption.MODEL_NAME), new GraphSnapshots());
    if (options.get(AgentOption.CARBON_INTENSITY) != null) {
      metrics.enableEmissions(Double.parseDouble(options.get(AgentOption.CARBON_INTENSITY)));
    }
    EnergyTimeline timeline = AgentMeters.start(options, metrics);
    RunEnergyAttributor<ModelState> attributor = AgentMeters.attributor(timeline);
    if (attributor != null) {
      metrics.observeDrops("late_run", attributor::lateRuns);
    }
    FeedbackWriter feedback = feedbackWriter(options, metrics, timeline);
    AgentWorker worker =
        new AgentWorker(
            recorder,
            new RunProcessor(
                identity,
                metrics,
                options.getInt(AgentOption.LAYERS_MAX),
                (session, model) ->
                    SessionLayers.forSession(session, model, identity.snapshots()),
                attributor,
                timeline == null ? List.of() : timeline.meters(),
                livePredictions(options, metrics, timeline),
                feedback,
                hardwareProfile(timeline)));
    worker.start();

    AgentRuntime runtime =
        new AgentRuntime(recorder, eagerOps, identity, applicationMain, servingCall);
    String every = options.get(AgentOption.TRACE_EVERY);
    int traceEvery = every.equals("auto") ? Bridge.TRACE_AUTO : Integer.parseInt(every);
    double interval = Double.parseDouble(options.get(AgentOption.TRACE_INTERVAL));
    Bridge.activate(runtime, traceEvery, (long) (interval * 1e9));
    CoverageCheck.install(inst); // one line for TensorFlow it does not cover
    new TensorFlowInstrumentation().install(inst);

    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // On a daemon thread with a deadline: a meter stuck in a driver call must not stop the
      // JVM from exiting.
      Thread shutdown = new Thread(() -> {
        Bridge.deactivate();
        if (timeline != null) {
          timeline.sampleNow(); // the last runs' energy is attributed from this reading
        }
        worker.stop(2_000);
        if (feedback != null) {
          feedback.close(); // writes what the worker queued last
        }
        if (timeline != null) {
          timeline.close();
        }
        metrics.close();
      }, "jouleflow-shutdown-work");
      shutdown.setDaemon(true);
      shutdown.start();
      try {
        shutdown.join(SHUTDOWN_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "jouleflow-shutdown"));

    AgentLog.info(String.format(
        "agent %s %s in %d ms; tracing %s",
        VERSION,
        attached ? "attached" : "started",
        (System.nanoTime() - t0) / 1_000_000,
        traceEvery == 0 ? "off" : traceEvery == Bridge.TRACE_AUTO
            ? "each session and batch size at its first runs, then every " + every(interval)
                + " s, within 0.5 % of run time"
            : "1 run in " + traceEvery));
  }

  private static String every(double seconds) {
    return seconds == Math.rint(seconds) ? String.valueOf((long) seconds) : String.valueOf(seconds);
  }

  /**
   * Binds the endpoint on a thread of its own once the application has started: its main thread
   * has ended (servers started, as {@code main} of most services returns then), or TensorFlow
   * was called from another thread (a request is served), or at the latest {@link
   * #ENDPOINT_AT_THE_LATEST} after the agent started; at once when attached. Never before: a port
   * the application binds itself would then be taken, and the application would not start
   * (README, "Options").
   */
  private static void openEndpointOnceTheApplicationStarted(
      AgentMetrics metrics, Thread applicationMain, CountDownLatch servingCall) {
    if (applicationMain == null) {
      metrics.openEndpoint();
      return;
    }
    long deadline = System.nanoTime() + ENDPOINT_AT_THE_LATEST.toNanos();
    Thread opener = new Thread(() -> {
      try {
        while (applicationMain.isAlive() && System.nanoTime() - deadline < 0
            && !servingCall.await(100, TimeUnit.MILLISECONDS)) {
          // waiting for the application to start
        }
      } catch (InterruptedException e) {
        return;
      }
      metrics.openEndpoint();
    }, "jouleflow-metrics-open");
    opener.setDaemon(true);
    opener.start();
  }

  /** The sample store writer, or null with samples=none or without meters (nothing to learn). */
  private static FeedbackWriter feedbackWriter(
      AgentOptions options, AgentMetrics metrics, EnergyTimeline timeline) {
    String url = options.get(AgentOption.SAMPLES);
    if (url == null || url.equalsIgnoreCase("none") || timeline == null) {
      return null;
    }
    // The drivers live in the agent's own loader (SQLite nested, PostgreSQL relocated):
    // DriverManager's service lookup (system class loader) cannot find them, so they register
    // themselves here.
    for (String driver : new String[] {"org.sqlite.JDBC", "org.postgresql.Driver"}) {
      try {
        Class.forName(driver, true, AgentRuntime.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        AgentLog.debug("no JDBC driver " + driver + ": " + e);
      }
    }
    HardwareProfile hardware = hardware(timeline);
    FeedbackWriter writer = hardware == null ? new FeedbackWriter(url)
        : new FeedbackWriter(url, hardware.id(), hardwareFeatures(hardware));
    metrics.observeSamplesWritten(writer::written);
    metrics.observeDrops("feedback", writer::dropped);
    return writer;
  }

  private static LivePredictions livePredictions(
      AgentOptions options, AgentMetrics metrics, EnergyTimeline timeline) {
    LivePredictions live =
        new LivePredictions(options.get(AgentOption.MODELS), hardwareProfile(timeline));
    HardwareProfile hardware = hardware(timeline);
    if (hardware != null) {
      live.onHardware(hardwareFeatures(hardware));
    }
    live.onLoaded(set -> metrics.setModelSet(
        set.manifest().created() + " " + set.manifest().gitRevision(), set.hardwareProfile()));
    return live;
  }

  private static String hardwareProfile(EnergyTimeline timeline) {
    HardwareProfile hardware = hardware(timeline);
    return hardware == null ? null : hardware.id();
  }

  /** This machine's hardware profile (its GPUs from the meters); null if it cannot be told. */
  private static HardwareProfile hardware(EnergyTimeline timeline) {
    try {
      return HardwareProfile.detect(timeline == null ? List.of() : timeline.devices().stream()
          .filter(d -> d.type() == DeviceType.GPU).toList());
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static Map<String, Double> hardwareFeatures(HardwareProfile hardware) {
    try {
      return HardwareDescription.detect(hardware).features();
    } catch (RuntimeException e) {
      return Map.of();
    }
  }

  @Override
  public void onRun(
      Object session,
      Object fetchNames,
      long startNanos,
      long endNanos,
      int outputCount,
      byte[] trace,
      boolean failed) {
    noteTensorFlowCall();
    // The runner's fetch list is live and reused by the caller: copy it (a few names; every run's
    // fetches tell its phase, training or inference, on the worker).
    Object fetches = fetchNames instanceof List<?> l ? l.toArray(new Object[0]) : null;
    if (session != null && outputCount > 0 && !failed) {
      watchGraph(session); // before the event is queued: the worker may read the graph at once
    }
    recorder.offer(new RunEvent(
        session, fetches, startNanos, endNanos, outputCount, trace, failed));
  }

  @Override
  public void onEagerOp(String opType, long startNanos, long endNanos) {
    noteTensorFlowCall();
    eagerOps.record(opType, endNanos - startNanos);
  }

  /**
   * At a session's first inference on this thread (a volatile-free check on later ones): its
   * graph is copied if the application closes it before the worker has read it.
   */
  private void watchGraph(Object session) {
    WeakReference<Object> last = lastSession.get();
    if (last == null || last.get() != session) {
      lastSession.set(new WeakReference<>(session));
      identity.snapshots().sessionRan(session);
    }
  }

  @Override
  public void onGraphClosing(Object graph) {
    identity.snapshots().graphClosing(graph);
  }

  private void noteTensorFlowCall() {
    if (servingCall.getCount() != 0 && Thread.currentThread() != applicationMain) {
      servingCall.countDown(); // later calls: one volatile read
    }
  }

  @Override
  public void onSavedModelLoaded(Object bundle, String exportDir) {
    identity.savedModelLoaded(bundle, exportDir);
  }
}
