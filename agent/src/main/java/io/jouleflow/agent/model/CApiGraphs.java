package io.jouleflow.agent.model;

import java.lang.reflect.Method;

/**
 * Reads a graph held as a JavaCPP {@code TF_Graph} (DJL's TensorFlow engine) through TensorFlow's
 * C API, {@code TF_GraphToGraphDef}, called reflectively on the application's own JavaCPP class.
 * Only on the application thread that holds the graph (at load): a graph the application deletes
 * while the worker reads it would be freed memory.
 */
final class CApiGraphs {

  private static final String C_API =
      String.join(".", "org", "tensorflow", "internal", "c_api") + ".";

  private CApiGraphs() {}

  /** The serialized GraphDef of {@code graph} (a {@code TF_Graph}); throws if it cannot. */
  static byte[] graphDefBytes(Object graph) throws ReflectiveOperationException {
    Class<?> graphType = graph.getClass();
    if ((Boolean) graphType.getMethod("isNull").invoke(graph)) {
      throw new IllegalStateException("the graph was deleted");
    }
    ClassLoader loader = graphType.getClassLoader();
    Class<?> api = Class.forName(C_API + "global.tensorflow", false, loader);
    Class<?> bufferType = Class.forName(C_API + "TF_Buffer", false, loader);
    Class<?> statusType = Class.forName(C_API + "TF_Status", false, loader);
    Class<?> scopeType = Class.forName(
        String.join(".", "org", "bytedeco", "javacpp", "PointerScope"), false, loader);
    // Buffer and status are freed with this scope, as DJL frees its own.
    try (AutoCloseable scope = (AutoCloseable) scopeType.getConstructor().newInstance()) {
      Object buffer = bufferType.getMethod("newBuffer").invoke(null);
      Object status = statusType.getMethod("newStatus").invoke(null);
      api.getMethod("TF_GraphToGraphDef", graphType, bufferType, statusType)
          .invoke(null, graph, buffer, status);
      Method check = statusType.getMethod("throwExceptionIfNotOK");
      check.invoke(status);
      return (byte[]) bufferType.getMethod("copyData").invoke(buffer);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new ReflectiveOperationException("closing a pointer scope: " + e, e);
    }
  }
}
