package example.service;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP image-classification service on 127.0.0.1 backed by a TensorFlow SavedModel ({@link
 * TinyResNet}): {@code GET|POST /predict}, {@code GET /health}.
 *
 * <p>Run it with {@link #main}; tests start it in-process with {@link #start} and stop it with
 * {@link #close}.
 */
public final class InferenceService implements AutoCloseable {

  /**
   * Seconds {@link #close} gives open exchanges before closing connections. JDK 17's
   * HttpServer.stop waits this long even when idle, so keep it short; the workers are awaited
   * separately, and the model is closed only after the last request that uses it has ended.
   */
  private static final int STOP_DELAY_SECONDS = 1;

  private static final int WORKER_DRAIN_SECONDS = 30;

  /**
   * The JDK server sends response headers and body as two writes; with Nagle's algorithm on, the
   * body waits for the client's delayed ACK and every response takes ~40 ms more. The property is
   * read once, when the JDK's server classes initialise: a server started earlier in the same JVM
   * fixes it, so scripts should pass {@code -Dsun.net.httpserver.nodelay=true} too.
   */
  private static final String NO_DELAY_PROPERTY = "sun.net.httpserver.nodelay";

  private final HttpServer server;
  private final ExecutorService workers;
  private final ImageClassifier classifier;
  private final AtomicBoolean closed = new AtomicBoolean();

  private InferenceService(HttpServer server, ExecutorService workers, ImageClassifier classifier) {
    this.server = server;
    this.workers = workers;
    this.classifier = classifier;
  }

  public static void main(String[] args) throws IOException {
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        System.out.println(ServiceOptions.USAGE);
        return;
      }
    }
    ServiceOptions options;
    try {
      options = ServiceOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(ServiceOptions.USAGE);
      System.exit(2);
      return;
    }
    InferenceService service;
    try {
      service = start(options, System.err);
    } catch (IllegalStateException e) {
      // A model directory that does not fit the options: say so without a stack trace.
      System.err.println("error: " + e.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(service::close, "inference-service-shutdown"));
    // Scripts and tests wait for exactly this line on stdout.
    System.out.println("listening on http://127.0.0.1:" + service.port());
    System.out.flush();
  }

  /**
   * Loads (exporting first if needed) the model and starts serving; returns once requests are
   * accepted.
   *
   * @param log export/load messages go here
   */
  public static InferenceService start(ServiceOptions options, PrintStream log) throws IOException {
    ImageClassifier classifier =
        ImageClassifier.openOrExport(options.modelDir(), options.inputSize(), log);
    if (System.getProperty(NO_DELAY_PROPERTY) == null) {
      System.setProperty(NO_DELAY_PROPERTY, "true");
    }
    ExecutorService workers = null;
    try {
      HttpServer server =
          HttpServer.create(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), options.port()), 0);
      workers = Executors.newFixedThreadPool(options.threads(), namedThreads("http-worker-"));
      server.setExecutor(workers);
      server.createContext("/predict", new PredictHandler(classifier));
      server.createContext("/health", new HealthHandler());
      server.start();
      return new InferenceService(server, workers, classifier);
    } catch (IOException | RuntimeException e) {
      if (workers != null) {
        workers.shutdownNow();
      }
      classifier.close();
      throw e;
    }
  }

  /** The port the service listens on (the chosen one when started with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops accepting requests, lets those in flight finish, then releases the model. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    server.stop(STOP_DELAY_SECONDS);
    workers.shutdown();
    boolean idle;
    try {
      idle = workers.awaitTermination(WORKER_DRAIN_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      idle = false;
    }
    if (idle) {
      classifier.close();
    } else {
      // Freeing native memory under a running Session.run would crash the JVM; leave it.
      System.err.println("requests still running after shutdown; model left open");
    }
  }

  private static ThreadFactory namedThreads(String prefix) {
    AtomicInteger next = new AtomicInteger(1);
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + next.getAndIncrement());
      thread.setDaemon(true);
      return thread;
    };
  }
}
