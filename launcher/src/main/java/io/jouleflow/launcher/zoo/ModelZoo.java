package io.jouleflow.launcher.zoo;

import io.jouleflow.predictor.keras.KerasModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The Keras applications the paper measured, as architectures: each is the model {@code
 * keras.applications.<Name>(include_top=True, weights=None, input_shape=(s, s, 3))} builds in Keras
 * 2 ({@code tf.keras} / {@code tf_keras}), with Keras' layer classes, names, order and configs, so
 * that the predictor, the graph builder and {@code collect} see what a Keras user would load.
 *
 * <p><b>Input sizes.</b> Any square size from the application's minimum up works. The top is Keras'
 * own {@code include_top=True} classifier (1000 classes) at every size: for every model except VGG
 * it pools globally before its fully connected layer (GlobalAveragePooling2D + Dense; MobileNet and
 * MobileNetV3 use a 1x1 convolution on the pooled features), so it is the same at any size;
 * VGG16/VGG19 keep Flatten + fc1 (4096) + fc2 (4096) + predictions, so fc1's weights grow with the
 * input (the fully connected layers the paper added to run other sizes).
 *
 * <p><b>Differences from Keras</b>: EfficientNet's {@code weights="imagenet"}-only {@code
 * tf.math.multiply} after Normalization is left out (this is {@code weights=None}). The scalar
 * operands of MobileNetV3's hard-sigmoid TFOpLambda layers ({@code + 3.0}, {@code * 1/6}), which
 * Keras keeps in the call's kwargs, are in each layer's config as {@code call_kwargs}, where the
 * importer puts them. InceptionResNetV2's residual scaling is Keras' registered {@code
 * CustomScaleLayer} (older Keras versions used a {@code Lambda}).
 */
public final class ModelZoo {

  /** How to build one application, its default (ImageNet) and smallest input size. */
  private record Entry(int defaultSize, int minSize, IntFunction<KerasModel> factory) {}

  private static final Map<String, Entry> MODELS = new LinkedHashMap<>();

  static {
    MODELS.put("VGG16", new Entry(224, 32, Vgg::vgg16));
    MODELS.put("VGG19", new Entry(224, 32, Vgg::vgg19));
    MODELS.put("ResNet50", new Entry(224, 32, ResNets::resnet50));
    MODELS.put("ResNet101", new Entry(224, 32, ResNets::resnet101));
    MODELS.put("ResNet152", new Entry(224, 32, ResNets::resnet152));
    MODELS.put("ResNet50V2", new Entry(224, 32, ResNets::resnet50v2));
    MODELS.put("ResNet101V2", new Entry(224, 32, ResNets::resnet101v2));
    MODELS.put("ResNet152V2", new Entry(224, 32, ResNets::resnet152v2));
    MODELS.put("InceptionV3", new Entry(299, 75, Inceptions::inceptionV3));
    MODELS.put("InceptionResNetV2", new Entry(299, 75, Inceptions::inceptionResNetV2));
    MODELS.put("Xception", new Entry(299, 71, Xception::xception));
    MODELS.put("MobileNet", new Entry(224, 32, MobileNets::mobileNet));
    MODELS.put("MobileNetV2", new Entry(224, 32, MobileNets::mobileNetV2));
    MODELS.put("MobileNetV3Small", new Entry(224, 32, MobileNets::mobileNetV3Small));
    MODELS.put("MobileNetV3Large", new Entry(224, 32, MobileNets::mobileNetV3Large));
    MODELS.put("DenseNet121", new Entry(224, 32, DenseNets::densenet121));
    MODELS.put("DenseNet169", new Entry(224, 32, DenseNets::densenet169));
    MODELS.put("DenseNet201", new Entry(224, 32, DenseNets::densenet201));
    MODELS.put("NASNetMobile", new Entry(224, 32, NasNet::nasNetMobile));
    MODELS.put("EfficientNetB0", new Entry(224, 32, EfficientNets::b0));
    MODELS.put("EfficientNetB1", new Entry(240, 32, EfficientNets::b1));
    MODELS.put("EfficientNetB2", new Entry(260, 32, EfficientNets::b2));
    MODELS.put("EfficientNetB3", new Entry(300, 32, EfficientNets::b3));
  }

  private ModelZoo() {}

  /** The applications, by their {@code keras.applications} names ({@code ResNet50}, ...). */
  public static List<String> names() {
    return List.copyOf(MODELS.keySet());
  }

  /** The application at its default (ImageNet) input size. */
  public static KerasModel build(String name) {
    return build(name, defaultInputSize(name));
  }

  /**
   * The application for {@code inputSize x inputSize x 3} inputs.
   *
   * @param name one of {@link #names()}, case-insensitive
   * @throws IllegalArgumentException for an unknown name or a size below the application's minimum
   *     (32; InceptionV3 and InceptionResNetV2 75; Xception 71)
   */
  public static KerasModel build(String name, int inputSize) {
    Entry entry = entry(name);
    if (inputSize < entry.minSize()) {
      throw new IllegalArgumentException(
          canonicalName(name) + " needs inputs of at least " + entry.minSize() + ": " + inputSize);
    }
    return entry.factory().apply(inputSize);
  }

  /** The input size the application was trained at (224, 299 for Inception/Xception, ...). */
  public static int defaultInputSize(String name) {
    return entry(name).defaultSize();
  }

  /** The smallest input size Keras accepts for the application. */
  public static int minInputSize(String name) {
    return entry(name).minSize();
  }

  private static Entry entry(String name) {
    return MODELS.get(canonicalName(name));
  }

  private static String canonicalName(String name) {
    for (String known : MODELS.keySet()) {
      if (known.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
        return known;
      }
    }
    throw new IllegalArgumentException("unknown model " + name + "; known: " + MODELS.keySet());
  }
}
