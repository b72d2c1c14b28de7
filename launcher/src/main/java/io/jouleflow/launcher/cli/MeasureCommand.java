package io.jouleflow.launcher.cli;

import io.jouleflow.launcher.graph.GraphMeasurer;
import io.jouleflow.launcher.graph.GraphModel;
import io.jouleflow.launcher.keras.KerasGraphBuilder;
import io.jouleflow.launcher.measure.InferenceEnergy;
import io.jouleflow.launcher.measure.KerasMeasurer;
import io.jouleflow.launcher.measure.LayerCost;
import io.jouleflow.launcher.measure.MeasureProtocol;
import io.jouleflow.launcher.measure.MeasureReport;
import io.jouleflow.predictor.keras.KerasFormatException;
import io.jouleflow.predictor.keras.KerasModel;
import io.jouleflow.predictor.model.ModelSet;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.tensorflow.exceptions.TensorFlowException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jouleflow measure <model>}: builds the model with random weights, runs it with the
 * meters, and prints measured joules and seconds per inference for the whole model and for each
 * layer alone, with the additivity factor (the paper's protocol). A TensorFlow graph (SavedModel
 * directory, GraphDef {@code .pb}) runs with its own weights and is measured whole only: layers
 * alone need an architecture to rebuild them from.
 */
@Command(
    name = "measure",
    mixinStandardHelpOptions = true,
    versionProvider = JouleflowCommand.Version.class,
    description = {
      "Measure a model's energy per inference, whole and layer by layer.",
      "In place (default): the whole model runs, traced runs split its energy over the layers as"
          + " the agent does, and the rest is the overhead row. --protocol isolated: each layer"
          + " runs alone (the paper's protocol) and the additivity factor is printed. <model>: a"
          + " Keras JSON file (model.to_json() or TF.js model.json), zoo:NAME, or a TensorFlow"
          + " SavedModel directory or GraphDef .pb (measured whole only)."
    })
