package io.jouleflow.predictor.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes batches of layer and model samples, half of them under keys that every writer uses: the
 * body of one writer thread, or of one child JVM ({@link #main}).
 */
final class ConcurrentWriter {

  private ConcurrentWriter() {}

  /**
   * {@code url name batches perBatch}: opens the store, prints {@code ready}, waits for a line on
   * standard input (so that all writers start at once), writes, and prints the rows it inserted.
   */
  public static void main(String[] args) throws IOException {
    try (SampleStore store = SampleStore.open(args[0])) {
      System.out.println("ready");
      System.out.flush();
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      System.out.println(
          write(store, args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3])));
    }
  }

  /** Rows inserted, layer and model rows together. */
  static int write(SampleStore store, String name, int batches, int perBatch) {
    int inserted = 0;
    for (int batch = 0; batch < batches; batch++) {
      for (String model : List.of("shared", "own_" + name)) {
        List<LayerSample> layers = new ArrayList<>();
        for (int i = 0; i < perBatch; i++) {
          layers.add(Samples.dense(model, "b" + batch, "dense_" + i));
        }
        inserted += store.writeLayerSamples(layers);
        inserted += store.writeModelSamples(List.of(Samples.model(model, "b" + batch)));
      }
    }
    return inserted;
  }
}
