package io.jouleflow.agent.telemetry;

import io.jouleflow.agent.log.AgentLog;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.io.IOException;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

/**
 * An exporter that says when its exports start failing and when they work again: one warning
 * and one line, however many attempts fail in between (a collector that is down fails every
 * interval). A connection that keeps coming and going costs at most one warning per {@link
 * #QUIET_NANOS}. Everything else is the wrapped exporter's.
 */
final class ExportFailureLog implements MetricExporter {

  static final long QUIET_NANOS = TimeUnit.MINUTES.toNanos(10);

  private final MetricExporter delegate;
  private final String target;
  // guarded by this
  private boolean warned;
  private long lastWarning;
  private boolean everWarned;

  ExportFailureLog(MetricExporter delegate, String target) {
    this.delegate = delegate;
    this.target = target;
  }

  @Override
  public CompletableResultCode export(Collection<MetricData> metrics) {
    CompletableResultCode result = delegate.export(metrics);
    result.whenComplete(() -> noteResult(result));
    return result;
  }

  private synchronized void noteResult(CompletableResultCode result) {
    long now = System.nanoTime();
    if (result.isSuccess()) {
      if (warned) {
        warned = false;
        AgentLog.info("OTLP export to " + target + " works again");
      }
    } else if (!warned && (!everWarned || now - lastWarning >= QUIET_NANOS)) {
      warned = true;
      everWarned = true;
      lastWarning = now;
      Throwable t = result.getFailureThrowable();
      AgentLog.warn("OTLP export to " + target + " is failing"
          + (t == null ? "" : " (" + reason(t) + ")")
          + "; the agent keeps trying and says when it works again");
    }
  }

  /** The first I/O exception in the chain (a ConnectException, say), else the innermost cause. */
  private static String reason(Throwable t) {
    Throwable c = t;
    while (!(c instanceof IOException) && c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }

  @Override
  public AggregationTemporality getAggregationTemporality(InstrumentType type) {
    return delegate.getAggregationTemporality(type);
  }

  @Override
  public Aggregation getDefaultAggregation(InstrumentType type) {
    return delegate.getDefaultAggregation(type);
  }

  @Override
  public MemoryMode getMemoryMode() {
    return delegate.getMemoryMode();
  }
}
