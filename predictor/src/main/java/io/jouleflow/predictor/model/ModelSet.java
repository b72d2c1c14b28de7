package io.jouleflow.predictor.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jouleflow.meters.HardwareDescription;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A trained set of per-layer-type energy models: what {@code jouleflow train} writes and what
 * {@code predict} and the agent load. On disk a directory:
 *
 * <pre>
 * manifest.json          {@link ModelSetManifest}: hardware profile, meters, data, settings,
 *                        per-type importances and fallback rates, git revision, evaluation
 * Convolutional.forest   one random forest per type that has one: trained with Tribuo, stored as
 * Dense.forest           flat arrays ({@link CompactForest}, see there why)
 * ...
 * </pre>
 *
 * <p>The manifest is written last, so a directory with a manifest is a complete set. A set trained
 * on another hardware profile still predicts; callers compare {@link #hardwareProfile()} with the
 * machine's and warn. A set can also ship inside the jar, under {@value #BUNDLED} ({@link
 * #bundled()}).
 *
 * <p>Every file of a set directory must be a regular file (symlinks are followed; a device or a
 * FIFO is refused before it is opened), the manifest at most {@value #MAX_MANIFEST_MIB} MiB and a
 * forest at most {@value #MAX_FOREST_MIB} MiB: the bundled set's manifest is 16 KB, its largest
 * forest 2 MB.
 */
public final class ModelSet {

  /** The manifest format this version writes and the newest it reads. */
  public static final int FORMAT_VERSION = 1;

  /** The manifest's file name. */
  public static final String MANIFEST = "manifest.json";

  /** Where a model set bundled with jouleflow lies on the class path. */
  public static final String BUNDLED = "/io/jouleflow/predictor/modelset/default/";

  /** The manifest's {@code model_format}: the forests' files are {@link CompactForest}s. */
  /** Forests on log(joules / FLOPs line of the type): see {@link FlopsBaseline}. */
  public static final String MODEL_FORMAT = "jouleflow-forest-2";

  /** The largest manifest read, in MiB. */
  public static final int MAX_MANIFEST_MIB = 16;

  /** The largest forest file read, in MiB. */
  public static final int MAX_FOREST_MIB = 512;

  private static final String MODEL_SUFFIX = ".forest";
  private static final ObjectMapper JSON =
      new ObjectMapper(
              JsonFactory.builder()
                  .streamReadConstraints(StreamReadConstraints.builder()
                      .maxDocumentLength((long) MAX_MANIFEST_MIB << 20).build())
                  .build())
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final ModelSetManifest manifest;
  private final LayerEnergyForests forests;
  private final String location;
  // The predicting machine's hardware features, added to every layer's (only a set trained on
  // rows that carried them uses them; for others the map stays empty).
  private final Map<String, Double> hardware;

  private ModelSet(ModelSetManifest manifest, LayerEnergyForests forests, String location) {
    this(manifest, forests, location, Map.of());
  }

  private ModelSet(ModelSetManifest manifest, LayerEnergyForests forests, String location,
      Map<String, Double> hardware) {
    this.manifest = manifest;
    this.forests = forests;
    this.location = location;
    this.hardware = hardware;
  }

  /**
   * A set of {@code forests} described by {@code manifest}, not yet written (training makes one;
   * {@link #write} keeps it).
   */
  public static ModelSet of(ModelSetManifest manifest, LayerEnergyForests forests) {
    return new ModelSet(manifest, forests, "(not written)");
  }

  /**
   * Writes the set to {@code dir}, creating it; files of the same names are replaced.
   *
   * @throws ModelSetException if it cannot
   */
  public void write(Path dir) {
    try {
      Files.createDirectories(dir);
      for (LayerTypeFit fit : manifest.types()) {
        if (fit.file() != null) {
          try (OutputStream out =
              new BufferedOutputStream(Files.newOutputStream(dir.resolve(fit.file())), 1 << 16)) {
            forests.forests().get(fit.type()).write(out);
          }
        }
      }
      Path tmp = dir.resolve(MANIFEST + ".tmp");
      Files.write(tmp, JSON.writeValueAsBytes(manifest));
      try {
        Files.move(tmp, dir.resolve(MANIFEST), StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, dir.resolve(MANIFEST), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | RuntimeException e) {
      throw new ModelSetException("cannot write model set to " + dir + ": " + reason(e), e);
    }
  }

  /**
   * Reads the set in {@code dir}, every forest at once (a corrupt file fails here, not at the
   * first prediction).
   *
   * @throws ModelSetException if {@code dir} holds no model set, or a corrupt or newer one
   */
  public static ModelSet read(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ModelSetException("no model set at " + dir + ": not a directory");
    }
    if (!Files.exists(dir.resolve(MANIFEST))) {
      throw new ModelSetException("no model set at " + dir + ": no " + MANIFEST);
    }
    return load(dir.toString(), name -> openRegularFile(dir.resolve(name),
        name.equals(MANIFEST) ? MAX_MANIFEST_MIB : MAX_FOREST_MIB));
  }

  /**
   * {@code file} opened for reading when it is a regular file of at most {@code maxMib} MiB; checked
   * before opening, since opening a FIFO blocks and a device such as {@code /dev/zero} never ends.
   */
  private static InputStream openRegularFile(Path file, int maxMib) throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
    if (!attributes.isRegularFile()) {
      throw new IOException("not a regular file ("
          + (attributes.isDirectory() ? "a directory" : "a device, FIFO or socket") + ")");
    }
    if (attributes.size() > (long) maxMib << 20) {
      throw new IOException(attributes.size() + " bytes, more than the " + maxMib
          + " MiB such a file may have");
    }
    return Files.newInputStream(file);
  }

  /**
   * The set bundled with jouleflow (class-path resources under {@value #BUNDLED}), if this build
   * ships one.
   *
   * @throws ModelSetException if a bundled set is there but corrupt
   */
  public static Optional<ModelSet> bundled() {
    return fromResources(ModelSet.class.getClassLoader(), BUNDLED);
  }

  /** The set whose files are the resources {@code prefix + name} of {@code loader}, if any. */
  public static Optional<ModelSet> fromResources(ClassLoader loader, String prefix) {
    String base = prefix.startsWith("/") ? prefix.substring(1) : prefix;
    if (loader.getResource(base + MANIFEST) == null) {
      return Optional.empty();
    }
    return Optional.of(
        load(
            "bundled",
            name -> {
              InputStream in = loader.getResourceAsStream(base + name);
              if (in == null) {
                throw new NoSuchFileException(name);
              }
              return in;
            }));
  }

  /**
   * The set {@code predict} and the agent use when none is named, on a machine of hardware
   * profile {@code machineProfile}: the newest set for that profile under {@link #defaultRoot()}
   * ({@code calibrate} or {@code train} on this machine wrote it), else {@link #defaultSet()}.
   *
   * @param machineProfile this machine's profile id; null when unknown (then as {@link #defaultSet()})
   * @throws ModelSetException if the chosen set is corrupt
   */
  public static Optional<ModelSet> defaultSet(String machineProfile) {
    if (machineProfile != null) {
      Optional<Path> own = newest(defaultRoot(), machineProfile);
      if (own.isPresent()) {
        return own.map(ModelSet::read);
      }
    }
    return defaultSet();
  }

  /** The newest set under {@code root} whose manifest names {@code profile}, if any. */
  static Optional<Path> newest(Path root, String profile) {
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve(MANIFEST)))
          .filter(d -> names(profileOf(d), profile))
          .max(Comparator.comparing(ModelSet::manifestTime).thenComparing(Path::toString));
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether a manifest's hardware profile is {@code profile}, or names it among the profiles a
   * set trained with hardware features joined with {@code +}.
   */
  private static boolean names(String manifestProfile, String profile) {
    return manifestProfile != null
        && (manifestProfile.equals(profile)
            || Arrays.asList(manifestProfile.split("\\+")).contains(profile));
  }

  /** The hardware profile a set's manifest names; null if it cannot be read. */
  private static String profileOf(Path dir) {
    try (InputStream in = openRegularFile(dir.resolve(MANIFEST), MAX_MANIFEST_MIB)) {
      JsonNode profile = JSON.readTree(in).get("hardware_profile");
      return profile == null ? null : profile.asText();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * The set {@code predict} and the agent use when none is named and no set of this machine's
   * profile exists: the one bundled with jouleflow, else the newest under {@link #defaultRoot()};
   * empty when there is neither.
   *
   * @throws ModelSetException if the chosen set is corrupt
   */
  public static Optional<ModelSet> defaultSet() {
    Optional<ModelSet> bundled = bundled();
    if (bundled.isPresent()) {
      return bundled;
    }
    return newest(defaultRoot()).map(ModelSet::read);
  }

  /** Where {@code train} writes and {@code predict} looks by default: {@code ~/.jouleflow/models}. */
  public static Path defaultRoot() {
    return Path.of(System.getProperty("user.home"), ".jouleflow", "models");
  }

  /**
   * The most recently written set among the directories of {@code root} (by the time of their
   * manifests), if any.
   */
  public static Optional<Path> newest(Path root) {
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve(MANIFEST)))
          .max(Comparator.comparing(ModelSet::manifestTime).thenComparing(Path::toString));
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty();
    }
  }

  private static long manifestTime(Path dir) {
    try {
      return Files.getLastModifiedTime(dir.resolve(MANIFEST)).toMillis();
    } catch (IOException e) {
      return Long.MIN_VALUE;
    }
  }

  /** A directory name for a new set of {@code hardwareProfile}: {@code <profile>-<yyyyMMdd-HHmmss>}. */
  public static String directoryName(String hardwareProfile, Instant time) {
    return hardwareProfile
        + "-"
        + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(time);
  }

  /** The predicted joules per inference of one layer; see {@link LayerEnergyForests#predict}. */
  public double predictJoules(String layerType, Map<String, Double> features) {
    return predict(layerType, features).joules();
  }

  /**
   * The prediction and whether the fallback rule made it; in a calibrated set, times the type's
   * correction ({@link Calibration}).
   */
  public LayerPrediction predict(String layerType, Map<String, Double> features) {
    Map<String, Double> all = features;
    if (!hardware.isEmpty()) {
      all = new HashMap<>(features);
      all.putAll(hardware);
    }
    LayerPrediction p = forests.predict(layerType, all);
    Calibration c = manifest.calibration();
    return c == null ? p : new LayerPrediction(p.joules() * c.factor(layerType), p.method());
  }

  /**
   * Whether the set was trained with hardware features ({@code hw_…}, see {@code
   * HardwareDescription}): a set trained on several hardware profiles tells them apart by them.
   */
  public boolean usesHardwareFeatures() {
    return manifest.features().stream().anyMatch(HardwareDescription::isHardwareFeature);
  }

  /**
   * This set predicting for hardware described by {@code features} ({@code
   * HardwareDescription.features()} of the machine predicted for): they join every layer's
   * features. The set itself where it was not trained with hardware features.
   */
  public ModelSet onHardware(Map<String, Double> features) {
    if (!usesHardwareFeatures()) {
      return this;
    }
    Map<String, Double> hw = new HashMap<>();
    features.forEach((name, value) -> {
      if (HardwareDescription.isHardwareFeature(name)) {
        hw.put(name, value);
      }
    });
    return new ModelSet(manifest, forests, location, Map.copyOf(hw));
  }

  /** The hardware features this set predicts for (empty unless {@link #onHardware} set them). */
  public Map<String, Double> hardware() {
    return hardware;
  }

  /** This set carried to another machine by {@code calibrate} ({@link #write} to keep it). */
  public ModelSet calibrated(String profile, Instant created, Calibration calibration) {
    return new ModelSet(manifest.calibrated(profile, created.toString(), calibration), forests,
        "(not written)", hardware);
  }

  /** Whether layers of this type get the fallback rule (types never seen in training do). */
  public boolean fallback(String layerType) {
    return forests.fallback(layerType);
  }

  public ModelSetManifest manifest() {
    return manifest;
  }

  /** The hardware profile id the set was trained on. */
  public String hardwareProfile() {
    return manifest.hardwareProfile();
  }

  /** Where the set was read from: its directory, {@code bundled}, or {@code (not written)}. */
  public String location() {
    return location;
  }

  /** The forests behind the set. */
  public LayerEnergyForests forests() {
    return forests;
  }

  /** This set with an evaluation summary in its manifest ({@link #write} to keep it). */
  public ModelSet withEvaluation(JsonNode evaluation) {
    return new ModelSet(manifest.withEvaluation(evaluation), forests, location, hardware);
  }

  /** The manifest as JSON text, as written. */
  public String manifestJson() {
    try {
      return JSON.writeValueAsString(manifest);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private interface Opener {
    InputStream open(String name) throws IOException;
  }

  private static ModelSet load(String location, Opener opener) {
    ModelSetManifest manifest;
    try (InputStream in = opener.open(MANIFEST)) {
      manifest = JSON.readValue(in, ModelSetManifest.class);
    } catch (IOException | RuntimeException e) {
      throw corrupt(location, MANIFEST, e);
    }
    if (manifest.formatVersion() > FORMAT_VERSION) {
      throw new ModelSetException("model set " + location + " has format version "
          + manifest.formatVersion() + ", newer than this jouleflow reads (" + FORMAT_VERSION + ")");
    }
    if (!MODEL_FORMAT.equals(manifest.modelFormat())) {
      throw new ModelSetException("model set " + location + " has models in format "
          + manifest.modelFormat() + "; this jouleflow reads " + MODEL_FORMAT);
    }
    if (manifest.formatVersion() < 1 || manifest.hyperParameters() == null
        || manifest.types().isEmpty()) {
      throw corrupt(location, MANIFEST, new IllegalArgumentException(
          "no format version, hyper-parameters or types"));
    }
    Map<String, CompactForest> forests = new ConcurrentHashMap<>();
    // Deserializing is most of a prediction's start-up: the types load in parallel.
    manifest.types().parallelStream()
        .filter(fit -> !fit.fallback())
        .forEach(fit -> forests.put(fit.type(), loadForest(location, fit, opener)));
    return new ModelSet(manifest, new LayerEnergyForests(
        manifest.hyperParameters(), forests, manifest.types(), manifest.globalRates()), location);
  }

  private static CompactForest loadForest(String location, LayerTypeFit fit, Opener opener) {
    if (fit.file() == null || fit.file().contains("/") || fit.file().contains("..")) {
      throw corrupt(location, MANIFEST, new IllegalArgumentException(
          "type " + fit.type() + " has no valid model file"));
    }
    try (InputStream in = opener.open(fit.file())) {
      return CompactForest.read(new BufferedInputStream(in, 1 << 16));
    } catch (IOException | RuntimeException e) {
      throw corrupt(location, fit.file(), e);
    }
  }

  private static ModelSetException corrupt(String location, String file, Exception e) {
    if (e instanceof NoSuchFileException) {
      return new ModelSetException("model set " + location + " is incomplete: no " + file, e);
    }
    return new ModelSetException(
        "model set " + location + " is corrupt: " + file + ": " + reason(e), e);
  }

  /** The file a type's forest is written to in a set's directory. */
  public static String fileName(String type) {
    return type.replaceAll("[^A-Za-z0-9_-]", "_") + MODEL_SUFFIX;
  }

  private static String reason(Exception e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return e.getClass().getSimpleName();
    }
    return message.strip().lines().findFirst().orElse("").strip();
  }
}
