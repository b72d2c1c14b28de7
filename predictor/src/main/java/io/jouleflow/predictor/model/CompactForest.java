package io.jouleflow.predictor.model;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * A random forest grown by Tribuo ({@link ForestTrainer}) as flat arrays: what a model set stores
 * and predicts with. Free of Tribuo classes, so that prediction (the launcher's, the agent's) never
 * loads them.
 *
 * <p>Why not the Tribuo model itself: a forest of 100 trees on ~12,000 rows is ~26 MB in Java
 * serialization and takes seconds to read back (a 40,000-row set: 90 MB, 5 s), too slow for a
 * prediction that must answer in well under 2 s; Tribuo's protobuf format needs protobuf-java 3.25
 * where this build pins 3.21.9 for TensorFlow Java. The arrays hold exactly what prediction uses,
 * read back in milliseconds, and predict without Tribuo on the class path (the agent).
 *
 * <p>Semantics are Tribuo's: a split sends a row to its greater child if the row's feature value is
 * {@code > threshold}, else to its less-or-equal child; an absent feature is 0; the forest's output
 * is the mean of its trees' leaf values ({@code AveragingCombiner} with equal weights).
 *
 * <p>Layout: nodes of all trees in preorder; a split's less-or-equal child is the next node, its
 * greater child at {@code greater[i]}; a leaf has {@code feature[i] == -1} and its value in {@code
 * value[i]}. File: {@code JFRF}, version, feature names, tree roots, then the node arrays.
 */
public final class CompactForest {

  private static final int MAGIC = 0x4a465246; // "JFRF"
  private static final int VERSION = 1;
  private static final String TRUNCATED = "corrupt forest file: truncated";

  private final List<String> features;
  private final Map<String, Integer> slots;
  private final int[] roots;
  private final int[] feature;
  private final double[] value;
  private final int[] greater;

  public CompactForest(List<String> features, int[] roots, int[] feature, double[] value, int[] greater) {
    this.features = List.copyOf(features);
    this.slots = new HashMap<>();
    for (int i = 0; i < this.features.size(); i++) {
      slots.put(this.features.get(i), i);
    }
    this.roots = roots;
    this.feature = feature;
    this.value = value;
    this.greater = greater;
  }

  /** Collects the nodes of the trees, tree by tree, each in preorder. */
  public static final class Builder {
    private final List<String> features;
    private final List<Integer> roots = new ArrayList<>();
    private int[] feature = new int[1024];
    private double[] value = new double[1024];
    private int[] greater = new int[1024];
    private int size;

    public Builder(List<String> features) {
      this.features = List.copyOf(features);
    }

    /** The next node starts a tree. */
    public void startTree() {
      roots.add(size);
    }

    /** Adds a split on the feature in {@code slot}; returns its index. */
    public int split(int slot, double threshold) {
      return add(slot, threshold);
    }

    /** Adds a leaf; returns its index. */
    public int leaf(double output) {
      int i = add(-1, output);
      greater[i] = -1;
      return i;
    }

    /** Sets the greater child of the split at {@code split}. */
    public void greater(int split, int child) {
      greater[split] = child;
    }

    private int add(int slot, double v) {
      if (size == feature.length) {
        int n = feature.length * 2;
        feature = Arrays.copyOf(feature, n);
        value = Arrays.copyOf(value, n);
        greater = Arrays.copyOf(greater, n);
      }
      feature[size] = slot;
      value[size] = v;
      return size++;
    }

    public CompactForest build() {
      return new CompactForest(
          features,
          roots.stream().mapToInt(Integer::intValue).toArray(),
          Arrays.copyOf(feature, size),
          Arrays.copyOf(value, size),
          Arrays.copyOf(greater, size));
    }
  }

  /** The feature names the trees split on or saw in training, by slot. */
  public List<String> features() {
    return features;
  }

  public int trees() {
    return roots.length;
  }

  public int nodes() {
    return feature.length;
  }

  /** Whether {@code features} has any feature this forest knows. */
  public boolean knowsAny(Map<String, Double> named) {
    for (String name : named.keySet()) {
      if (slots.containsKey(name)) {
        return true;
      }
    }
    return false;
  }

  /** The row of {@code named} features by slot; absent features are 0, unknown ones ignored. */
  public double[] row(Map<String, Double> named) {
    double[] row = new double[features.size()];
    named.forEach((name, v) -> {
      Integer slot = slots.get(name);
      if (slot != null) {
        row[slot] = v;
      }
    });
    return row;
  }

  /** The mean of the trees' outputs for {@code row}. */
  public double predict(double[] row) {
    double sum = 0;
    for (int root : roots) {
      sum += value[leaf(root, row)];
    }
    return sum / roots.length;
  }

