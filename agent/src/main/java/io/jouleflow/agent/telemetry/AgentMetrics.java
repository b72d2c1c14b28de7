package io.jouleflow.agent.telemetry;

import io.jouleflow.agent.log.AgentLog;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleCounter;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.resources.Resource;
import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.meters.EnergyTimeline;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The agent's OpenTelemetry instruments (names and units as in the README, "Metrics exported")
 * and the exporters they go to. Instruments are recorded from the worker thread, except the eager-op and
 * drop counters, which are observed at collection time.
 */
public final class AgentMetrics implements AutoCloseable {

  public static final AttributeKey<String> MODEL = AttributeKey.stringKey("model");
  /** {@code training} or {@code inference}: what a model's runs were (see the README). */
  public static final AttributeKey<String> PHASE = AttributeKey.stringKey("phase");
  public static final AttributeKey<String> LAYER = AttributeKey.stringKey("layer");
  public static final AttributeKey<String> LAYER_TYPE = AttributeKey.stringKey("layer.type");
  public static final AttributeKey<String> DEVICE = AttributeKey.stringKey("device");
  public static final AttributeKey<String> OP_TYPE = AttributeKey.stringKey("op.type");
  public static final AttributeKey<String> REASON = AttributeKey.stringKey("reason");
  public static final AttributeKey<String> SOURCE = AttributeKey.stringKey("source");
  public static final AttributeKey<String> HW_ID = AttributeKey.stringKey("hw.id");
  public static final AttributeKey<String> HW_TYPE = AttributeKey.stringKey("hw.type");

  /** Inference latency buckets in seconds (the SDK's defaults are millisecond-sized). */
  static final List<Double> DURATION_BUCKETS =
      List.of(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0);

  /**
   * Series per instrument before the SDK folds points into {@code otel_metric_overflow}: the
   * SDK's default (2000) is below what layers.max x models x devices can reach, and folding
   * would lose the model label that conservation is checked by.
   */
  static final int CARDINALITY_LIMIT = 100_000;

  private final SdkMeterProvider provider;
  /** Where the endpoint will listen, and what it serves; null reader: no endpoint. */
  private final String host;
  private final int port;
  private final PrometheusMetricReader prometheusReader;
  private MetricsEndpoint prometheus; // guarded by this
  private boolean closed; // guarded by this
  private final LongCounter runs;
  private final LongCounter tracedRuns;
  private final DoubleHistogram duration;
  private final DoubleCounter layerDuration;
  private final LongCounter layerSamples;
  private final DoubleCounter inferenceEnergy;
  private final DoubleCounter layerEnergy;
  private static final double JOULES_PER_KWH = 3.6e6;
  private volatile DoubleCounter emissions;
  private volatile double gramsPerKwh;
  private final Map<Attributes, Attributes> emissionsAttributes = new ConcurrentHashMap<>();
  private final Map<String, LongSupplier> drops = new ConcurrentHashMap<>();

  private AgentMetrics(
      SdkMeterProvider provider, String host, int port, PrometheusMetricReader prometheusReader) {
    this.provider = provider;
    this.host = host;
    this.port = port;
    this.prometheusReader = prometheusReader;
    Meter meter = provider.get("io.jouleflow.agent");
    runs =
        meter.counterBuilder("jouleflow.inference.runs")
            .setUnit("{run}")
            .setDescription("Session runs that fetched outputs (inferences)")
            .build();
    tracedRuns =
        meter.counterBuilder("jouleflow.inference.traced_runs")
            .setUnit("{run}")
            .setDescription("Inferences traced for per-op timings (1 in trace.every, fewer while"
                + " another trace is in flight); over jouleflow.inference.runs: the traced share")
            .build();
    duration =
        meter.histogramBuilder("jouleflow.inference.duration")
            .setUnit("s")
            .setDescription("Wall time of one Session run")
            .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
            .build();
    layerDuration =
        meter.counterBuilder("jouleflow.layer.duration")
            .ofDoubles()
            .setUnit("s")
            .setDescription("Run time spent in a layer, by the latest traced run's time shares"
                + " (concurrent ops share time); layer _unattributed is the rest")
            .build();
    layerSamples =
        meter.counterBuilder("jouleflow.layer.samples")
            .setUnit("{run}")
            .setDescription("Runs whose time and energy were spread over the layer")
            .build();
    layerEnergy =
        meter.counterBuilder("jouleflow.layer.energy")
            .ofDoubles()
            .setUnit("J")
            .setDescription("A model's run energy spread over its layers by time share; layer"
                + " _unattributed is what no op covers. source=estimate is an estimate")
            .build();
    inferenceEnergy =
        meter.counterBuilder("jouleflow.inference.energy")
            .ofDoubles()
            .setUnit("J")
            .setDescription("Device energy during a model's runs (shared among concurrent runs);"
                + " source=estimate is an estimate, not a measurement")
            .build();
  }

