package io.jouleflow.launcher.cli;

import io.jouleflow.launcher.train.HardwareJoin;
import io.jouleflow.launcher.train.ModelSetTrainer;
import io.jouleflow.launcher.train.ProfilePrior;
import io.jouleflow.launcher.train.SampleSelection;
import io.jouleflow.predictor.model.FallbackRates;
import io.jouleflow.predictor.model.ForestHyperParameters;
import io.jouleflow.predictor.model.LayerTypeFit;
import io.jouleflow.predictor.model.ModelSet;
import io.jouleflow.predictor.model.ModelSetException;
import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.ModelSample;
import io.jouleflow.predictor.store.SampleFilter;
import io.jouleflow.predictor.store.SampleOrigin;
import io.jouleflow.predictor.store.SampleStore;
import io.jouleflow.predictor.store.SampleStoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jouleflow train}: trains the per-layer-type random forests on the sample store's layer
 * samples of one hardware profile and writes a model set directory (see {@link ModelSet}).
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    versionProvider = JouleflowCommand.Version.class,
    description = {
      "Train the per-layer-type random forests on the sample store; write a model set.",
      "Layer types with fewer than 20 rows, or seen in fewer than 3 models, fall back",
      "to a per-FLOP rate. The agent's samples of one layer become one row, at their median,"
          + " weighted ten times a collected row."
    })
final class TrainCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  static final class Source {
    @Option(names = "--store", paramLabel = "JDBC-URL",
        description = "Sample store, any JDBC URL: the store the agent's samples= option names."
            + " Default: " + SampleStore.DEFAULT_URL + ".")
    String store;

