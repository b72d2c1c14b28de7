package io.jouleflow.predictor.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link CompactForest} files: what reads back, and what is refused as corrupt in one line. */
class CompactForestTest {

  /** One tree: x > 0.5 ? 2.0 : 1.0. Nodes: split, leaf 1.0, leaf 2.0. */
  private static byte[] stump(double threshold, double left, double right) throws IOException {
    CompactForest.Builder b = new CompactForest.Builder(List.of("x"));
    b.startTree();
    int split = b.split(0, threshold);
    b.leaf(left);
    b.greater(split, b.leaf(right));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    b.build().write(out);
    return out.toByteArray();
  }

  private static CompactForest read(byte[] bytes) throws IOException {
    return CompactForest.read(new ByteArrayInputStream(bytes));
  }

  @Test
  void aForestReadsBackAndPredictsAsWritten() throws IOException {
    CompactForest forest = read(stump(0.5, 1.0, 2.0));
    assertThat(forest.predict(new double[] {0.4})).isEqualTo(1.0);
    assertThat(forest.predict(new double[] {0.6})).isEqualTo(2.0);
  }

  @Test
  void aThresholdThatIsNotFiniteIsCorrupt() {
    for (double threshold : new double[] {Double.NaN, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY}) {
      assertThatThrownBy(() -> read(stump(threshold, 1.0, 2.0)))
          .as("threshold %s", threshold)
          .isInstanceOf(IOException.class)
          .hasMessage("corrupt forest file: bad split node 0");
    }
  }

  @Test
  void aLeafValueThatIsNotFiniteIsCorrupt() {
    for (double leaf : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> read(stump(0.5, leaf, 2.0)))
          .isInstanceOf(IOException.class)
          .hasMessage("corrupt forest file: bad leaf node 1");
    }
  }


  @Test
  void aTruncatedFileSaysTruncatedWhereverItEnds() throws IOException {
    byte[] whole = stump(0.5, 1.0, 2.0);
    for (int length : new int[] {0, 3, 10, 14, 20, whole.length - 1}) {
      assertThatThrownBy(() -> read(java.util.Arrays.copyOf(whole, length)))
          .as("%d of %d bytes", length, whole.length)
          .isInstanceOf(IOException.class)
          .hasMessage("corrupt forest file: truncated");
    }
  }
}