  /**
   * Exports {@code hw.energy} (joules since the agent started) and {@code hw.power} (mean watts
   * over the last second) for every device of the timeline.
   */
  public void observeHardware(EnergyTimeline timeline) {
    Meter meter = provider.get("io.jouleflow.agent");
    List<EnergyMeter> meters = timeline.meters();
    List<Attributes> attributes = meters.stream().map(AgentMetrics::hardwareAttributes).toList();
    meter.counterBuilder("hw.energy")
        .ofDoubles()
        .setUnit("J")
        .setDescription("Energy of a device since the agent started")
        .buildWithCallback(m -> {
          for (int i = 0; i < meters.size(); i++) {
            m.record(timeline.totalJoules(meters.get(i).device()), attributes.get(i));
          }
        });
    meter.gaugeBuilder("hw.power")
        .setUnit("W")
        .setDescription("Mean power of a device over the last second")
        .buildWithCallback(m -> {
          for (int i = 0; i < meters.size(); i++) {
            int index = i;
            timeline.latestPowerWatts(meters.get(i).device())
                .ifPresent(w -> m.record(w, attributes.get(index)));
          }
        });
  }

  /** hw.id, hw.type and source of a meter's device. */
  public static Attributes hardwareAttributes(EnergyMeter meter) {
    return Attributes.of(
        HW_ID, meter.device().id(),
        HW_TYPE, meter.device().type().label(),
        SOURCE, meter.source().label());
  }

  /** A model's share of one device's energy; {@code modelDeviceSource} carries all three. */
  public void recordInferenceEnergy(Attributes modelDeviceSource, double joules) {
    inferenceEnergy.add(joules, modelDeviceSource);
    DoubleCounter e = emissions;
    if (e != null) {
      e.add(joules / JOULES_PER_KWH * gramsPerKwh, emissionsAttributes(modelDeviceSource));
    }
  }

  /**
   * Turns on {@code jouleflow.emissions}: grams CO2e of each model's inference energy at {@code
   * gramsPerKwh}. It keeps the energy's {@code source}, so emissions of estimated energy say so.
   */
  public void enableEmissions(double gramsPerKwh) {
    this.gramsPerKwh = gramsPerKwh;
    this.emissions = provider.get("io.jouleflow.agent").counterBuilder("jouleflow.emissions")
        .ofDoubles()
        .setUnit("g")
        .setDescription("Grams CO2e of the models' inference energy at the configured carbon"
            + " intensity; source=estimate when the energy is an estimate")
        .build();
  }

  private Attributes emissionsAttributes(Attributes modelDeviceSource) {
    return emissionsAttributes.computeIfAbsent(modelDeviceSource, a -> Attributes.of(
        MODEL, a.get(MODEL), PHASE, a.get(PHASE), SOURCE, a.get(SOURCE)));
  }

  /**
   * Starts the SDK; the Prometheus endpoint ({@code port} 0: none) is opened later, by {@link
   * #openEndpoint}. The metrics are kept either way.
   */
  public static AgentMetrics start(
      String host, int port, EagerOpStats eagerOps, LongSupplier droppedRuns) {
    return start(host, port, null, 10, eagerOps, droppedRuns);
  }