    @Option(names = "--from-csv", paramLabel = "DIR",
        description = "Train on a store export (layer_samples.csv.gz, model_samples.csv.gz)"
            + " instead of a store.")
    Path fromCsv;
  }

  @ArgGroup(exclusive = true)
  Source source;

  @Option(names = "--out", paramLabel = "DIR",
      description = "Where to write the set. Default: ~/.jouleflow/models/<profile>-<time>.")
  Path outDir;

  @Option(names = "--hardware-profile", paramLabel = "ID",
      description = "Train on this profile's samples. Default: this machine's, where the store has"
          + " samples of it (other profiles' samples then serve as prior knowledge), else the"
          + " profile with most samples.")
  String hardwareProfile;

  @Option(names = "--no-prior", description = "Leave other hardware profiles' samples out entirely.")
  boolean noPrior;

  @Option(names = "--prior", defaultValue = "scale", paramLabel = "scale|hardware",
      description = "How other profiles' samples count. scale: scaled to this machine by the"
          + " configurations both measured; hardware: as they are, with every sample's hardware"
          + " features (CPU vendor, cores, threads, base clock, memory, GPUs), so that one set"
          + " learns the profiles apart. Default: ${DEFAULT-VALUE}.")
  String prior;

  @Option(names = "--origin", defaultValue = "all", paramLabel = "collect|agent|all",
      description = "Which samples: collect, agent or all. Default: ${DEFAULT-VALUE}.")
  String origin;

  @Option(names = "--protocol", defaultValue = "auto", paramLabel = "auto|inplace|isolated",
      description = "Train on rows of this measurement protocol; auto: in place where the profile"
          + " has such rows, else isolated. Default: ${DEFAULT-VALUE}.")
  String protocol;

  @Option(names = "--include-busy", description = "Keep configurations measured while the machine"
      + " was busy with other work (left out by default).")
  boolean includeBusy;

  @Option(names = "--trees", paramLabel = "N",
      description = "Trees per forest. Default: " + 100 + ".")
  Integer trees;

  @Option(names = "--max-depth", paramLabel = "N", description = "Deepest tree. Default: 14.")
  Integer maxDepth;

  @Option(names = "--seed", paramLabel = "N", description = "Random seed. Default: 42.")
  Long seed;

  @Override
  public Integer call() {
    if (source == null) {
      source = new Source();
    }
    String originFilter = origin();
    String protocolChoice = protocolChoice(protocol, spec);
    ForestHyperParameters hyper = hyperParameters();
    if (outDir != null && Files.exists(outDir) && !Files.isDirectory(outDir)) {
      throw usage("--out " + outDir + " is a file, not a directory");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();

    Loaded loaded = load(originFilter, err);
    List<LayerSample> all = loaded.layers();
    String where = source.fromCsv != null ? "export " + source.fromCsv : "the store";
    if (all.isEmpty()) {
      throw new CommandFailure("no layer samples in " + where
          + (originFilter == null ? "" : " with origin " + originFilter)
          + "; measure some with `jouleflow collect`");
    }
    Map<String, Long> profiles = all.stream().collect(
        Collectors.groupingBy(LayerSample::hardwareProfile, LinkedHashMap::new, Collectors.counting()));
    String profile = hardwareProfile;
    String machine = PredictCommand.machineProfile();
    if (profile == null && machine != null && profiles.containsKey(machine)) {
      profile = machine; // this machine's rows, the agent's among them, always count
    } else if (profile == null) {
      profile = profiles.entrySet().stream()
          // most samples; on a tie, the first id in alphabetical order
          .max(Map.Entry.<String, Long>comparingByValue()
              .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
          .orElseThrow().getKey();
      if (profiles.size() > 1) {
        out.printf(Locale.ROOT, "samples of %d hardware profiles (%s); training on the most common, %s"
                + " (choose with --hardware-profile)%n", profiles.size(),
            profiles.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining(", ")), profile);
      }
    } else if (!profiles.containsKey(profile)) {
      throw usage("no layer samples of hardware profile " + profile + " in " + where
          + "; it holds " + String.join(", ", profiles.keySet()));
    }
    String chosen = profile;
    SampleSelection selection = SampleSelection.of(
        all.stream().filter(s -> s.hardwareProfile().equals(chosen)).toList(),
        loaded.models().stream().filter(s -> s.hardwareProfile().equals(chosen)).toList(),
        protocolChoice, includeBusy);
    List<LayerSample> samples = selection.layers();
    if (samples.isEmpty()) {
      throw new CommandFailure("no layer samples of " + chosen + " left with " + selection.describe());
    }
    String priorProfile = profiles.entrySet().stream()
        .filter(e -> !e.getKey().equals(chosen))
        .max(Map.Entry.<String, Long>comparingByValue()
            .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
        .map(Map.Entry::getKey).orElse(null);
    String priorMode = prior.strip().toLowerCase(Locale.ROOT);
    if (!priorMode.equals("scale") && !priorMode.equals("hardware")) {
      throw usage("--prior must be scale or hardware, not '" + prior + "'");
    }
    if (priorProfile != null && !noPrior && priorMode.equals("hardware")) {
      samples = withHardware(samples, all, loaded, selection.protocol(), out);
    } else if (priorProfile != null && !noPrior) {
      SampleSelection other = SampleSelection.of(
          all.stream().filter(s -> s.hardwareProfile().equals(priorProfile)).toList(),
          loaded.models().stream().filter(s -> s.hardwareProfile().equals(priorProfile)).toList(),
          selection.protocol(), includeBusy);
      ProfilePrior prior = ProfilePrior.of(chosen, samples, selection.models(), other.layers(),
          other.models());
      if (prior.matched() > 0) {
        List<LayerSample> withPrior = new ArrayList<>(samples);
        withPrior.addAll(prior.rows());
        samples = withPrior;
        out.printf(Locale.ROOT, "prior: %d layer samples of %s, scaled by %.3f (this machine ÷"
                + " that one, %s; --no-prior leaves them out)%n", prior.rows().size(), priorProfile,
            prior.ratio(), prior.byPredictions()
                ? "observed ÷ predicted over " + prior.matched() + " of this machine's samples"
                : "median over " + prior.matched() + " configurations both measured");
      } else {
        out.printf(Locale.ROOT, "prior: %s shares no configuration with this machine and no"
            + " sample here carries a prediction, so its samples cannot be scaled and are left out"
            + " (run `jouleflow calibrate --store ...` to measure the shared suite)%n", priorProfile);
      }
    }
    Map<String, Long> origins = samples.stream().collect(
        Collectors.groupingBy(LayerSample::origin, LinkedHashMap::new, Collectors.counting()));
    out.printf(Locale.ROOT, "training on %d layer samples of %s (%s; %s): %d trees per type, seed %d%n",
        samples.size(), chosen, origins.entrySet().stream()
            .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", ")),
        selection.describe(), hyper.trees(), hyper.seed());
    out.flush();

    ModelSet set;
    try {
      set = ModelSetTrainer.train(samples, hyper, line -> {
        err.println("train: " + line);
        err.flush();
      });
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(JouleflowCommand.firstLine(e.getMessage()));
    }
    Path dir = outDir != null
        ? outDir
        : ModelSet.defaultRoot().resolve(ModelSet.directoryName(chosen, Instant.now()));
    try {
      set.write(dir);
    } catch (ModelSetException e) {
      throw new CommandFailure(e.getMessage(), e);
    }
    print(set, dir, out);
    return 0;
  }

  /**
   * {@code --prior hardware}: this profile's samples and every other profile's, each with its
   * hardware's features.
   */
  private List<LayerSample> withHardware(List<LayerSample> own, List<LayerSample> all,
      Loaded loaded, String protocolUsed, PrintWriter out) {
    List<LayerSample> rows = new ArrayList<>(own);
    Set<String> others = new TreeSet<>();
    all.forEach(s -> others.add(s.hardwareProfile()));
    others.remove(own.get(0).hardwareProfile());
    for (String p : others) {
      rows.addAll(SampleSelection.of(
          all.stream().filter(s -> s.hardwareProfile().equals(p)).toList(),
          loaded.models().stream().filter(s -> s.hardwareProfile().equals(p)).toList(),
          protocolUsed, includeBusy).layers());
    }
    HardwareJoin.Joined joined = HardwareJoin.join(rows, loaded.hardware());
    if (!joined.complete()) {
      throw new CommandFailure("--prior hardware needs every profile's hardware description; the"
          + " samples have none for " + String.join(", ", joined.undescribed())
          + " (use --prior scale, or samples written by this jouleflow's collect, calibrate or"
          + " agent)");
    }
    out.printf(Locale.ROOT, "prior: %d layer samples of %s as measured, every sample with its"
        + " hardware features%n", rows.size() - own.size(), String.join(", ", others));
    return joined.samples();
  }

  private record Loaded(List<LayerSample> layers, List<ModelSample> models,
      Map<String, Map<String, Double>> hardware) {}

  /** {@code --protocol}'s value for {@link SampleSelection}, checked. */
  static String protocolChoice(String value, CommandSpec spec) {
    String p = value.strip().toLowerCase(Locale.ROOT);
    return p.equals(SampleSelection.AUTO) ? p : CollectCommand.protocol(p, spec);
  }

  private Loaded load(String originFilter, PrintWriter err) {
    SampleFilter filter = SampleFilter.ALL.withOrigin(originFilter);
    if (source.fromCsv == null) {
      if (source.store != null && SampleStores.missingFile(source.store) != null) {
        // Opening would create an empty store: say what is missing instead.
        throw usage("no sample store at " + SampleStores.missingFile(source.store)
            + "; run `jouleflow collect` first");
      }
      try (SampleStore store = SampleStore.open(source.store)) {
        return new Loaded(store.layerSamples(filter), store.modelSamples(filter),
            store.hardwareDescriptions());
      } catch (SampleStoreException e) {
        throw JouleflowCommand.storeFailure(e, spec);
      }
    }
    if (!Files.isDirectory(source.fromCsv)) {
      throw usage("--from-csv: no such directory: " + source.fromCsv);
    }
    Path tmp = null;
    try {
      tmp = Files.createTempDirectory("jouleflow-train-");
      try (SampleStore store = SampleStore.open("jdbc:sqlite:" + tmp.resolve("samples.db"))) {
        int imported = store.importCsv(source.fromCsv);
        err.printf(Locale.ROOT, "train: imported %d samples from %s%n", imported, source.fromCsv);
        return new Loaded(store.layerSamples(filter), store.modelSamples(filter),
            store.hardwareDescriptions());
      }
    } catch (SampleStoreException e) {
      throw JouleflowCommand.storeFailure(e, spec);
    } catch (IOException e) {
      throw new CommandFailure("cannot create a temporary store: " + e.getMessage(), e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  private void print(ModelSet set, Path dir, PrintWriter out) {
    out.printf(Locale.ROOT, "%-15s %7s %7s  %-9s %s%n", "TYPE", "ROWS", "MODELS", "MODEL",
        "TOP FEATURES (importance)");
    for (LayerTypeFit fit : set.manifest().types()) {
      String features = fit.fallback()
          ? fit.reason()
          : fit.importances().entrySet().stream().limit(5)
              .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
              .collect(Collectors.joining(", "));
      out.printf(Locale.ROOT, "%-15s %7d %7d  %-9s %s%n", fit.type(), fit.rows(), fit.models(),
          fit.fallback() ? "fallback" : "forest", features);
    }
    out.println("fallback: the type's FLOPs line, else (types never seen) median rates of all rows:");
    for (LayerTypeFit fit : set.manifest().types()) {
      if (fit.fallback()) {
        out.printf(Locale.ROOT, "  %-13s %s%n", fit.type(), fit.rates().line() != null
            ? String.format(Locale.ROOT, "%s J + %s J/FLOP x FLOPs",
                number(fit.rates().line().intercept()), number(fit.rates().line().slope()))
            : rates(fit.rates()));
      }
    }
    out.printf(Locale.ROOT, "  %-13s %s%n", "unseen types", rates(set.manifest().globalRates()));
    out.printf(Locale.ROOT, "model set written to %s (%.1f s of training, git %s)%n",
        dir.toAbsolutePath(), set.manifest().trainingSeconds(), set.manifest().gitRevision());
    out.flush();
  }

  private static String rates(FallbackRates r) {
    return String.format(Locale.ROOT, "%s J/FLOP, %s J/byte, %s J/layer", number(r.joulesPerFlop()),
        number(r.joulesPerByte()), number(r.joulesPerLayer()));
  }

  private static String number(Double value) {
    return value == null ? "-" : String.format(Locale.ROOT, "%.3g", value);
  }

  private String origin() {
    String o = origin.strip().toLowerCase(Locale.ROOT);
    return switch (o) {
      case "all" -> null;
      case SampleOrigin.COLLECT, SampleOrigin.AGENT -> o;
      default -> throw usage("--origin must be collect, agent or all, not '" + origin + "'");
    };
  }

  private ForestHyperParameters hyperParameters() {
    ForestHyperParameters hyper = ForestHyperParameters.DEFAULT;
    try {
      if (trees != null) {
        hyper = hyper.withTrees(trees);
      }
      if (maxDepth != null) {
        hyper = hyper.withMaxDepth(maxDepth);
      }
      if (seed != null) {
        hyper = hyper.withSeed(seed);
      }
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    if (hyper.trees() > 10_000) {
      throw usage("--trees must be at most 10000, not " + hyper.trees());
    }
    return hyper;
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      // a temporary directory left behind is not worth failing the training
    }
  }

  private ParameterException usage(String reason) {
    return new ParameterException(spec.commandLine(), reason);
  }
}
