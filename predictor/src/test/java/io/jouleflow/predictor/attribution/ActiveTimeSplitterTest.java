package io.jouleflow.predictor.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.predictor.attribution.ActiveTimeSplitter.Interval;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ActiveTimeSplitterTest {

  @Test
  void sequentialIntervalsKeepTheirOwnDurations() {
    Map<String, Double> t = ActiveTimeSplitter.split(List.of(
        new Interval<>("conv", 0, 10), new Interval<>("dense", 10, 14), new Interval<>("conv", 20, 25)));
    assertThat(t.get("conv")).isCloseTo(15.0, within(1e-9));
    assertThat(t.get("dense")).isCloseTo(4.0, within(1e-9));
  }

  @Test
  void overlappingIntervalsShareTheOverlapEqually() {
    // a: 0-10, b: 5-15 -> overlap 5-10 split in two
    Map<String, Double> t = ActiveTimeSplitter.split(List.of(
        new Interval<>("a", 0, 10), new Interval<>("b", 5, 15)));
    assertThat(t.get("a")).isCloseTo(7.5, within(1e-9));
    assertThat(t.get("b")).isCloseTo(7.5, within(1e-9));
  }

  @Test
  void sharesNeverExceedTheUnionOfAllIntervals() {
    Map<String, Double> t = ActiveTimeSplitter.split(List.of(
        new Interval<>("a", 0, 100), new Interval<>("b", 0, 100), new Interval<>("b", 50, 60),
        new Interval<>("c", 90, 120)));
    double sum = t.values().stream().mapToDouble(Double::doubleValue).sum();
    assertThat(sum).isCloseTo(120.0, within(1e-9));
    assertThat(t.get("c")).isCloseTo(10.0 / 3 + 20.0, within(1e-9)); // 90-100 shared by a, b, c;
  }

  @Test
  void zeroLengthIntervalsNeitherTakeTimeNorDisturbOthers() {
    // Sub-microsecond ops (Const, Identity) are recorded with start == end.
    Map<String, Double> t = ActiveTimeSplitter.split(List.of(
        new Interval<>("a", 0, 10), new Interval<>("b", 5, 5), new Interval<>("c", 10, 20),
        new Interval<>("d", 10, 10)));
    assertThat(t.get("a")).isCloseTo(10.0, within(1e-9));
    assertThat(t.get("b")).isZero();
    assertThat(t.get("c")).isCloseTo(10.0, within(1e-9));
    assertThat(t.get("d")).isZero();
  }

  @Test
  void manyIntervalsAgreeWithABruteForceSplit() {
    Random r = new Random(7);
    List<Interval<Integer>> ivs = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      long a = r.nextInt(1000);
      ivs.add(new Interval<>(i % 17, a, a + r.nextInt(50)));
    }
    Map<Integer, Double> fast = ActiveTimeSplitter.split(ivs);
    Map<Integer, Double> slow = new HashMap<>();
    for (long t = 0; t < 1100; t++) { // unit steps: exact for integer boundaries
      long tt = t;
      List<Interval<Integer>> on = ivs.stream().filter(iv -> iv.start() <= tt && tt < iv.end()).toList();
      for (Interval<Integer> iv : on) {
        slow.merge(iv.key(), 1.0 / on.size(), Double::sum);
      }
    }
    slow.forEach((k, v) -> assertThat(fast.get(k)).as("key " + k).isCloseTo(v, within(1e-9)));
  }

  @Test
  void zeroLengthIntervalsGetZero() {
    Map<String, Double> t = ActiveTimeSplitter.split(List.of(new Interval<>("x", 5, 5)));
    assertThat(t).containsEntry("x", 0.0);
  }
}