  /**
   * As {@link #start(String, int, EagerOpStats, LongSupplier)}, and with {@code otlpEndpoint}
   * (null: none) the same metrics pushed over OTLP/HTTP every {@code otlpIntervalSeconds}.
   */
  public static AgentMetrics start(
      String host,
      int port,
      String otlpEndpoint,
      int otlpIntervalSeconds,
      EagerOpStats eagerOps,
      LongSupplier droppedRuns) {
    SdkMeterProviderBuilder builder =
        SdkMeterProvider.builder()
            .setResource(
                Resource.getDefault().toBuilder().put("service.name", serviceName()).build());
    PrometheusMetricReader reader = null;
    if (port > 0) {
      reader = PrometheusMetricReader.create();
      builder.registerMetricReader(reader, type -> CARDINALITY_LIMIT);
    }
    if (otlpEndpoint != null) {
      try {
        OtlpHttpMetricExporter exporter =
            OtlpHttpMetricExporter.builder().setEndpoint(otlpEndpoint).build();
        builder.registerMetricReader(
            PeriodicMetricReader.builder(new ExportFailureLog(exporter, otlpEndpoint))
                .setInterval(Duration.ofSeconds(otlpIntervalSeconds))
                .build(),
            type -> CARDINALITY_LIMIT);
        AgentLog.info("metrics pushed over OTLP/HTTP to " + otlpEndpoint + " every "
            + otlpIntervalSeconds + " s");
      } catch (RuntimeException | LinkageError e) {
        AgentLog.warn("OTLP export to " + otlpEndpoint + " is off (" + e + ")");
      }
    }
    AgentMetrics metrics = new AgentMetrics(builder.build(), host, port, reader);
    metrics.observe(eagerOps, droppedRuns);
    return metrics;
  }

  /**
   * Binds the endpoint now: one log line, either its URL or, when the port cannot be bound (in
   * use, a bad address), why the endpoint is off. Never throws.
   */
  public synchronized void openEndpoint() {
    if (prometheusReader == null || prometheus != null || closed) {
      return;
    }
    try {
      prometheus = MetricsEndpoint.start(host, port, prometheusReader);
      AgentLog.info("metrics at http://" + hostForUrl(host) + ":" + port + "/metrics");
    } catch (IOException | RuntimeException e) {
      AgentLog.warn(
          "cannot serve metrics on " + host + ":" + port + " (" + rootMessage(e)
              + "); the Prometheus endpoint is off. Set prometheus.port to a free port.");
    }
  }

  /** Instruments read by {@code reader} only, with no endpoint (tests, embedding). */
  public static AgentMetrics withReader(MetricReader reader) {
    AgentMetrics metrics = new AgentMetrics(
        SdkMeterProvider.builder().registerMetricReader(reader).build(), null, 0, null);
    metrics.observe(new EagerOpStats(), () -> 0);
    return metrics;
  }

  private void observe(EagerOpStats eagerOps, LongSupplier droppedRuns) {
    Meter meter = provider.get("io.jouleflow.agent");
    observeComparison(meter);
    meter.counterBuilder("jouleflow.op.duration")
        .ofDoubles()
        .setUnit("s")
        .setDescription("Time in eager op execution, by op type")
        .buildWithCallback(m -> eagerOps.forEach(
            (type, t) -> m.record(t.seconds(), Attributes.of(OP_TYPE, type))));
    meter.counterBuilder("jouleflow.op.calls")
        .setUnit("{call}")
        .setDescription("Eager op executions, by op type")
        .buildWithCallback(m -> eagerOps.forEach(
            (type, t) -> m.record(t.calls(), Attributes.of(OP_TYPE, type))));
    drops.put("queue_full", droppedRuns);
    meter.counterBuilder("jouleflow.agent.dropped")
        .setUnit("{event}")
        .setDescription("Events the agent dropped instead of blocking the application")
        .buildWithCallback(m -> drops.forEach(
            (reason, count) -> m.record(count.getAsLong(), Attributes.of(REASON, reason))));
  }

