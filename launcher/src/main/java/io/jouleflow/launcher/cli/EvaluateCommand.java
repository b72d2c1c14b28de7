package io.jouleflow.launcher.cli;

import io.jouleflow.launcher.evaluate.Evaluation;
import io.jouleflow.launcher.evaluate.EvaluationMethod;
import io.jouleflow.launcher.evaluate.EvaluationReport;
import io.jouleflow.launcher.evaluate.Splits.Split;
import io.jouleflow.launcher.evaluate.Splits;
import io.jouleflow.launcher.train.HardwareJoin;
import io.jouleflow.launcher.train.LayerEnergyRegressor;
import io.jouleflow.launcher.train.SampleSelection;
import io.jouleflow.meters.HardwareDescription;
import io.jouleflow.predictor.store.LayerSample;
import io.jouleflow.predictor.store.MeasureProtocols;
import io.jouleflow.predictor.store.ModelSample;
import io.jouleflow.predictor.store.SampleFilter;
import io.jouleflow.predictor.store.SampleOrigin;
import io.jouleflow.predictor.store.SampleStore;
import io.jouleflow.predictor.store.SampleStoreException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jouleflow evaluate}: the held-out-architecture evaluation of the per-layer-type random
 * forests and the baselines (XGBoost, NeuralPower-style polynomial, FLOPs-linear) on the collected
 * samples of one hardware profile. Prints the results table (Markdown) on stdout, progress per fold
 * on stderr, and writes {@code evaluation.md} and {@code evaluation.csv} to {@code --out}.
 *
 * <p>Only {@code collect} samples are evaluated: each configuration's layers were measured next to
 * a whole-model measurement of it, which is what the whole-model errors need. One protocol at a
 * time (in place by default, where there are such rows); where the samples also hold layers
 * measured alone, the paper's footing is printed beside it.
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    versionProvider = JouleflowCommand.Version.class,
    description = {
      "Held-out-architecture evaluation of the random forests and the baselines.",
      "RMSPE per layer type and per whole model, and the share within ±10%%. Whole"
          + " architectures are held out, never single layers."
    })
final class EvaluateCommand implements Callable<Integer> {

  private static final String SQLITE = "jdbc:sqlite:";

  @Spec CommandSpec spec;

  @Option(
      names = "--store",
      paramLabel = "JDBC-URL",
      description = "Sample store to read, any JDBC URL: the store the agent's samples= option"
          + " names. Default: " + SampleStore.DEFAULT_URL + ".")
  String store;

  @Option(
      names = "--from-csv",
      split = ",",
      paramLabel = "DIR",
      description = "Read the samples of `collect --export` directories (comma-separated) instead"
          + " of a store.")
  List<Path> fromCsv;

  @Option(
      names = "--split",
      defaultValue = "family",
      paramLabel = "family|fraction|hardware",
      description =
          "family: leave one architecture family out; fraction: hold out a seeded 20%%"
              + " of the architectures; hardware: leave one hardware profile out (needs samples of"
              + " two or more, with their hardware descriptions). Default: ${DEFAULT-VALUE}.")
  String split;

  @Option(
      names = "--seed",
      defaultValue = "1",
      paramLabel = "N",
      description = "Seed of the fraction split. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--methods",
      split = ",",
      defaultValue = "rf,xgboost,poly,flops",
      paramLabel = "METHOD",
      description = "Methods to evaluate: rf, xgboost, poly, flops. Default: ${DEFAULT-VALUE}.")
  List<String> methods;

  @Option(
      names = "--out",
      defaultValue = "evaluation",
      paramLabel = "DIR",
      description = "Where evaluation.md and evaluation.csv go. Default: ./${DEFAULT-VALUE}.")
  Path out;

  @Option(
      names = "--hardware-profile",
      paramLabel = "ID",
      description =
          "Evaluate the samples of this hardware profile. Default: the one with the most"
              + " layer samples.")
  String hardwareProfile;

  @Option(names = "--protocol", defaultValue = "auto", paramLabel = "auto|inplace|isolated",
      description = "Evaluate rows of this measurement protocol; auto: in place where the profile"
          + " has such rows, else isolated (the paper's footing). Default: ${DEFAULT-VALUE}.")
  String protocol;

  @Option(names = "--include-busy", description = "Keep configurations measured while the machine"
      + " was busy with other work (left out by default).")
  boolean includeBusy;