final class MeasureCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "<model>", description = "Keras JSON file, zoo:NAME, SavedModel directory or GraphDef .pb")
  String model;

  @Option(names = "--batch", defaultValue = "1", description = "Batch size. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(names = "--input", paramLabel = "HxWxC", description = "Input shape (needed for open shapes).")
  String input;

  @Option(names = "--format", defaultValue = "table", paramLabel = "table|json|csv|html",
      description = "Output format (html: one self-contained page, measured and predicted bars"
          + " per layer). Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--no-layers", description = "Measure the whole model only.")
  boolean noLayers;

  @Option(names = "--protocol", defaultValue = "inplace", paramLabel = "inplace|isolated",
      description = "How layers are measured: in place, within the whole model (as the agent sees"
          + " them), or isolated, each alone (the paper's protocol). Default: ${DEFAULT-VALUE}.")
  String protocol;

  @Option(names = "--traced-runs", defaultValue = "20", paramLabel = "N",
      description = "In place: traced runs whose layer shares are averaged. Default: ${DEFAULT-VALUE}.")
  int tracedRuns;

  @Mixin MeterOptions meterOptions;

  @Option(names = "--min-seconds", defaultValue = "1", paramLabel = "S",
      description = "Measured time per model and per layer, at least. Default: ${DEFAULT-VALUE}.")
  double minSeconds;

  @Option(names = "--min-runs", defaultValue = "20", paramLabel = "N",
      description = "Measured runs per model and per layer, at least. Default: ${DEFAULT-VALUE}.")
  int minRuns;

  @Option(names = "--warmup", defaultValue = "5", paramLabel = "N",
      description = "Unmeasured runs first. Default: ${DEFAULT-VALUE}.")
  int warmup;

  @Override
  public Integer call() {
    OutputFormat fmt = parseFormat();
    if (batch < 1 || batch > 4096) {
      throw usage("--batch must be 1 to 4096, not " + batch);
    }
    if (!(minSeconds > 0 && minSeconds < Double.POSITIVE_INFINITY) || minRuns < 1 || warmup < 0) {
      throw usage("--min-seconds must be > 0 and finite, --min-runs >= 1, --warmup >= 0");
    }
    meterOptions.validate(spec);
    String measureProtocol = CollectCommand.protocol(protocol, spec);
    if (tracedRuns < 1 || tracedRuns > 10_000) {
      throw usage("--traced-runs must be 1 to 10000, not " + tracedRuns);
    }
    int[] hwc;
    boolean graph;
    try {
      hwc = ModelArgument.inputShape(input);
      graph = ModelArgument.isGraph(model);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    MeasureProtocol protocol = new MeasureProtocol(warmup, minSeconds, minRuns);
    if (graph) {
      return measureGraph(hwc, protocol, fmt);
    }
    KerasModel keras;
    try {
      keras = ModelArgument.resolve(model, model.startsWith("zoo:") && hwc != null ? hwc[0] : null);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    int[] override = model.startsWith("zoo:") ? null : hwc;
    PrintWriter err = spec.commandLine().getErr();
    try (InferenceEnergy energy = InferenceEnergy.open(meterOptions.meters,
        meterOptions.cpuWatts(), meterOptions.powercapRoot,
        line -> { err.println(line); err.flush(); })) {
      KerasMeasurer measurer = new KerasMeasurer(energy, protocol, protocol,
          line -> { err.println("measure: " + line); err.flush(); }, measureProtocol, tracedRuns);
      MeasureReport report;
      try {
        report = measurer.measure(keras, batch, override, !noLayers);
      } catch (KerasGraphBuilder.UnsupportedLayerException | KerasFormatException e) {
        throw usage(JouleflowCommand.firstLine(e.getMessage()));
      } catch (IllegalArgumentException e) {
        throw usage(JouleflowCommand.firstLine(e.getMessage()));
      }
      print(report, fmt, energy.measured());
    } catch (IllegalStateException e) {
      throw new CommandFailure(JouleflowCommand.firstLine(e.getMessage()));
    }
    return 0;
  }

  /** A SavedModel or GraphDef: the whole model only (see {@link GraphMeasurer}). */
  private int measureGraph(int[] hwc, MeasureProtocol protocol, OutputFormat fmt) {
    GraphModel loaded;
    try {
      loaded = ModelArgument.loadGraph(model, batch, hwc);
    } catch (IllegalArgumentException e) {
      throw usage(JouleflowCommand.firstLine(e.getMessage()));
    }
    PrintWriter err = spec.commandLine().getErr();
    try (GraphModel graph = loaded;
        InferenceEnergy energy = InferenceEnergy.open(meterOptions.meters,
            meterOptions.cpuWatts(), meterOptions.powercapRoot,
            line -> { err.println(line); err.flush(); })) {
      if (!noLayers) {
        err.println("measure: layers alone need a Keras architecture (JSON or zoo:);"
            + " measuring the whole model only");
        err.flush();
      }
      GraphMeasurer measurer = new GraphMeasurer(energy, protocol,
          line -> { err.println("measure: " + line); err.flush(); });
      MeasureReport report;
      try {
        report = measurer.measure(graph);
      } catch (TensorFlowException e) {
        throw new CommandFailure("cannot run " + model + ": "
            + JouleflowCommand.firstLine(e.getMessage()));
      }
      print(report, fmt, energy.measured());
    } catch (IllegalStateException e) {
      throw new CommandFailure(JouleflowCommand.firstLine(e.getMessage()));
    }
    return 0;
  }

  private void print(MeasureReport r, OutputFormat fmt, boolean measured) {
    PrintWriter out = spec.commandLine().getOut();
    switch (fmt) {
      case JSON -> out.println(MeasureOutput.json(r));
      case CSV -> out.print(MeasureOutput.csv(r));
      case HTML -> out.print(MeasureOutput.html(r, measured,
          r.layers().isEmpty() ? null : predictionSet(), PredictCommand.machineProfile()));
      default -> {
        out.printf(Locale.ROOT, "model %s, %s, source %s%s%s%n", r.model(), r.config(), r.source(),
            measured ? "" : " (an estimate, not a measurement)",
            r.layers().isEmpty() ? "" : ", layers measured " + (r.overhead() != null ? "in place" : "alone"));
        out.printf(Locale.ROOT, "%-32s %-14s %14s %12s%n", "LAYER", "TYPE", "mJ/INFERENCE", "ms/INFERENCE");
        if (!r.layers().isEmpty()) {
          for (LayerCost c : r.rows()) {
            out.printf(Locale.ROOT, "%-32s %-14s %14.4f %12.4f%s%n", c.layer().id(),
                c.layer().type().label(), c.cost().joules() * 1e3, c.cost().seconds() * 1e3,
                c.reused() ? "  (same as an identical layer)" : "");
          }
          if (r.overhead() == null) {
            out.printf(Locale.ROOT, "%-32s %-14s %14.4f%n", "sum of layers", "", r.sumOfLayerJoules() * 1e3);
          }
        }
        out.printf(Locale.ROOT, "%-32s %-14s %14.4f %12.4f   (%d runs)%n", "whole model", "",
            r.whole().joules() * 1e3, r.whole().seconds() * 1e3, r.whole().runs());
        if (r.additivityFactor() != null) {
          out.printf(Locale.ROOT, "additivity factor (whole / sum of layers): %.3f%n", r.additivityFactor());
        }
        if (r.machineLoad() != null && r.machineLoad().busy()) {
          out.printf(Locale.ROOT, "the machine was busy while measuring (other processes %.0f %%,"
              + " steal %.0f %% of the CPUs): measure again on a quiet machine%n",
              r.machineLoad().otherCpuShare() * 100, r.machineLoad().stealShare() * 100);
        }
      }
    }
    out.flush();
  }

  /**
   * The set {@code predict} would use, for the page's predicted bars; without one the page has
   * measured bars only (one stderr line says why).
   */
  private ModelSet predictionSet() {
    try {
      return PredictCommand.defaultModelSet();
    } catch (RuntimeException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("measure: no predictions on the page: " + JouleflowCommand.firstLine(e.getMessage()));
      err.flush();
      return null;
    }
  }

  private OutputFormat parseFormat() {
    return OutputFormat.parse(format, List.of(OutputFormat.values()), spec);
  }

  private ParameterException usage(String reason) {
    return new ParameterException(spec.commandLine(), reason);
  }
}