  private final Map<Attributes, Double> observed = new ConcurrentHashMap<>();
  private final Map<Attributes, Double> predicted = new ConcurrentHashMap<>();
  private final Map<Attributes, Double> errors = new ConcurrentHashMap<>();

  private void observeComparison(Meter meter) {
    meter.gaugeBuilder("jouleflow.layer.energy.observed")
        .setUnit("J")
        .setDescription("A layer's energy per inference over the recent window")
        .buildWithCallback(m -> observed.forEach((a, v) -> m.record(v, a)));
    meter.gaugeBuilder("jouleflow.layer.energy.predicted")
        .setUnit("J")
        .setDescription("A layer's predicted energy per inference (the model set, at the batch of"
            + " the latest traced run)")
        .buildWithCallback(m -> predicted.forEach((a, v) -> m.record(v, a)));
    meter.gaugeBuilder("jouleflow.model_set")
        .ofLongs()
        .setDescription("The model set predictions come from (version = its creation time)")
        .buildWithCallback(m -> {
          Attributes a = modelSet;
          if (a != null) {
            m.record(1, a);
          }
        });
    meter.gaugeBuilder("jouleflow.prediction.error")
        .setUnit("1")
        .setDescription("(observed - predicted) / observed per model and layer type")
        .buildWithCallback(m -> errors.forEach((a, v) -> m.record(v, a)));
  }

  private volatile Attributes modelSet;

  /** The model set in use: {@code jouleflow_model_set{version, hardware_profile} 1}. */
  public void setModelSet(String version, String hardwareProfile) {
    modelSet = Attributes.of(AttributeKey.stringKey("version"), version,
        AttributeKey.stringKey("hardware_profile"), hardwareProfile);
  }

  public void setObserved(Attributes layer, double joulesPerInference) {
    observed.put(layer, joulesPerInference);
  }

  public void setPredicted(Attributes layer, double joulesPerInference) {
    predicted.put(layer, joulesPerInference);
  }

  public void setPredictionError(Attributes modelAndType, double relativeError) {
    errors.put(modelAndType, relativeError);
  }

  /** {@code jouleflow.samples.written}: layer samples the agent wrote to the sample store. */
  public void observeSamplesWritten(LongSupplier written) {
    provider.get("io.jouleflow.agent").counterBuilder("jouleflow.samples.written")
        .setUnit("{sample}")
        .setDescription("Layer observations written to the sample store (origin=agent)")
        .buildWithCallback(m -> m.record(written.getAsLong()));
  }

  /** Adds a reason to {@code jouleflow_agent_dropped_total}. */
  public void observeDrops(String reason, LongSupplier count) {
    drops.put(reason, count);
  }

  public void recordRun(Attributes model, double seconds, boolean traced) {
    runs.add(1, model);
    if (traced) {
      tracedRuns.add(1, model);
    }
    duration.record(seconds, model);
  }

  /** Seconds of runs spent in a layer on one TensorFlow device. */
  public void recordLayerTime(Attributes layerWithDevice, double seconds) {
    layerDuration.add(seconds, layerWithDevice);
  }

  /** Runs spread over the layer. */
  public void recordLayerSamples(Attributes layer, long runs) {
    layerSamples.add(runs, layer);
  }

  /** Joules of a layer on one meter device. */
  public void recordLayerEnergy(Attributes layerDeviceSource, double joules) {
    layerEnergy.add(joules, layerDeviceSource);
  }


  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      if (prometheus != null) {
        prometheus.close();
      }
    }
    provider.shutdown();
  }

  private static String serviceName() {
    String name = System.getenv("OTEL_SERVICE_NAME");
    return name == null || name.isBlank() ? "jouleflow-agent" : name;
  }

  private static String hostForUrl(String host) {
    return host.contains(":") ? "[" + host + "]" : host;
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getClass().getSimpleName() + ": " + c.getMessage();
  }
}