  @Override
  public Integer call() {
    String protocolChoice = TrainCommand.protocolChoice(protocol, spec);
    if (store != null && fromCsv != null) {
      throw usage("--store and --from-csv exclude each other");
    }
    String splitName = split.strip().toLowerCase(Locale.ROOT);
    if (!List.of("family", "fraction", "hardware").contains(splitName)) {
      throw usage("--split must be family, fraction or hardware, not '" + split + "'");
    }
    if (splitName.equals("hardware") && hardwareProfile != null) {
      throw usage("--split hardware holds each profile out in turn; drop --hardware-profile");
    }
    List<EvaluationMethod> chosen = methods();
    if (fromCsv != null) {
      for (Path dir : fromCsv) {
        if (!Files.isDirectory(dir)) {
          throw usage("--from-csv " + dir + " is not a directory");
        }
      }
    }
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw usage("--out " + out + " is a file, not a directory");
    }
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter stdout = spec.commandLine().getOut();

    List<LayerSample> layers;
    List<ModelSample> models;
    Map<String, Map<String, Double>> described;
    String source;
    try (SampleStore samples = open()) {
      source = fromCsv != null
          ? fromCsv.stream().map(Path::toString).collect(Collectors.joining(", "))
          : SampleStore.redacted(samples.url());
      SampleFilter collected = SampleFilter.ALL.withOrigin(SampleOrigin.COLLECT);
      layers = samples.layerSamples(collected);
      models = samples.modelSamples(collected);
      described = samples.hardwareDescriptions();
    } catch (SampleStoreException e) {
      throw JouleflowCommand.storeFailure(e, spec);
    }
    if (layers.isEmpty()) {
      throw new CommandFailure(
          "no collected layer samples in " + source + "; run `jouleflow collect` first");
    }
    if (splitName.equals("hardware")) {
      return byHardware(layers, models, described, source, chosen, protocolChoice, err, stdout);
    }
    String profile = profile(layers);
    List<LayerSample> profileLayers =
        layers.stream().filter(s -> s.hardwareProfile().equals(profile)).toList();
    List<ModelSample> profileModels =
        models.stream().filter(s -> s.hardwareProfile().equals(profile)).toList();
    SampleSelection selection =
        SampleSelection.of(profileLayers, profileModels, protocolChoice, includeBusy);
    SampleSelection isolated = selection.protocol().equals(MeasureProtocols.IN_PLACE)
        ? SampleSelection.of(profileLayers, profileModels, MeasureProtocols.ISOLATED, includeBusy)
        : null;
    layers = selection.layers();
    models = selection.models();
    Set<String> modelNames = new TreeSet<>();
    layers.forEach(s -> modelNames.add(s.model()));
    Set<String> architectures = new TreeSet<>();
    modelNames.forEach(m -> architectures.add(Splits.architecture(m)));
    if (architectures.size() < 2) {
      throw new CommandFailure(
          "evaluate needs samples of at least 2 architectures to hold one out; "
              + source
              + " has "
              + architectures.size()
              + " for hardware "
              + profile
              + (architectures.isEmpty() ? "" : " (" + String.join(", ", architectures) + ")"));
    }
    Split folds =
        splitName.equals("family")
            ? Splits.byFamily(modelNames)
            : Splits.byFraction(modelNames, Splits.DEFAULT_FRACTION, seed);
    List<LayerEnergyRegressor> regressors = chosen.stream().map(EvaluationMethod::create).toList();
    err.printf(
        Locale.ROOT,
        "evaluate: %d layer and %d model samples of %d architectures from %s, hardware %s, %s;"
            + " %s; methods %s%n",
        layers.size(),
        models.size(),
        architectures.size(),
        source,
        profile,
        selection.describe(),
        folds.description(),
        regressors.stream().map(LayerEnergyRegressor::name).collect(Collectors.joining(", ")));
    err.flush();

