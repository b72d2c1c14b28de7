package io.jouleflow.launcher.evaluate;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Train/test splits by architecture, never by layer: every configuration (batch size, input size)
 * of a held-out model, and so every one of its layers, is out of training. Random layer splits
 * would put a sibling of nearly every test layer (same model, another batch size) into training and
 * report interpolation as generalisation.
 *
 * <p>{@link #byFamily}: leave one architecture family out, one fold per family; ResNet50 is not
 * evaluated by a model trained on ResNet101. {@link #byFraction}: one fold holding out a fixed,
 * seeded 20 % of the architectures. {@link #byHardware}: leave one hardware profile out.
 *
 * <p>An architecture ({@link #architecture}) is a model name, except that Keras' MobileNet names
 * carry the input size ({@code mobilenet_1.00_224}): the size suffix is dropped, so that one
 * architecture at two input sizes is not one held-out and one training "architecture".
 *
 * <p>Families ({@link #family}) come from the model name: {@code vgg}, {@code resnet} (v1), {@code
 * resnetv2}, {@code inception} (InceptionV3 and InceptionResNetV2), {@code xception}, {@code
 * mobilenet} (v1), {@code mobilenetv2}, {@code mobilenetv3}, {@code densenet}, {@code nasnet},
 * {@code efficientnet} ({@code efficientnetv2} apart), and {@code random} for every {@code
 * random_<seed>} architecture together: they come from one generator with one set of building
 * rules, so holding out one while training on its siblings would leak the generator's style. Any
 * other name's family is its leading letters, lower case ({@code mynet_3} → {@code mynet}).
 */
public final class Splits {

  /** The default held-out share of {@link #byFraction}. */
  public static final double DEFAULT_FRACTION = 0.2;

  private static final Pattern RESNET_V2 = Pattern.compile("resnet\\d*v2.*");
  private static final Pattern LEADING_LETTERS = Pattern.compile("^[a-z]+");

  /** Keras MobileNet (v1, v2) names: {@code <name>_<alpha>_<input size>}. */
  private static final Pattern ALPHA_AND_SIZE = Pattern.compile("(.+_\\d+\\.\\d+)_\\d+");

  /** The known family prefixes, most specific first. */
  private static final List<String> PREFIXES =
      List.of(
          "random",
          "vgg",
          "inception",
          "xception",
          "mobilenetv3",
          "mobilenetv2",
          "mobilenet",
          "densenet",
          "nasnet",
          "efficientnetv2",
          "efficientnet");

  private Splits() {}

  /**
   * One train/test split: the models it holds out, or (hardware split) the hardware profile it
   * holds out, every model measured on it.
   *
   * @param heldOutProfile null for a split by architecture
   */
  public record Fold(String name, Set<String> heldOutModels, String heldOutProfile) {
    public Fold {
      heldOutModels = Collections.unmodifiableSet(new TreeSet<>(heldOutModels));
    }

    public Fold(String name, Set<String> heldOutModels) {
      this(name, heldOutModels, null);
    }

    public boolean holdsOut(String model) {
      return heldOutModels.contains(model);
    }

    /** Whether a sample of {@code model} measured on {@code profile} is held out. */
    public boolean holdsOut(String profile, String model) {
      return heldOutProfile != null ? heldOutProfile.equals(profile) : holdsOut(model);
    }

    /** What the fold holds out, for progress lines. */
    public String describeHeldOut() {
      return heldOutProfile != null ? "hardware " + heldOutProfile
          : String.join(", ", heldOutModels);
    }
  }

  /**
   * A set of folds.
   *
   * @param name {@code family} or {@code fraction}
   * @param description for the report, e.g. {@code leave one family out (5 folds)}
   * @param folds the folds, each holding out at least one model
   */
  public record Split(String name, String description, List<Fold> folds) {
    public Split {
      folds = List.copyOf(folds);
    }
  }

  /** The architecture of a model name: the name without a Keras MobileNet input-size suffix. */
  public static String architecture(String model) {
    Matcher m = ALPHA_AND_SIZE.matcher(model.strip());
    return m.matches() ? m.group(1) : model.strip();
  }

  /** The architecture family of a model name (see the type's description). */
  public static String family(String model) {
    String m = model.strip().toLowerCase(Locale.ROOT);
    if (m.startsWith("resnet")) {
      return RESNET_V2.matcher(m).matches() ? "resnetv2" : "resnet";
    }
    for (String prefix : PREFIXES) {
      if (m.startsWith(prefix)) {
        return prefix;
      }
    }
    Matcher letters = LEADING_LETTERS.matcher(m);
    return letters.find() ? letters.group() : m;
  }

  /**
   * Leave one family out: one fold per family, in family-name order. When every model is of one
   * family, each model is its own fold (leave one architecture out), and the description says so.
   *
   * @throws IllegalArgumentException for fewer than 2 models
   */
  public static Split byFamily(Collection<String> models) {
    Map<String, Set<String>> byArchitecture = architectures(models);
    Map<String, Set<String>> families = new TreeMap<>();
    for (String model : new TreeSet<>(models)) {
      families.computeIfAbsent(family(model), f -> new TreeSet<>()).add(model);
    }
    List<Fold> folds = new ArrayList<>();
    if (families.size() < 2) {
      byArchitecture.forEach((architecture, members) -> folds.add(new Fold(architecture, members)));
      return new Split(
          "family",
          "leave one architecture out, all of family "
              + families.keySet().iterator().next()
              + " ("
              + folds.size()
              + " folds)",
          folds);
    }
    families.forEach((family, members) -> folds.add(new Fold(family, members)));
    return new Split("family", "leave one family out (" + folds.size() + " folds)", folds);
  }

  /**
   * One fold that holds out {@code fraction} of the architectures (rounded, at least 1, at most all
   * but 1), chosen by a seeded shuffle of the sorted names: the same models and seed give the same
   * split.
   *
   * @throws IllegalArgumentException for fewer than 2 models or a fraction outside (0, 1)
   */
  public static Split byFraction(Collection<String> models, double fraction, long seed) {
    if (!(fraction > 0 && fraction < 1)) {
      throw new IllegalArgumentException("the held-out fraction must be in (0, 1): " + fraction);
    }
    Map<String, Set<String>> byArchitecture = architectures(models);
    List<String> shuffled = new ArrayList<>(byArchitecture.keySet());
    Collections.shuffle(shuffled, new Random(seed));
    int n = shuffled.size();
    int heldOut = (int) Math.max(1, Math.min(n - 1, Math.round(fraction * n)));
    Set<String> heldOutModels = new TreeSet<>();
    shuffled.subList(0, heldOut).forEach(a -> heldOutModels.addAll(byArchitecture.get(a)));
    Fold fold = new Fold("fraction", heldOutModels);
    return new Split(
        "fraction",
        String.format(
            Locale.ROOT,
            "%d of %d architectures held out (%.0f %%, seed %d)",
            heldOut,
            n,
            fraction * 100,
            seed),
        List.of(fold));
  }

  /**
   * Leave one hardware profile out: one fold per profile, in id order; each trains on the other
   * profiles' samples (of every model, the held-out profile's models included) and predicts every
   * sample of the held-out one — a machine the set never saw.
   *
   * @throws IllegalArgumentException for fewer than 2 profiles
   */
  public static Split byHardware(Collection<String> profiles) {
    Set<String> sorted = new TreeSet<>(profiles);
    if (sorted.size() < 2) {
      throw new IllegalArgumentException("a held-out-hardware evaluation needs samples of at least"
          + " 2 hardware profiles, there are " + sorted.size()
          + (sorted.isEmpty() ? "" : " (" + sorted.iterator().next() + ")"));
    }
    List<Fold> folds = new ArrayList<>();
    sorted.forEach(p -> folds.add(new Fold(p, Set.of(), p)));
    return new Split("hardware", "leave one hardware profile out (" + folds.size() + " folds)",
        folds);
  }

  /** The model names of each architecture, sorted; at least 2 architectures. */
  private static Map<String, Set<String>> architectures(Collection<String> models) {
    Map<String, Set<String>> architectures = new TreeMap<>();
    for (String model : models) {
      architectures.computeIfAbsent(architecture(model), a -> new TreeSet<>()).add(model);
    }
    if (architectures.size() < 2) {
      throw new IllegalArgumentException(
          "a held-out-architecture evaluation needs at least 2 architectures, the samples have "
              + architectures.size()
              + (architectures.isEmpty()
                  ? ""
                  : " (" + architectures.keySet().iterator().next() + ")"));
    }
    return architectures;
  }
}
