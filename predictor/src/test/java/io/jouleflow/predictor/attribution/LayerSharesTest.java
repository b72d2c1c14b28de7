package io.jouleflow.predictor.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.predictor.trace.NodeRecord;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayerSharesTest {

  private static final LayerRef CONV = new LayerRef("conv2d", "Convolutional");
  private static final LayerRef DENSE = new LayerRef("dense", "Dense");

  private static NodeRecord node(String name, String device, long start, long end) {
    return new NodeRecord(name, "Op", device, start, end, List.of());
  }

  @Test
  void sharesAreActiveTimeOverRunTimeAndTheRestIsUnattributed() {
    List<NodeRecord> nodes = List.of(
        node("_SOURCE", "cpu:0", 0, 5), node("conv2d/BiasAdd", "cpu:0", 10, 40),
        node("dense/BiasAdd", "cpu:0", 50, 100));
    LayerShares s = LayerShares.of(nodes, Arrays.asList(null, CONV, DENSE));
    Map<LayerRef, Double> cpu = s.shares("cpu:0", 125);
    assertThat(cpu.get(CONV)).isCloseTo(30.0 / 125, within(1e-12));
    assertThat(cpu.get(DENSE)).isCloseTo(50.0 / 125, within(1e-12));
    assertThat(cpu.get(LayerRef.UNATTRIBUTED)).isCloseTo(45.0 / 125, within(1e-12));
    assertThat(cpu.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void theSameActiveTimesGiveSmallerSharesOfALongerRun() {
    // A traced run is slower than an untraced one: its op times applied to a typical run.
    LayerShares s = LayerShares.of(
        List.of(node("conv2d/BiasAdd", "cpu:0", 0, 30)), List.of(CONV));
    assertThat(s.shares("cpu", 60).get(CONV)).isCloseTo(0.5, within(1e-12));
    assertThat(s.shares("cpu", 300).get(CONV)).isCloseTo(0.1, within(1e-12));
    assertThat(s.shares("cpu", 300).get(LayerRef.UNATTRIBUTED)).isCloseTo(0.9, within(1e-12));
  }

  @Test
  void concurrentOpsShareAnInstantAndDevicesAreKeptApart() {
    List<NodeRecord> nodes = List.of(
        node("conv2d/a", "cpu:0", 0, 100), node("dense/b", "cpu:0", 0, 100),
        node("conv2d/k", "gpu:0", 0, 60));
    LayerShares s = LayerShares.of(nodes, List.of(CONV, DENSE, CONV));
    assertThat(s.shares("cpu:0", 200).get(CONV)).isCloseTo(0.25, within(1e-12));
    assertThat(s.shares("cpu:0", 200).get(DENSE)).isCloseTo(0.25, within(1e-12));
    assertThat(s.shares("gpu:0", 200).get(CONV)).isCloseTo(0.3, within(1e-12));
    assertThat(s.shares("gpu:0", 200).get(LayerRef.UNATTRIBUTED)).isCloseTo(0.7, within(1e-12));
    assertThat(s.shares("cpu", 200)).isEqualTo(s.shares("cpu:0", 200));
    assertThat(s.shares("gpu:1", 200)).isEmpty();
  }

  @Test
  void layersNeverExceedTheRunEvenWhenClocksDisagree() {
    // TensorFlow reports 120 us of op time in a run we timed at 100 us.
    LayerShares s = LayerShares.of(List.of(node("conv2d/a", "cpu:0", 0, 120)), List.of(CONV));
    assertThat(s.shares("cpu:0", 100).get(CONV)).isCloseTo(1.0, within(1e-12));
    assertThat(s.shares("cpu:0", 100).get(LayerRef.UNATTRIBUTED)).isZero();
  }
}
