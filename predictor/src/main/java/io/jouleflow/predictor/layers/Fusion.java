package io.jouleflow.predictor.layers;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which layers TensorFlow does not run as layers of their own, as its CPU build (TF Java 1.1.0,
 * Grappler's remapper with oneDNN) was seen to fuse them in traced runs of the zoo:
 *
 * <ul>
 *   <li>a batch normalization after a standard or separable convolution without bias (MobileNet's
 *       {@code conv_pw_k} + {@code _bn}; Xception's and NASNet's separable convolutions, whose
 *       pointwise part is a standard one) runs in the convolution's kernel;
 *   <li>a Relu, Relu6, Elu or LeakyRelu after a standard convolution, a matrix product or such a
 *       fused batch normalization runs in that kernel too;
 *   <li>a batch normalization that stays on its own (after a convolution with bias, or a depthwise
 *       one) takes a Relu after it, and an Add it feeds (ResNet's residual add, and the Relu after
 *       that): TensorFlow's {@code _FusedBatchNormEx};
 * </ul>
 *
 * each only where the first layer feeds nothing else. The fused kernel runs under the first
 * layer's name, so in place the later layers cost (about) nothing and the first one carries their
 * work. A depthwise convolution's batch normalization, and a Relu6 after an unfused one, run apart.
 *
 * <p>A fused layer carries the feature {@code fused} = 1; the predictor predicts 0 for it, and
 * training leaves its rows out. A batch norm or activation after a single convolution carries that
 * convolution's variant ({@code producer_variant}): what runs apart still depends on it.
 */
public final class Fusion {

  private static final Set<String> FUSED_ACTIVATIONS = Set.of("Relu", "Relu6", "Elu", "LeakyRelu");

  private Fusion() {}

  /** {@code graph} with {@code fused} set on the layers that run inside their producer's kernel. */
  public static LayerGraph mark(LayerGraph graph) {
    Set<String> fused = new HashSet<>();
    Set<String> intoConvolution = new HashSet<>(); // batch norms fused into a convolution
    Set<String> exAnchors = new HashSet<>(); // _FusedBatchNormEx: a lone BN with what it took in
    for (Layer layer : graph.layers()) {
      List<String> from = graph.producers(layer.id());
      if (from.isEmpty()) {
        continue;
      }
      if (layer.type() == LayerType.ADD) {
        boolean exSide = from.stream().anyMatch(p -> exAnchors.contains(p) && soleConsumer(graph, p)
            && !fused.contains(p));
        if (exSide) {
          fused.add(layer.id());
          exAnchors.add(layer.id()); // a Relu after it joins too
        }
        continue;
      }
      if (from.size() != 1 || !soleConsumer(graph, from.get(0))) {
        if (layer.type() == LayerType.NORMALIZATION) {
          exAnchors.add(layer.id());
        }
        continue;
      }
      Layer producer = graph.layer(from.get(0)).orElse(null);
      if (producer == null) {
        continue;
      }
      if (layer.type() == LayerType.NORMALIZATION) {
        if (pointwiseConvolution(producer) && producer.features().bias() == 0) {
          fused.add(layer.id());
          intoConvolution.add(layer.id());
        } else {
          exAnchors.add(layer.id());
        }
      } else if (layer.type() == LayerType.ACTIVATION
          && FUSED_ACTIVATIONS.contains(layer.anchorOp())) {
        if (standardConvolution(producer) || producer.type() == LayerType.DENSE
            || intoConvolution.contains(producer.id())
            || exAnchors.contains(producer.id()) && layer.anchorOp().equals("Relu")) {
          fused.add(layer.id());
        }
      }
    }
    Map<String, Double> producerVariant = new HashMap<>();
    for (Layer layer : graph.layers()) {
      List<String> from = graph.producers(layer.id());
      if ((layer.type() == LayerType.NORMALIZATION || layer.type() == LayerType.ACTIVATION)
          && from.size() == 1) {
        graph.layer(from.get(0))
            .filter(p -> p.type() == LayerType.CONVOLUTIONAL && p.features().variant() != null)
            .ifPresent(p -> producerVariant.put(layer.id(), (double) p.features().variant().ordinal()));
      }
    }
    if (fused.isEmpty() && producerVariant.isEmpty()) {
      return graph;
    }
    return graph.withLayers(l -> {
      if (!fused.contains(l.id()) && !producerVariant.containsKey(l.id())) {
        return l;
      }
      LayerFeatures.Builder f = l.features().toBuilder();
      if (fused.contains(l.id())) {
        f.fused(1);
      }
      if (producerVariant.containsKey(l.id())) {
        f.producerVariant(producerVariant.get(l.id()));
      }
      return new Layer(l.id(), l.type(), l.anchorOp(), l.nodes(), f.build());
    });
  }

  private static boolean soleConsumer(LayerGraph graph, String producer) {
    return graph.consumers(producer).size() == 1;
  }

  /** Whether a layer's features mark it fused into its producer. */
  public static boolean isFused(Map<String, Double> features) {
    Double f = features.get(LayerFeatures.FUSED);
    return f != null && f == 1.0;
  }

  /** A convolution whose last op is a standard Conv2D: standard or separable. */
  private static boolean pointwiseConvolution(Layer layer) {
    return layer.type() == LayerType.CONVOLUTIONAL
        && (layer.features().variant() == LayerFeatures.Variant.STANDARD
            || layer.features().variant() == LayerFeatures.Variant.SEPARABLE);
  }

  private static boolean standardConvolution(Layer layer) {
    return layer.type() == LayerType.CONVOLUTIONAL
        && layer.features().variant() == LayerFeatures.Variant.STANDARD;
  }
}