    EvaluationReport report;
    try {
      report =
          Evaluation.run(
              folds,
              layers,
              models,
              regressors,
              line -> {
                err.println(line);
                err.flush();
              });
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new CommandFailure(
          "evaluation failed: " + JouleflowCommand.firstLine(e.getMessage()), e);
    }
    List<Path> written = write(report, source);
    stdout.print(report.toMarkdown());
    if (isolated != null && !isolated.layers().isEmpty()) {
      paperComparison(isolated, err, stdout);
    }
    printWritten(written, stdout);
    return JouleflowCommand.EXIT_OK;
  }

  /** Writes the report's files to {@code --out}; fails when no held-out model was scored. */
  private List<Path> write(EvaluationReport report, String source) {
    if (report.heldOutModels() == 0) {
      throw new CommandFailure(
          "no held-out model could be scored: the samples of "
              + source
              + " have no whole-model measurement next to measured layers");
    }
    try {
      return report.write(out);
    } catch (UncheckedIOException e) {
      throw new CommandFailure(JouleflowCommand.firstLine(e.getMessage()), e);
    }
  }

  private static void printWritten(List<Path> written, PrintWriter stdout) {
    stdout.printf(
        Locale.ROOT,
        "%nwrote %s%n",
        written.stream().map(p -> p.toAbsolutePath().toString()).collect(Collectors.joining(", ")));
    stdout.flush();
  }

  /**
   * {@code --split hardware}: every profile's samples, with their hardware features, each profile
   * held out in turn; the random forest without hardware features is printed beside it.
   */
  private int byHardware(List<LayerSample> layers, List<ModelSample> models,
      Map<String, Map<String, Double>> described, String source, List<EvaluationMethod> chosen,
      String protocolChoice, PrintWriter err, PrintWriter stdout) {
    Set<String> profiles = new TreeSet<>();
    layers.forEach(s -> profiles.add(s.hardwareProfile()));
    if (profiles.size() < 2) {
      throw new CommandFailure("--split hardware needs collected samples of at least 2 hardware"
          + " profiles; " + source + " has " + String.join(", ", profiles)
          + " (run `jouleflow calibrate --store ...` on another machine and import its rows)");
    }
    List<LayerSample> selectedLayers = new ArrayList<>();
    List<ModelSample> selectedModels = new ArrayList<>();
    List<String> selections = new ArrayList<>();
    for (String p : profiles) {
      SampleSelection selection = SampleSelection.of(
          layers.stream().filter(s -> s.hardwareProfile().equals(p)).toList(),
          models.stream().filter(s -> s.hardwareProfile().equals(p)).toList(),
          protocolChoice, includeBusy);
      selectedLayers.addAll(selection.layers());
      selectedModels.addAll(selection.models());
      selections.add(p + ": " + selection.describe());
    }
    HardwareJoin.Joined joined = HardwareJoin.join(selectedLayers, described);
    if (!joined.complete()) {
      throw new CommandFailure("--split hardware needs each profile's hardware description; "
          + source + " has none for " + String.join(", ", joined.undescribed())
          + " (samples written by this jouleflow's collect, calibrate or agent carry one)");
    }
    Split folds = Splits.byHardware(profiles);
    List<LayerEnergyRegressor> regressors = chosen.stream().map(EvaluationMethod::create).toList();
    err.printf(Locale.ROOT, "evaluate: %d layer and %d model samples from %s, %s; %s; methods %s,"
            + " with hardware features (%s)%n", joined.samples().size(), selectedModels.size(),
        source, String.join("; ", selections), folds.description(),
        regressors.stream().map(LayerEnergyRegressor::name).collect(Collectors.joining(", ")),
        String.join(", ", hardwareFeatureNames(joined.samples())));
    err.flush();
    EvaluationReport report;
    EvaluationReport plain;
    try {
      report = Evaluation.run(folds, joined.samples(), selectedModels, regressors, line -> {
        err.println(line);
        err.flush();
      });
      err.println("evaluate: the random forest again, without hardware features");
      err.flush();
      plain = Evaluation.run(folds, selectedLayers, selectedModels,
          List.of(EvaluationMethod.RF.create()), line -> { });
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new CommandFailure(
          "evaluation failed: " + JouleflowCommand.firstLine(e.getMessage()), e);
    }
    List<Path> written = write(report, source);
    stdout.print(report.toMarkdown());
    stdout.printf(Locale.ROOT, "%nWithout hardware features: random-forest whole-model RMSPE %.2f %%"
            + " on the same %d held-out configurations.%n",
        plain.methods().get(0).wholeModel().rmspe() * 100, plain.heldOutModels());
    printWritten(written, stdout);
    return JouleflowCommand.EXIT_OK;
  }

  private static Set<String> hardwareFeatureNames(List<LayerSample> samples) {
    Set<String> names = new TreeSet<>();
    samples.forEach(s -> s.features().keySet().stream()
        .filter(HardwareDescription::isHardwareFeature).forEach(names::add));
    return names;
  }

  /**
   * The paper's footing beside the headline: where the samples also hold layers measured alone,
   * the random forest on those, held out the same way, against the sum of the measured layers.
   */
  private void paperComparison(SampleSelection isolated, PrintWriter err, PrintWriter stdout) {
    Set<String> names = new TreeSet<>();
    isolated.layers().forEach(s -> names.add(s.model()));
    Split folds = split.strip().toLowerCase(Locale.ROOT).equals("family")
        ? Splits.byFamily(names) : Splits.byFraction(names, Splits.DEFAULT_FRACTION, seed);
    err.println("evaluate: the paper's footing, random forest on the layers measured alone ("
        + isolated.layers().size() + " layer samples)");
    err.flush();
    try {
      EvaluationReport paper = Evaluation.run(folds, isolated.layers(), isolated.models(),
          List.of(EvaluationMethod.RF.create()), line -> { });
      EvaluationReport.MethodResult rf = paper.methods().get(0);
      stdout.printf(Locale.ROOT, "%nPaper comparison (protocol isolated: layers measured alone,"
              + " %d held-out configurations): random-forest RMSPE %.2f %% against the sum of the"
              + " measured layers (the paper's footing), %.2f %% against the measured whole model.%n",
          paper.heldOutModels(), rf.sumOfLayers().rmspe() * 100, rf.wholeModel().rmspe() * 100);
    } catch (IllegalArgumentException | IllegalStateException e) {
      stdout.printf("%nPaper comparison: not possible here (%s)%n",
          JouleflowCommand.firstLine(e.getMessage()));
    }
  }

  private List<EvaluationMethod> methods() {
    Set<EvaluationMethod> chosen = new LinkedHashSet<>();
    for (String key : methods) {
      if (key.isBlank()) {
        continue;
      }
      chosen.add(
          EvaluationMethod.ofKey(key)
              .orElseThrow(
                  () ->
                      usage(
                          "unknown method '"
                              + key
                              + "'; one of: "
                              + String.join(", ", EvaluationMethod.keys()))));
    }
    if (chosen.isEmpty()) {
      throw usage(
          "--methods names no method; one of: " + String.join(", ", EvaluationMethod.keys()));
    }
    // Rows in the report's fixed order, whatever order they were named in.
    List<EvaluationMethod> ordered = new ArrayList<>(chosen);
    ordered.sort(Comparator.naturalOrder());
    return ordered;
  }

  /** The store to read: the CSV export loaded into memory, or the store, which must exist. */
  private SampleStore open() {
    if (fromCsv != null) {
      SampleStore memory = SampleStore.open(SQLITE + ":memory:");
      try {
        for (Path dir : fromCsv) {
          memory.importCsv(dir);
        }
      } catch (SampleStoreException e) {
        memory.close();
        throw e;
      }
      return memory;
    }
    boolean named = store != null && !store.isBlank();
    String url = named ? store.strip() : SampleStore.DEFAULT_URL;
    Path file = SampleStores.missingFile(url);
    if (file != null) {
      // Opening would create an empty store: say what is missing instead. A store the user
      // named is bad input; the default one not yet collected into, a failure.
      String reason = "no sample store at " + file + "; run `jouleflow collect` first";
      throw named ? usage(reason) : new CommandFailure(reason);
    }
    return SampleStore.open(url);
  }

  /** The requested hardware profile, or the one with the most layer samples. */
  private String profile(List<LayerSample> layers) {
    Map<String, Long> counts =
        layers.stream()
            .collect(
                Collectors.groupingBy(
                    LayerSample::hardwareProfile, TreeMap::new, Collectors.counting()));
    if (hardwareProfile != null) {
      if (!counts.containsKey(hardwareProfile)) {
        throw usage(
            "no collected samples of hardware profile '"
                + hardwareProfile
                + "'; the"
                + " store has: "
                + String.join(", ", counts.keySet()));
      }
      return hardwareProfile;
    }
    return counts.entrySet().stream()
        .max(
            Map.Entry.<String, Long>comparingByValue()
                .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
        .map(Map.Entry::getKey)
        .orElseThrow();
  }

  private ParameterException usage(String reason) {
    return new ParameterException(spec.commandLine(), reason);
  }
}
