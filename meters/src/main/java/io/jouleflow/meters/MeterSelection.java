package io.jouleflow.meters;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Turns the {@code meters} option into open meters. {@code auto} (the default) takes every NVML
 * device and RAPL zone that opens, and the CPU estimate only when neither gave anything; a comma
 * list of {@code nvml}, {@code rapl}, {@code estimate} takes exactly those. Every provider gets
 * exactly one log line, chosen or skipped with the reason; an unknown name gets one line naming it
 * and the valid choices, and is ignored.
 */
public final class MeterSelection {

  public static final String AUTO = "auto";
  public static final String NVML = "nvml";
  public static final String RAPL = "rapl";
  public static final String ESTIMATE = "estimate";

  /** The names a list may hold. */
  public static final List<String> NAMES = List.of(NVML, RAPL, ESTIMATE);

  private MeterSelection() {}

  /**
   * @param option {@code auto}, a comma list of meter names, or null/blank for {@code auto}
   * @param providers the providers available in this build, e.g. NVML, RAPL and estimate
   * @param log receives one line per provider and per unknown name
   * @return the opened meters, in provider order
   */
  public static List<EnergyMeter> select(
      String option, List<MeterProvider> providers, Consumer<String> log) {
    String value = option == null ? "" : option.strip().toLowerCase(Locale.ROOT);
    if (value.isEmpty() || value.equals(AUTO)) {
      return selectAuto(providers, log);
    }
    Set<String> requested = new LinkedHashSet<>();
    for (String token : value.split(",")) {
      String name = token.strip();
      if (name.isEmpty()) {
        continue;
      }
      if (NAMES.contains(name)) {
        requested.add(name);
      } else if (name.equals(AUTO)) {
        log.accept("meters: 'auto' cannot be combined with other names in meters=" + value
            + "; ignored");
      } else {
        log.accept("meters: unknown meter '" + name + "' ignored; valid choices: auto or a"
            + " comma list of " + String.join(", ", NAMES));
      }
    }
    List<EnergyMeter> chosen = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (MeterProvider provider : providers) {
      if (!seen.add(provider.name())) {
        log.accept("meters: " + provider.name() + " skipped: another provider of that name was"
            + " listed first");
      } else if (requested.contains(provider.name())) {
        chosen.addAll(open(provider, log));
      } else {
        log.accept("meters: " + provider.name() + " skipped: not in meters=" + value);
      }
    }
    for (String name : requested) {
      if (!seen.contains(name)) {
        log.accept("meters: " + name + " skipped: not available in this build");
      }
    }
    return chosen;
  }

  private static List<EnergyMeter> selectAuto(List<MeterProvider> providers, Consumer<String> log) {
    List<EnergyMeter> chosen = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    List<MeterProvider> estimates = new ArrayList<>();
    for (MeterProvider provider : providers) {
      String name = provider.name();
      if (!seen.add(name)) {
        log.accept("meters: " + name + " skipped: another provider of that name was listed first");
      } else if (name.equals(NVML) || name.equals(RAPL)) {
        chosen.addAll(open(provider, log));
      } else if (name.equals(ESTIMATE)) {
        estimates.add(provider);
      } else {
        log.accept("meters: " + name + " skipped: not part of meters=auto");
      }
    }
    for (MeterProvider estimate : estimates) {
      if (chosen.isEmpty()) {
        chosen.addAll(open(estimate, log));
      } else {
        log.accept("meters: " + estimate.name() + " skipped: measured meters are present"
            + " (meters=auto); list it explicitly to add it");
      }
    }
    return chosen;
  }

  private static List<EnergyMeter> open(MeterProvider provider, Consumer<String> log) {
    String name = provider.name();
    List<EnergyMeter> meters;
    try {
      meters = List.copyOf(provider.open());
    } catch (MeterException e) {
      log.accept("meters: " + name + " skipped: " + firstLine(e.getMessage()));
      return List.of();
    } catch (RuntimeException | LinkageError e) {
      log.accept("meters: " + name + " skipped: failed to open: " + firstLine(String.valueOf(e)));
      return List.of();
    }
    if (meters.isEmpty()) {
      log.accept("meters: " + name + " skipped: no devices found");
      return List.of();
    }
    log.accept("meters: " + name + " chosen: " + provider.describe(meters));
    return meters;
  }

  private static String firstLine(String s) {
    return s == null ? "no reason given" : s.lines().findFirst().orElse("no reason given");
  }
}
