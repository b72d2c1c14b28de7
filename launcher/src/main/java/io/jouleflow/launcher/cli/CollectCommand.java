package io.jouleflow.launcher.cli;

import io.jouleflow.launcher.measure.CollectPreset;
import io.jouleflow.launcher.measure.InferenceEnergy;
import io.jouleflow.launcher.measure.KerasMeasurer;
import io.jouleflow.launcher.measure.LayerCost;
import io.jouleflow.launcher.measure.MeasureReport;
import io.jouleflow.launcher.zoo.ModelZoo;
import io.jouleflow.launcher.zoo.RandomArchitectures;
import io.jouleflow.meters.HardwareDescription;
import io.jouleflow.predictor.keras.KerasModel;
import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.MeasureProtocols;
import io.jouleflow.predictor.store.ModelSample;
import io.jouleflow.predictor.store.SampleOrigin;
import io.jouleflow.predictor.store.SampleStore;
import io.jouleflow.predictor.store.SampleStoreException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jouleflow collect}: measures the model zoo and random architectures over a grid of batch
 * sizes and input sizes with {@code measure}'s protocol and appends the samples to the store
 * ({@code origin='collect'}). Resumable: configurations already stored for this hardware profile
 * are skipped.
 */
@Command(
    name = "collect",
    mixinStandardHelpOptions = true,
    versionProvider = JouleflowCommand.Version.class,
    description = {
      "Measure the model zoo and random architectures, layer by layer, into the sample store.",
      "Runs over a grid of batch and input sizes; a re-run skips what is stored already."
    })
