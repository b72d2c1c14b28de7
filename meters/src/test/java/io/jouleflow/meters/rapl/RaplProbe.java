package io.jouleflow.meters.rapl;

import io.jouleflow.meters.EnergyMeter;
import io.jouleflow.meters.MeterSelection;
import java.nio.file.Path;
import java.util.List;

/**
 * Prints the RAPL chosen/skipped line for a powercap root ({@code RaplProbe <root>}). The
 * permission test runs it as user nobody, because root reads any file whatever its mode.
 */
public final class RaplProbe {
  public static void main(String[] args) {
    List<EnergyMeter> meters =
        MeterSelection.select(
            "rapl", List.of(new RaplMeterProvider(Path.of(args[0]))), System.out::println);
    meters.forEach(EnergyMeter::close);
  }
}
