package io.jouleflow.launcher.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jouleflow.launcher.evaluate.Splits.Fold;
import io.jouleflow.launcher.evaluate.Splits.Split;
import io.jouleflow.launcher.zoo.ModelZoo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SplitsTest {

  @Test
  void everyZooModelNameMapsToItsArchitectureFamily() {
    Map<String, String> families = new TreeMap<>();
    for (String application : ModelZoo.names()) {
      String model = ModelZoo.build(application, 75).name();
      families.put(model, Splits.family(model));
    }
    assertThat(families)
        .containsEntry("vgg16", "vgg")
        .containsEntry("vgg19", "vgg")
        .containsEntry("resnet50", "resnet")
        .containsEntry("resnet152", "resnet")
        .containsEntry("resnet50v2", "resnetv2")
        .containsEntry("resnet101v2", "resnetv2")
        .containsEntry("inception_v3", "inception")
        .containsEntry("inception_resnet_v2", "inception")
        .containsEntry("xception", "xception")
        .containsEntry("mobilenet_1.00_75", "mobilenet")
        .containsEntry("mobilenetv2_1.00_75", "mobilenetv2")
        .containsEntry("MobilenetV3small", "mobilenetv3")
        .containsEntry("MobilenetV3large", "mobilenetv3")
        .containsEntry("densenet201", "densenet")
        .containsEntry("NASNet", "nasnet")
        .containsEntry("efficientnetb3", "efficientnet");
    assertThat(Set.copyOf(families.values()))
        .containsExactlyInAnyOrder(
            "vgg",
            "resnet",
            "resnetv2",
            "inception",
            "xception",
            "mobilenet",
            "mobilenetv2",
            "mobilenetv3",
            "densenet",
            "nasnet",
            "efficientnet");
  }

  @Test
  void randomArchitecturesAreOneFamilyAndUnknownNamesUseTheirLeadingLetters() {
    assertThat(Splits.family("random_1")).isEqualTo("random");
    assertThat(Splits.family("random_17")).isEqualTo("random");
    assertThat(Splits.family("MyNet_3")).isEqualTo("mynet");
    assertThat(Splits.family("bert-base")).isEqualTo("bert");
    assertThat(Splits.family("42net")).isEqualTo("42net");
  }

  @Test
  void mobileNetsAtSeveralInputSizesAreOneArchitecture() {
    assertThat(Splits.architecture("mobilenet_1.00_32")).isEqualTo("mobilenet_1.00");
    assertThat(Splits.architecture("mobilenetv2_0.35_224")).isEqualTo("mobilenetv2_0.35");
    assertThat(Splits.architecture("random_3")).isEqualTo("random_3");
    assertThat(Splits.architecture("resnet50")).isEqualTo("resnet50");
    // Never one size in training and another held out.
    List<String> models =
        List.of("mobilenet_1.00_32", "mobilenet_1.00_64", "vgg16", "vgg19", "resnet50");
    for (long seed = 0; seed < 10; seed++) {
      Set<String> heldOut = Splits.byFraction(models, 0.2, seed).folds().get(0).heldOutModels();
      assertThat(heldOut.contains("mobilenet_1.00_32"))
          .isEqualTo(heldOut.contains("mobilenet_1.00_64"));
    }
    assertThat(Splits.byFraction(models, 0.2, 1).description()).startsWith("1 of 4 architectures");
    assertThatThrownBy(() -> Splits.byFamily(List.of("mobilenet_1.00_32", "mobilenet_1.00_64")))
        .hasMessageContaining("at least 2 architectures");
  }

  @Test
  void leaveOneFamilyOutHoldsOutEachFamilyWholeOnce() {
    Split split = Splits.byFamily(SyntheticSamples.MODELS);
    assertThat(split.name()).isEqualTo("family");
    assertThat(split.description()).isEqualTo("leave one family out (3 folds)");
    assertThat(split.folds())
        .containsExactly(
            new Fold("densenet", Set.of("densenet121", "densenet169", "densenet201")),
            new Fold("resnet", Set.of("resnet50", "resnet101", "resnet152")),
            new Fold("vgg", Set.of("vgg16", "vgg19")));
  }

  @Test
  void oneFamilyOnlyFallsBackToLeaveOneArchitectureOut() {
    Split split = Splits.byFamily(List.of("random_2", "random_1", "random_3"));
    assertThat(split.folds())
        .extracting(Fold::name)
        .containsExactly("random_1", "random_2", "random_3");
    assertThat(split.description()).contains("leave one architecture out").contains("random");
  }

  @Test
  void fractionSplitHoldsOutTwentyPercentOfArchitecturesReproducibly() {
    Split split = Splits.byFraction(SyntheticSamples.MODELS, 0.2, 7);
    assertThat(split.folds()).hasSize(1);
    Set<String> heldOut = split.folds().get(0).heldOutModels();
    assertThat(heldOut).hasSize(2).isSubsetOf(SyntheticSamples.MODELS); // round(0.2 × 8)
    assertThat(split.description()).isEqualTo("2 of 8 architectures held out (20 %, seed 7)");
    // Same seed, same models in another order: the same split.
    List<String> reversed = new ArrayList<>(SyntheticSamples.MODELS);
    Collections.reverse(reversed);
    assertThat(Splits.byFraction(reversed, 0.2, 7)).isEqualTo(split);
    Set<Set<String>> seen = new HashSet<>();
    for (long seed = 0; seed < 20; seed++) {
      seen.add(
          Splits.byFraction(SyntheticSamples.MODELS, 0.2, seed).folds().get(0).heldOutModels());
    }
    assertThat(seen).hasSizeGreaterThan(5); // the seed matters
  }

  @Test
  void fractionSplitKeepsAtLeastOneArchitectureOnEachSide() {
    assertThat(Splits.byFraction(List.of("a1", "b1"), 0.2, 1).folds().get(0).heldOutModels())
        .hasSize(1);
    assertThat(Splits.byFraction(List.of("a1", "b1", "c1"), 0.9, 1).folds().get(0).heldOutModels())
        .hasSize(2);
  }

  @Test
  void fewerThanTwoArchitecturesCannotBeSplit() {
    assertThatThrownBy(() -> Splits.byFamily(List.of("vgg16", "vgg16")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 2 architectures")
        .hasMessageContaining("vgg16");
    assertThatThrownBy(() -> Splits.byFraction(List.of(), 0.2, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Splits.byFraction(SyntheticSamples.MODELS, 1.0, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theHardwareSplitHoldsOutOneProfileWithAllItsModels() {
    Splits.Split split = Splits.byHardware(List.of("b-amd", "a-intel", "b-amd"));
    assertThat(split.description()).isEqualTo("leave one hardware profile out (2 folds)");
    assertThat(split.folds()).extracting(Fold::name).containsExactly("a-intel", "b-amd");
    Fold intel = split.folds().get(0);
    assertThat(intel.holdsOut("a-intel", "vgg16")).isTrue();
    assertThat(intel.holdsOut("b-amd", "vgg16")).as("the same model on other hardware trains")
        .isFalse();
    assertThat(intel.describeHeldOut()).isEqualTo("hardware a-intel");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Splits.byHardware(List.of("a")))
        .hasMessageContaining("at least 2 hardware profiles, there are 1 (a)");
  }
}