final class CollectCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--preset", defaultValue = "quick", paramLabel = "quick|full",
      description = "quick: ten zoo families and 8 random architectures, inputs 32-96, batch 1, 4, 8, within 30 min on 2 cores; full: the paper's grid"
          + " (batch 16/32/64, inputs 300/400/500) for GPU servers. Default: ${DEFAULT-VALUE}.")
  String preset;

  @Option(names = "--store", paramLabel = "JDBC-URL",
      description = "Sample store, any JDBC URL: the store the agent's samples= option names."
          + " Default: " + SampleStore.DEFAULT_URL + ".")
  String store;

  @Option(names = "--zoo", split = ",", paramLabel = "NAME",
      description = "Only these zoo architectures (and random:N for N random architectures).")
  List<String> zooNames;

  // The option's name until 0.1: elsewhere --models names a model-set directory (predict).
  @Option(names = "--models", split = ",", hidden = true)
  List<String> oldModelsOption;

  @Option(names = "--batches", split = ",", paramLabel = "N",
      description = "Batch sizes instead of the preset's.")
  List<Integer> batches;

  @Option(names = "--inputs", split = ",", paramLabel = "SIZE",
      description = "Square input sizes instead of the preset's.")
  List<Integer> inputs;

  @Option(names = "--export", paramLabel = "DIR",
      description = "Afterwards, export the whole store to DIR as layer_samples.csv.gz and"
          + " model_samples.csv.gz (a re-run with everything stored only exports).")
  Path export;

  @Option(names = "--protocol", defaultValue = "inplace", paramLabel = "inplace|isolated",
      description = "How layers are measured: in place, within the whole model (as the agent sees"
          + " them), or isolated, each alone (the paper's protocol). Default: ${DEFAULT-VALUE}.")
  String protocol;

  @Mixin MeterOptions meterOptions;

  @Override
  public Integer call() {
    CollectPreset grid;
    try {
      grid = CollectPreset.named(preset.strip().toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    meterOptions.validate(spec);
    String measureProtocol = protocol(protocol, spec);
    if (oldModelsOption != null) {
      if (zooNames != null) {
        throw usage("--models is the old name of --zoo: give one of them");
      }
      zooNames = oldModelsOption;
      spec.commandLine().getErr().println("collect: --models is now --zoo (zoo architectures);"
          + " --models still works here for now");
    }
    List<Job> jobs = jobs(grid);
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    long started = System.nanoTime();
    int measured = 0;
    int skipped = 0;
    int failed = 0;
    try (SampleStore samples = SampleStore.open(store);
        InferenceEnergy energy = InferenceEnergy.open(meterOptions.meters,
            meterOptions.cpuWatts(), meterOptions.powercapRoot,
            line -> { err.println(line); err.flush(); })) {
      String profile = energy.hardwareProfile().id();
      samples.describeHardware(profile,
          HardwareDescription.detect(energy.hardwareProfile()).features());
      out.printf(Locale.ROOT, "collect %s: %d configurations into %s (hardware %s, source %s%s)%n",
          grid.name(), jobs.size(), SampleStore.redacted(samples.url()), profile, energy.source(),
          energy.measured() ? "" : ", an estimate");
      out.flush();
      KerasMeasurer measurer = new KerasMeasurer(energy, grid.modelProtocol(), grid.layerProtocol(),
          line -> { err.println("  " + line); err.flush(); }, measureProtocol, TRACED_RUNS);
      for (int i = 0; i < jobs.size(); i++) {
        Job job = jobs.get(i);
        KerasModel model;
        try {
          model = job.model().apply(job.inputSize());
        } catch (RuntimeException e) {
          failed++;
          out.printf(Locale.ROOT, "[%d/%d] %s %dx%d: skipped, cannot build: %s%n", i + 1, jobs.size(),
              job.name(), job.inputSize(), job.inputSize(), JouleflowCommand.firstLine(e.getMessage()));
          continue;
        }
        String config = "b" + job.batch() + "_" + job.inputSize() + "x" + job.inputSize() + "x3";
        if (samples.hasModelSample(profile, SampleOrigin.COLLECT, model.name(), config, measureProtocol)) {
          skipped++;
          continue;
        }
        long t0 = System.nanoTime();
        try {
          MeasureReport r = measurer.measure(model, job.batch(), null, true);
          if (r.machineLoad() != null && r.machineLoad().busy()) {
            // Other work skews a measurement (a CPU estimate drops when cores are contended):
            // measure again once, and keep the quieter of the two; the row records its load.
            out.printf(Locale.ROOT, "[%d/%d] %s %s: the machine was busy (others %.0f %% of the"
                    + " CPUs), measuring again%n", i + 1, jobs.size(), r.model(), r.config(),
                r.machineLoad().otherCpuShare() * 100);
            MeasureReport again = measurer.measure(model, job.batch(), null, true);
            if (again.machineLoad() == null || again.machineLoad().otherCpuShare()
                + again.machineLoad().stealShare() < r.machineLoad().otherCpuShare()
                + r.machineLoad().stealShare()) {
              r = again;
            }
          }
          write(samples, r, profile);
          measured++;
          out.printf(Locale.ROOT, "[%d/%d] %s %s: %.3f mJ/inference, %d layers, %s, %.0f s (elapsed %.1f min)%s%n",
              i + 1, jobs.size(), r.model(), r.config(), r.whole().joules() * 1e3, r.layers().size(),
              r.overhead() != null
                  ? String.format(Locale.ROOT, "overhead %.0f %%", 100 * r.overhead().cost().joules() / r.whole().joules())
                  : String.format(Locale.ROOT, "additivity %.2f", r.additivityFactor() == null ? Double.NaN : r.additivityFactor()),
              (System.nanoTime() - t0) / 1e9, (System.nanoTime() - started) / 6e10,
              r.machineLoad() != null && r.machineLoad().busy() ? " (measured busy)" : "");
        } catch (RuntimeException e) {
          failed++;
          out.printf(Locale.ROOT, "[%d/%d] %s %s: failed: %s%n", i + 1, jobs.size(), model.name(),
              config, JouleflowCommand.firstLine(e.getMessage()));
        }
        out.flush();
      }
      out.printf(Locale.ROOT, "collect %s done in %.1f min: %d measured, %d already stored, %d failed;"
              + " store holds %d model and %d layer samples%n",
          grid.name(), (System.nanoTime() - started) / 6e10, measured, skipped, failed,
          samples.count(SampleStore.MODEL_SAMPLES), samples.count(SampleStore.LAYER_SAMPLES));
      if (export != null) {
        samples.exportCsv(export);
        out.printf(Locale.ROOT, "exported to %s%n", export.toAbsolutePath());
      }
    } catch (SampleStoreException e) {
      throw JouleflowCommand.storeFailure(e, spec);
    } catch (IllegalStateException e) {
      throw new CommandFailure(JouleflowCommand.firstLine(e.getMessage()));
    }
    return 0;
  }

  private static void write(SampleStore samples, MeasureReport r, String profile) {
    Instant now = Instant.now();
    List<LayerSample> layers = new ArrayList<>();
    for (LayerCost c : r.rows()) {
      layers.add(new LayerSample(now, profile, r.source(), SampleOrigin.COLLECT, r.model(), r.config(),
          c.layer().id(), c.layer().type().label(), c.layer().features(), r.batch(),
          c.cost().joules(), c.cost().seconds(), c.cost().runs(), null).withProtocol(r.protocol()));
    }
    samples.writeLayerSamples(layers);
    double sum = r.rows().stream().mapToDouble(c -> c.cost().joules()).sum();
    samples.writeModelSamples(List.of(new ModelSample(now, profile, r.source(), SampleOrigin.COLLECT,
        r.model(), r.config(), r.batch(), r.whole().joules(), r.whole().seconds(), r.whole().runs(),
        null, r.layerCount(), r.additivityFactor(), r.layers().isEmpty() ? null : sum, null,
        r.protocol(), r.machineLoad())));
  }

  /** Traced runs per configuration: ten keep a zoo grid within its time, shares vary little. */
  static final int TRACED_RUNS = 10;

  /** {@code --protocol}'s value, checked. */
  static String protocol(String value, CommandSpec spec) {
    String p = value.strip().toLowerCase(Locale.ROOT).replace("-", "");
    if (!p.equals(MeasureProtocols.IN_PLACE) && !p.equals(MeasureProtocols.ISOLATED)) {
      throw new ParameterException(spec.commandLine(),
          "--protocol must be inplace or isolated, not '" + value + "'");
    }
    return p;
  }

  private record Job(String name, IntFunction<KerasModel> model, int batch, int inputSize) {}

  private List<Job> jobs(CollectPreset grid) {
    List<String> zoo = new ArrayList<>(grid.zooModels());
    int random = grid.randomModels();
    if (zooNames != null && !zooNames.isEmpty()) {
      zoo.clear();
      random = 0;
      for (String m : zooNames) {
        if (m.startsWith("random:")) {
          try {
            random = Integer.parseInt(m.substring(7));
          } catch (NumberFormatException e) {
            throw usage("random:N needs a number, not '" + m + "'");
          }
        } else if (ModelZoo.names().stream().anyMatch(n -> n.equalsIgnoreCase(m))) {
          zoo.add(m);
        } else {
          throw usage("no zoo model '" + m + "'; one of: " + String.join(", ", ModelZoo.names()));
        }
      }
    }
    List<Integer> sizes = inputs == null || inputs.isEmpty() ? grid.inputSizes() : inputs;
    List<Integer> batchSizes = batches == null || batches.isEmpty() ? grid.batches() : batches;
    if (sizes.stream().anyMatch(s -> s < 8) || batchSizes.stream().anyMatch(b -> b < 1)) {
      throw usage("--inputs must be at least 8 and --batches at least 1");
    }
    List<Job> jobs = new ArrayList<>();
    for (int size : sizes) {
      for (int batch : batchSizes) {
        for (String name : zoo) {
          int s = Math.max(size, ModelZoo.minInputSize(name));
          jobs.add(new Job(name, in -> ModelZoo.build(name, in), batch, s));
        }
        for (int seed = 1; seed <= random; seed++) {
          long sd = seed;
          jobs.add(new Job("random_" + seed, in -> RandomArchitectures.generate(sd, in), batch, size));
        }
      }
    }
    return jobs;
  }

  private ParameterException usage(String reason) {
    return new ParameterException(spec.commandLine(), reason);
  }
}
