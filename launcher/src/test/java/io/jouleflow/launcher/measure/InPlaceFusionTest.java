package io.jouleflow.launcher.measure;

import static org.assertj.core.api.Assertions.assertThat;

import io.jouleflow.launcher.zoo.ModelZoo;
import io.jouleflow.predictor.layers.Fusion;
import io.jouleflow.predictor.layers.LayerType;
import io.jouleflow.predictor.store.MeasureProtocols;
import java.nio.file.Path;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What TensorFlow runs against what {@link Fusion} says it fuses: measured in place, the layers
 * marked fused cost (about) nothing — their work is in their producer's kernel — while the batch
 * norms it leaves apart do cost something. Real zoo graphs, real traced runs.
 */
class InPlaceFusionTest {

  private static InferenceEnergy energy;
  private static KerasMeasurer measurer;

  @BeforeAll
  static void open() {
    energy = InferenceEnergy.open("estimate", OptionalDouble.empty(), Path.of("/none"), line -> { });
    measurer = new KerasMeasurer(energy, new MeasureProtocol(2, 0.05, 5), new MeasureProtocol(1, 0.05, 2),
        line -> { }, MeasureProtocols.IN_PLACE, 5);
  }

  @AfterAll
  static void close() {
    energy.close();
  }

  private static double[] fusedAndApart(String zoo, int input) {
    MeasureReport r = measurer.measure(ModelZoo.build(zoo, input), 1, null, true);
    double fused = 0;
    double normsApart = 0;
    int marked = 0;
    for (LayerCost c : r.layers()) {
      if (Fusion.isFused(c.layer().features().asMap())) {
        fused += c.cost().joules();
        marked++;
      } else if (c.layer().type() == LayerType.NORMALIZATION) {
        normsApart += c.cost().joules();
      }
    }
    assertThat(marked).as(zoo + ": layers marked fused").isGreaterThan(10);
    return new double[] {fused / r.whole().joules(), normsApart / r.whole().joules()};
  }

  @Test
  void separableConvolutionsTakeTheirBatchNormsIn() {
    MeasureReport r = measurer.measure(ModelZoo.build("Xception", 71), 1, null, true);
    assertThat(r.layers()).filteredOn(c -> c.layer().type() == LayerType.NORMALIZATION)
        .hasSizeGreaterThan(30)
        .allSatisfy(c -> {
          assertThat(Fusion.isFused(c.layer().features().asMap())).as(c.layer().id()).isTrue();
          assertThat(c.cost().joules() / r.whole().joules()).as(c.layer().id()).isLessThan(0.005);
        });
  }

  @Test
  void layersMarkedFusedCostAboutNothingInPlace() {
    for (String zoo : new String[] {"MobileNet", "ResNet50", "Xception"}) {
      double[] shares = fusedAndApart(zoo, zoo.equals("Xception") ? 71 : 48);
      assertThat(shares[0]).as(zoo + ": share of the layers marked fused").isLessThan(0.03);
      if (!zoo.equals("Xception")) {
        // depthwise (MobileNet) and with-bias (ResNet) convolutions' batch norms run apart
        assertThat(shares[1]).as(zoo + ": share of the batch norms left apart").isGreaterThan(0.03);
      }
    }
  }
}
