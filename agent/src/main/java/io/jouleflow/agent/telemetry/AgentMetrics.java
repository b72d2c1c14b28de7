package io.jouleflow.agent.telemetry;

import io.jouleflow.agent.log.AgentLog;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleCounter;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.prometheus.PrometheusHttpServer;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.resources.Resource;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The agent's OpenTelemetry instruments (names and units as ARCHITECTURE.md, "Metrics") and the
 * exporters they go to. Instruments are recorded from the worker thread, except the eager-op and
 * drop counters, which are observed at collection time.
 */
public final class AgentMetrics implements AutoCloseable {

  public static final AttributeKey<String> MODEL = AttributeKey.stringKey("model");
  public static final AttributeKey<String> LAYER = AttributeKey.stringKey("layer");
  public static final AttributeKey<String> LAYER_TYPE = AttributeKey.stringKey("layer.type");
  public static final AttributeKey<String> DEVICE = AttributeKey.stringKey("device");
  public static final AttributeKey<String> OP_TYPE = AttributeKey.stringKey("op.type");
  public static final AttributeKey<String> REASON = AttributeKey.stringKey("reason");

  /** Inference latency buckets in seconds (the SDK's defaults are millisecond-sized). */
  static final List<Double> DURATION_BUCKETS =
      List.of(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0);

  private final SdkMeterProvider provider;
  private final PrometheusHttpServer prometheus;
  private final LongCounter runs;
  private final DoubleHistogram duration;
  private final DoubleCounter layerDuration;
  private final LongCounter layerSamples;

  private AgentMetrics(SdkMeterProvider provider, PrometheusHttpServer prometheus) {
    this.provider = provider;
    this.prometheus = prometheus;
    Meter meter = provider.get("io.jouleflow.agent");
    runs =
        meter.counterBuilder("jouleflow.inference.runs")
            .setUnit("{run}")
            .setDescription("Session runs that fetched outputs (inferences)")
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
            .setDescription("Active time of a layer in traced runs (concurrent ops share time)")
            .build();
    layerSamples =
        meter.counterBuilder("jouleflow.layer.samples")
            .setUnit("{run}")
            .setDescription("Traced runs in which the layer executed")
            .build();
  }

  /**
   * Starts the SDK and the Prometheus endpoint ({@code port} 0: none). A port that cannot be
   * bound disables the endpoint with one log line; the metrics are still kept.
   */
  public static AgentMetrics start(
      String host, int port, EagerOpStats eagerOps, LongSupplier droppedRuns) {
    SdkMeterProviderBuilder builder =
        SdkMeterProvider.builder()
            .setResource(
                Resource.getDefault().toBuilder().put("service.name", serviceName()).build());
    PrometheusHttpServer server = null;
    if (port > 0) {
      try {
        server = PrometheusHttpServer.builder().setHost(host).setPort(port).build();
        builder.registerMetricReader(server);
        AgentLog.info("metrics at http://" + hostForUrl(host) + ":" + port + "/metrics");
      } catch (RuntimeException e) {
        AgentLog.warn(
            "cannot serve metrics on " + host + ":" + port + " (" + rootMessage(e)
                + "); the Prometheus endpoint is off. Set prometheus.port to a free port.");
      }
    } else {
      AgentLog.info("Prometheus endpoint disabled (prometheus.port=0)");
    }
    AgentMetrics metrics = new AgentMetrics(builder.build(), server);
    metrics.observe(eagerOps, droppedRuns);
    return metrics;
  }

  private void observe(EagerOpStats eagerOps, LongSupplier droppedRuns) {
    Meter meter = provider.get("io.jouleflow.agent");
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
    meter.counterBuilder("jouleflow.agent.dropped")
        .setUnit("{event}")
        .setDescription("Events the agent dropped instead of blocking the application")
        .buildWithCallback(m -> m.record(droppedRuns.getAsLong(), Attributes.of(REASON, "queue_full")));
  }

  public void recordRun(Attributes model, double seconds) {
    runs.add(1, model);
    duration.record(seconds, model);
  }

  /** Active seconds of a layer on one device in one traced run. */
  public void recordLayerTime(Attributes layerWithDevice, double seconds) {
    layerDuration.add(seconds, layerWithDevice);
  }

  /** One traced run in which the layer executed. */
  public void recordLayerSample(Attributes layer) {
    layerSamples.add(1, layer);
  }

  /** Whether the Prometheus endpoint is serving. */
  public boolean serving() {
    return prometheus != null;
  }

  @Override
  public void close() {
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
