package io.jouleflow.agent.it.tf05;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.framework.RunMetadata;
import org.tensorflow.proto.framework.RunOptions;
import org.tensorflow.types.TFloat32;

/**
 * An application written against TensorFlow Java 0.5.0 (compiled by Tf05UnderAgentIT against
 * the 0.5.0 jar, not by Maven: the test classes use 1.1.0). {@code export DIR} writes a small
 * Keras-scoped CNN as a SavedModel; {@code serve DIR RUNS} loads it and, on a worker thread,
 * prints the checksums of its first RUNS outputs and "ready", runs on until a line on stdin, then
 * runs once with its own trace request and prints what its RunMetadata holds. {@code graph -
 * RUNS} does the same with the network built in process and run by a plain Session.
 */
public final class Tf05App {

  private static final String OUTPUT = "dense/BiasAdd";

  public static void main(String[] args) throws Exception {
    if (args[0].equals("export")) {
      export(args[1]);
      return;
    }
    AtomicBoolean stop = new AtomicBoolean();
    // Off the main thread, as a service's request threads.
    int runs = Integer.parseInt(args[2]);
    Thread worker = new Thread(() -> {
      try {
        if (args[0].equals("serve")) {
          try (SavedModelBundle model = SavedModelBundle.load(args[1], "serve")) {
            serve(model.session(), runs, stop);
          }
        } else { // "graph": the same network built here, run by a plain Session
          try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            build(tf, tf.withName("input").placeholder(TFloat32.class));
            serve(s, runs, stop);
          }
        }
      } catch (Exception e) {
        e.printStackTrace();
        System.exit(3);
      }
    }, "serving");
    worker.start();
    new BufferedReader(new InputStreamReader(System.in)).readLine();
    stop.set(true);
    worker.join();
  }

  private static void export(String dir) throws Exception {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.withName("input").placeholder(TFloat32.class);
      Operand<TFloat32> out = build(tf, x);
      SavedModelBundle.exporter(dir).withSession(s)
          .withSignature(Signature.builder().input("x", x).output("y", out).build()).export();
    }
    System.out.println("exported");
  }

  /** RUNS printed runs, "ready", silent runs until stopped, then one run with its own trace. */
  private static void serve(Session s, int runs, AtomicBoolean stop) throws Exception {
    try (TFloat32 in = TFloat32.tensorOf(Shape.of(4, 16, 16, 3))) {
      Random r = new Random(7);
      in.scalars().forEach(v -> v.setFloat(r.nextFloat()));
      for (int i = 0; !stop.get(); i++) {
        try (Result res = s.runner().feed("input", in).fetch(OUTPUT).run()) {
          if (i < runs) {
            System.out.println("run " + i + " " + checksum((TFloat32) res.get(0))
                + (res.getMetadata().isPresent() ? " with metadata" : ""));
          } else if (i == runs) {
            System.out.println("ready");
          }
        }
        if (i >= runs) {
          Thread.sleep(5);
        }
      }
      RunOptions traced =
          RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.SOFTWARE_TRACE).build();
      try (Result res = s.runner().feed("input", in).fetch(OUTPUT).setOptions(traced)
          .runAndFetchMetadata()) {
        RunMetadata md = res.getMetadata().orElseThrow();
        System.out.println("own trace " + checksum((TFloat32) res.get(0)) + " step stats "
            + (md.getStepStats().getDevStatsCount() > 0));
      }
    }
  }

  private static String checksum(TFloat32 t) {
    double[] sum = {0};
    t.scalars().forEach(v -> sum[0] += v.getFloat());
    return t.shape() + " " + String.format("%.6f", sum[0]);
  }

  private static Operand<TFloat32> build(Ops tf, Operand<TFloat32> x) {
    Random random = new Random(1);
    Ops conv = tf.withSubScope("conv2d");
    Operand<TFloat32> c = conv.withName("Relu").nn.relu(conv.withName("BiasAdd").nn.biasAdd(
        conv.withName("Conv2D").nn.conv2d(x, weights(tf, random, 3, 3, 3, 8),
            List.of(1L, 1L, 1L, 1L), "SAME"), weights(tf, random, 8)));
    Ops pool = tf.withSubScope("max_pooling2d");
    Operand<TFloat32> p = pool.withName("MaxPool").nn.maxPool(c,
        tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "VALID");
    Ops flatten = tf.withSubScope("flatten");
    Operand<TFloat32> f = flatten.withName("Reshape").reshape(p,
        tf.constant(new int[] {-1, 8 * 8 * 8}));
    Ops dense = tf.withSubScope("dense");
    return dense.withName("BiasAdd").nn.biasAdd(dense.withName("MatMul").linalg.matMul(f,
        weights(tf, random, 8 * 8 * 8, 10)), weights(tf, random, 10));
  }

  private static Operand<TFloat32> weights(Ops tf, Random r, int... dims) {
    long[] shape = new long[dims.length];
    int n = 1;
    for (int i = 0; i < dims.length; i++) {
      shape[i] = dims[i];
      n *= dims[i];
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextGaussian() * 0.1);
    }
    return tf.constant(Shape.of(shape), DataBuffers.of(v));
  }
}
