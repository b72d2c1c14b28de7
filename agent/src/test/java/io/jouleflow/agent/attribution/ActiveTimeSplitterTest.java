package io.jouleflow.agent.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jouleflow.agent.attribution.ActiveTimeSplitter.Interval;
import java.util.List;
import java.util.Map;
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
  void zeroLengthIntervalsGetZero() {
    Map<String, Double> t = ActiveTimeSplitter.split(List.of(new Interval<>("x", 5, 5)));
    assertThat(t).containsEntry("x", 0.0);
  }
}
