package io.jouleflow.agent.bench;

import example.service.ImageClassifier;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * The application whose latency {@link AgentOverheadBenchmark} measures: the example classifier
 * driven from stdin. It knows nothing of the agent (with or without it, the same code runs).
 *
 * <p>Flags: {@code --model-dir DIR} (required), {@code --input-size 64}, {@code --batch 8},
 * {@code --warmup 1000}. After the warm-up it prints {@code ready}, then answers each stdin line
 * {@code run N} with one line {@code latencies K n1 … nN}: K counts the run commands from 1, each
 * n is one {@code classify} call in nanoseconds. {@code quit} or the end of stdin exits.
 */
public final class LatencyApp {

  public static void main(String[] args) throws Exception {
    BenchFlags flags = BenchFlags.parse(args,
        Map.of("model-dir", "", "input-size", "64", "batch", "8", "warmup", "1000"));
    if (flags.get("model-dir").isEmpty()) {
      throw new IllegalArgumentException("--model-dir is required");
    }
    int batch = flags.positiveInt("batch");
    int warmup = flags.positiveInt("warmup");
    try (ImageClassifier classifier = ImageClassifier.openOrExport(
        Path.of(flags.get("model-dir")), flags.positiveInt("input-size"), System.err)) {
      float[] pixels = fixedPixels(batch * classifier.valuesPerImage());
      for (int i = 0; i < warmup; i++) {
        classifier.classify(pixels, batch);
      }
      System.out.println("ready");
      System.out.flush();
      serve(classifier, pixels, batch);
    }
  }

  private static void serve(ImageClassifier classifier, float[] pixels, int batch) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    int commands = 0;
    for (String line; (line = in.readLine()) != null; ) {
      line = line.trim();
      if (line.equals("quit")) {
        return;
      }
      if (!line.startsWith("run ")) {
        System.err.println("LatencyApp: unknown command '" + line + "'");
        continue;
      }
      long[] nanos = new long[Integer.parseInt(line.substring(4).trim())];
      for (int i = 0; i < nanos.length; i++) {
        long start = System.nanoTime();
        classifier.classify(pixels, batch);
        nanos[i] = System.nanoTime() - start;
      }
      // Formatting happens after the timed loop, so it costs no run anything.
      StringBuilder out = new StringBuilder(nanos.length * 9 + 16).append("latencies ").append(++commands);
      for (long n : nanos) {
        out.append(' ').append(n);
      }
      System.out.println(out);
      System.out.flush();
    }
  }

  /** The same input in every JVM and every run: the runs differ only in what surrounds them. */
  private static float[] fixedPixels(int count) {
    Random random = new Random(20240601L);
    float[] pixels = new float[count];
    for (int i = 0; i < count; i++) {
      pixels[i] = random.nextFloat();
    }
    return pixels;
  }
}
