import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An unmodified DJL application (TensorFlow engine): loads a SavedModel through the Criteria API,
 * predicts with a Predictor, and runs a few NDArray ops eagerly. Compiled by DjlUnderAgentIT
 * against DJL's jars (they clash with the test class path's TensorFlow Java 1.1.0). Args: model
 * directory, input size, runs. Prints the outputs of the first runs and of the eager ops, then
 * "ready", then goes on predicting, as a service does, until a line arrives on stdin.
 */
public final class DjlApp {

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int size = Integer.parseInt(args[1]);
    int runs = Integer.parseInt(args[2]);
    AtomicBoolean stop = new AtomicBoolean();
    // Off the main thread, as a service's workers.
    Thread worker = new Thread(() -> serve(dir, size, runs, stop), "djl-worker");
    worker.start();
    new BufferedReader(new InputStreamReader(System.in)).readLine();
    stop.set(true);
    worker.join();
  }

  private static void serve(Path dir, int size, int runs, AtomicBoolean stop) {
    Criteria<NDList, NDList> criteria = Criteria.builder()
        .setTypes(NDList.class, NDList.class)
        .optModelPath(dir)
        .optEngine("TensorFlow")
        .optTranslator(new NoopTranslator())
        .build();
    try (ZooModel<NDList, NDList> model = criteria.loadModel();
        Predictor<NDList, NDList> predictor = model.newPredictor();
        NDManager manager = NDManager.newBaseManager("TensorFlow")) {
      float[] pixels = new float[2 * size * size * 3];
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (i % 251) / 251f;
      }
      NDArray input = manager.create(pixels, new Shape(2, size, size, 3));
      int digest = 0;
      for (int i = 0; i < runs; i++) {
        float[] probabilities = predictor.predict(new NDList(input)).singletonOrThrow()
            .toFloatArray();
        digest = 31 * digest + Arrays.hashCode(probabilities);
        if (i == 0) {
          System.out.println("first output " + Arrays.toString(probabilities));
        }
      }
      System.out.println("outputs digest " + digest);
      // Eager NDArray ops (TFE_Execute)
      NDArray scaled = input.mul(2f).add(1f);
      System.out.println("eager sum " + scaled.sum().getFloat());
      System.out.println("ready");
      while (!stop.get()) {
        predictor.predict(new NDList(input)).close();
        Thread.sleep(20);
      }
    } catch (Exception e) {
      e.printStackTrace();
      System.exit(1); // not waiting on stdin for nothing
    }
  }
}
