package io.jouleflow.launcher.cli;

import io.jouleflow.launcher.calibrate.CalibrationSuite;
import io.jouleflow.launcher.calibrate.Calibrator;
import io.jouleflow.launcher.measure.InferenceEnergy;
import io.jouleflow.launcher.measure.KerasMeasurer;
import io.jouleflow.launcher.measure.LayerCost;
import io.jouleflow.launcher.measure.MeasureProtocol;
import io.jouleflow.launcher.measure.MeasureReport;
import io.jouleflow.meters.HardwareDescription;
import io.jouleflow.predictor.model.Calibration;
import io.jouleflow.predictor.model.ModelSet;
import io.jouleflow.predictor.model.ModelSetException;
import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.MeasureProtocols;
import io.jouleflow.predictor.store.ModelSample;
import io.jouleflow.predictor.store.SampleOrigin;
import io.jouleflow.predictor.store.SampleStore;
import io.jouleflow.predictor.store.SampleStoreException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jouleflow calibrate}: carries a model set trained on other hardware to this machine (see
 * {@link Calibrator}) and writes it for this machine's hardware profile, where {@code predict} and
 * the agent pick it up.
 */
@Command(
    name = "calibrate",
    mixinStandardHelpOptions = true,
    versionProvider = JouleflowCommand.Version.class,
    description = {
      "Calibrate a model set to this machine in a few minutes.",
      "Measures a fixed suite of small models in place, compares with the set's predictions, and"
          + " writes the set with a correction per layer type for this machine's hardware profile"
          + " (under ~/.jouleflow/models, where predict and the agent look first)."
    })
