package io.jouleflow.agent.runtime;

import io.jouleflow.agent.config.AgentOption;
import io.jouleflow.agent.config.AgentOptions;
import io.jouleflow.agent.log.AgentLog;
import io.jouleflow.agent.telemetry.AgentMetrics;
import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.meters.EnergyTimeline;
import io.jouleflow.meters.MeterProvider;
import io.jouleflow.meters.MeterSelection;
import io.jouleflow.meters.providers.MeterProviders;
import io.jouleflow.predictor.attribution.RunEnergyAttributor;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;

/** Opens the meters the {@code meters} option asks for and starts sampling them. */
final class AgentMeters {

  private AgentMeters() {}

  /** The running timeline, or null when no meter could be opened (energy metrics off). */
  static EnergyTimeline start(AgentOptions options, AgentMetrics metrics) {
    String watts = options.get(AgentOption.CPU_WATTS);
    List<MeterProvider> providers = MeterProviders.standard(
        Path.of(options.get(AgentOption.RAPL_ROOT)),
        watts == null ? OptionalDouble.empty() : OptionalDouble.of(Double.parseDouble(watts)));
    List<EnergyMeter> meters;
    try {
      meters = MeterSelection.select(options.get(AgentOption.METERS), providers, AgentLog::info);
    } catch (RuntimeException | LinkageError e) {
      AgentLog.warn("meters could not be opened (" + e + "); energy metrics are off");
      return null;
    }
    if (meters.isEmpty()) {
      AgentLog.warn("no energy meter is available; energy metrics are off (timings still work)");
      return null;
    }
    EnergyTimeline timeline = new EnergyTimeline(meters, AgentLog::warn);
    timeline.start();
    metrics.observeHardware(timeline);
    return timeline;
  }

  /** Splits the machine-total meters' energy among runs; null without a timeline. */
  static RunEnergyAttributor<ModelState> attributor(EnergyTimeline timeline) {
    if (timeline == null) {
      return null;
    }
    List<EnergyMeter> total = timeline.meters().stream().filter(EnergyMeter::inMachineTotal).toList();
    return new RunEnergyAttributor<>(
        timeline, total, RunEnergyAttributor.windowFor(total), RunEnergyAttributor.holdFor(total));
  }
}