  /** The index of the leaf {@code row} reaches from {@code node}. */
  public int leaf(int node, double[] row) {
    int i = node;
    while (feature[i] >= 0) {
      i = row[feature[i]] > value[i] ? greater[i] : i + 1;
    }
    return i;
  }

  /** Calls {@code visitor} with (split node, its feature slot, less-or-equal child, greater child). */
  public interface SplitVisitor {
    void split(int node, int featureSlot, int lessOrEqual, int greater);
  }

  /** The path of {@code row} down the tree at {@code root}: every node on it, root to leaf. */
  public void path(int root, double[] row, IntConsumer path) {
    int i = root;
    path.accept(i);
    while (feature[i] >= 0) {
      i = row[feature[i]] > value[i] ? greater[i] : i + 1;
      path.accept(i);
    }
  }

  public int[] roots() {
    return roots;
  }

  public void forEachSplit(SplitVisitor visitor) {
    for (int i = 0; i < feature.length; i++) {
      if (feature[i] >= 0) {
        visitor.split(i, feature[i], i + 1, greater[i]);
      }
    }
  }

  public void write(OutputStream stream) throws IOException {
    DataOutputStream out = new DataOutputStream(stream);
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    out.writeInt(features.size());
    for (String name : features) {
      out.writeUTF(name);
    }
    out.writeInt(roots.length);
    out.writeInt(feature.length);
    ByteBuffer buffer = ByteBuffer.allocate(4 * roots.length + 16 * feature.length);
    buffer.asIntBuffer().put(roots);
    buffer.position(4 * roots.length);
    buffer.asIntBuffer().put(feature);
    buffer.position(buffer.position() + 4 * feature.length);
    buffer.asIntBuffer().put(greater);
    buffer.position(buffer.position() + 4 * feature.length);
    buffer.asDoubleBuffer().put(value);
    out.write(buffer.array());
    out.flush();
  }

  /**
   * The forest in {@code stream}.
   *
   * @throws IOException if it is not a forest file, or an inconsistent one
   */
  public static CompactForest read(InputStream stream) throws IOException {
    try {
      return readChecked(new DataInputStream(stream));
    } catch (EOFException e) {
      throw new IOException(TRUNCATED, e);
    }
  }

  private static CompactForest readChecked(DataInputStream in) throws IOException {
    if (in.readInt() != MAGIC) {
      throw new IOException("not a jouleflow forest file");
    }
    int version = in.readInt();
    if (version != VERSION) {
      throw new IOException("forest file version " + version + ", this jouleflow reads " + VERSION);
    }
    int featureCount = in.readInt();
    check(featureCount >= 0 && featureCount < 10_000, "feature count");
    List<String> names = new ArrayList<>(featureCount);
    for (int i = 0; i < featureCount; i++) {
      names.add(in.readUTF());
    }
    int treeCount = in.readInt();
    int nodeCount = in.readInt();
    check(treeCount > 0 && treeCount < 1_000_000 && nodeCount >= treeCount
        && nodeCount < 100_000_000, "tree or node count");
    byte[] bytes = in.readNBytes(4 * treeCount + 16 * nodeCount);
    if (bytes.length < 4 * treeCount + 16 * nodeCount) {
      throw new IOException(TRUNCATED);
    }
    check(in.read() == -1, "length (trailing bytes)");
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    int[] roots = new int[treeCount];
    int[] feature = new int[nodeCount];
    int[] greater = new int[nodeCount];
    double[] value = new double[nodeCount];
    buffer.asIntBuffer().get(roots);
    buffer.position(4 * treeCount);
    buffer.asIntBuffer().get(feature);
    buffer.position(buffer.position() + 4 * nodeCount);
    buffer.asIntBuffer().get(greater);
    buffer.position(buffer.position() + 4 * nodeCount);
    buffer.asDoubleBuffer().get(value);
    for (int root : roots) {
      check(root >= 0 && root < nodeCount, "tree root");
    }
    for (int i = 0; i < nodeCount; i++) {
      if (feature[i] >= 0) {
        // children lie after their parent in preorder: no cycles, every walk ends at a leaf
        // a NaN threshold sends every row one way, an infinite one too: no forest grows them
        check(feature[i] < featureCount && i + 1 < nodeCount && greater[i] > i + 1
            && greater[i] < nodeCount && Double.isFinite(value[i]), "split node " + i);
      } else {
        check(feature[i] == -1 && Double.isFinite(value[i]), "leaf node " + i);
      }
    }
    return new CompactForest(names, roots, feature, value, greater);
  }

  private static void check(boolean ok, String what) throws IOException {
    if (!ok) {
      throw new IOException("corrupt forest file: bad " + what);
    }
  }
}