final class CalibrateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--models", paramLabel = "DIR",
      description = "The set to calibrate. Default: the bundled set.")
  Path models;

  @Option(names = "--out", paramLabel = "DIR",
      description = "Where to write the calibrated set. Default: ~/.jouleflow/models/<profile>-<time>.")
  Path outDir;

  @Option(names = "--store", paramLabel = "JDBC-URL",
      description = "Also keep the suite's measurements in this sample store (as collect rows).")
  String store;

  // The first N configurations only: tests check the arithmetic without the whole suite's minute.
  @Option(names = "--suite-size", hidden = true, paramLabel = "N")
  Integer suiteSize;

  @Mixin MeterOptions meterOptions;

  @Override
  public Integer call() {
    meterOptions.validate(spec);
    if (outDir != null && Files.exists(outDir) && !Files.isDirectory(outDir)) {
      throw new ParameterException(spec.commandLine(), "--out " + outDir + " is a file, not a directory");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ModelSet base;
    try {
      base = models != null ? ModelSet.read(models) : ModelSet.bundled().orElseThrow(
          () -> new CommandFailure("no bundled model set in this build; name one with --models DIR"));
    } catch (ModelSetException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    List<CalibrationSuite.Entry> suite = CalibrationSuite.entries();
    if (suiteSize != null) {
      if (suiteSize < 1 || suiteSize > suite.size()) {
        throw new ParameterException(spec.commandLine(), "--suite-size must be 1 to " + suite.size());
      }
      suite = suite.subList(0, suiteSize);
    }
    try (InferenceEnergy energy = InferenceEnergy.open(meterOptions.meters,
        meterOptions.cpuWatts(), meterOptions.powercapRoot,
        line -> { err.println(line); err.flush(); })) {
      String profile = energy.hardwareProfile().id();
      Map<String, Double> hardware = HardwareDescription.detect(energy.hardwareProfile()).features();
      base = base.onHardware(hardware);
      out.printf(Locale.ROOT, "calibrate: set %s (hardware %s) to this machine, hardware %s"
              + " (source %s%s): %d configurations measured in place%n", base.location(),
          base.hardwareProfile(), profile, energy.source(),
          energy.measured() ? "" : ", an estimate", suite.size());
      out.flush();
      KerasMeasurer measurer = new KerasMeasurer(energy, MeasureProtocol.DEFAULT,
          MeasureProtocol.DEFAULT, line -> { }, MeasureProtocols.IN_PLACE, CollectCommand.TRACED_RUNS);
      Calibrator.Result result = new Calibrator(base, measurer, line -> {
        err.println("calibrate: " + line);
        err.flush();
      }).run(suite);
      Calibration c = result.calibration();
      out.printf(Locale.ROOT, "%-15s %7s %14s %14s %8s%n", "TYPE", "LAYERS", "MEASURED mJ",
          "PREDICTED mJ", "FACTOR");
      result.byType().forEach((type, s) -> out.printf(Locale.ROOT, "%-15s %7d %14.3f %14.3f %8.3f%s%n",
          type, (int) s[2], s[0] * 1e3, s[1] * 1e3, c.factor(type),
          c.corrections().containsKey(type) ? "" : "  (overall)"));
      out.printf(Locale.ROOT, "overall factor %.3f; the suite's whole-model RMSPE %.1f %% before,"
              + " %.1f %% after (on the suite itself)%n", c.overall(), result.rmspeBefore(),
          result.rmspeAfter());
      long busy = result.measured().stream().filter(m -> m.report().machineLoad() != null
          && m.report().machineLoad().busy()).count();
      if (busy > 0) {
        out.printf(Locale.ROOT, "warning: %d of %d configurations were measured while the machine"
            + " was busy with other work; calibrate again on a quiet machine%n", busy, suite.size());
      }
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      ModelSet calibrated = base.calibrated(profile, now, c);
      Path dir = outDir != null ? outDir
          : ModelSet.defaultRoot().resolve(ModelSet.directoryName(profile, now));
      try {
        calibrated.write(dir);
      } catch (ModelSetException e) {
        throw new CommandFailure(e.getMessage(), e);
      }
      out.printf(Locale.ROOT, "calibrated set written to %s%s%n", dir.toAbsolutePath(),
          outDir == null ? " (predict and the agent use it on this machine)"
              : " (use it with --models " + dir + ")");
      if (store != null) {
        keep(result, profile, hardware, energy.source(), now, out);
      }
    } catch (SampleStoreException e) {
      throw JouleflowCommand.storeFailure(e, spec);
    } catch (IllegalStateException e) {
      throw new CommandFailure(JouleflowCommand.firstLine(e.getMessage()));
    }
    out.flush();
    return 0;
  }

  /** The suite's rows into the store, as collect writes in-place rows. */
  private void keep(Calibrator.Result result, String profile, Map<String, Double> hardware,
      String source, Instant now, PrintWriter out) {
    try (SampleStore samples = SampleStore.open(store)) {
      samples.describeHardware(profile, hardware);
      int written = 0;
      for (Calibrator.Measured m : result.measured()) {
        MeasureReport r = m.report();
        List<LayerSample> layers = new ArrayList<>();
        for (LayerCost c : r.rows()) {
          layers.add(new LayerSample(now, profile, source, SampleOrigin.COLLECT, r.model(), r.config(),
              c.layer().id(), c.layer().type().label(), c.layer().features(), r.batch(),
              c.cost().joules(), c.cost().seconds(), c.cost().runs(), null)
              .withProtocol(MeasureProtocols.IN_PLACE));
        }
        written += samples.writeLayerSamples(layers);
        samples.writeModelSamples(List.of(new ModelSample(now, profile, source, SampleOrigin.COLLECT,
            r.model(), r.config(), r.batch(), r.whole().joules(), r.whole().seconds(),
            r.whole().runs(), m.predictedJoules(), r.layerCount(), null, r.whole().joules(), null,
            MeasureProtocols.IN_PLACE, r.machineLoad())));
      }
      out.printf(Locale.ROOT, "kept %d layer rows in %s%n", written, SampleStore.redacted(samples.url()));
    }
  }
}
