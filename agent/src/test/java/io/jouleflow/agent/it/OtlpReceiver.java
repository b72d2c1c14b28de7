package io.jouleflow.agent.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An OTLP/HTTP metrics receiver for tests: accepts POST /v1/metrics and decodes each protobuf
 * ExportMetricsServiceRequest down to its metric names, with a small reader of protobuf's wire
 * format (resource_metrics = 1, scope_metrics = 2, metrics = 2, name = 1).
 */
final class OtlpReceiver implements AutoCloseable {

  private final HttpServer server;
  private final List<String> contentTypes = new CopyOnWriteArrayList<>();
  private final Set<String> metricNames = Collections.synchronizedSet(new LinkedHashSet<>());

  OtlpReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/metrics", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      contentTypes.add(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
      metricNames.addAll(metricNames(body));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/metrics";
  }

  Set<String> metricNames() {
    synchronized (metricNames) {
      return new LinkedHashSet<>(metricNames);
    }
  }

  List<String> contentTypes() {
    return List.copyOf(contentTypes);
  }

  /** The names of every metric in an ExportMetricsServiceRequest. */
  static List<String> metricNames(byte[] request) {
    List<String> names = new ArrayList<>();
    for (Field resource : fields(request, 0, request.length)) {
      if (resource.number != 1 || resource.wireType != 2) {
        continue;
      }
      for (Field scope : fields(request, resource.start, resource.length)) {
        if (scope.number != 2 || scope.wireType != 2) {
          continue;
        }
        for (Field metric : fields(request, scope.start, scope.length)) {
          if (metric.number != 2 || metric.wireType != 2) {
            continue;
          }
          for (Field f : fields(request, metric.start, metric.length)) {
            if (f.number == 1 && f.wireType == 2) {
              names.add(new String(request, f.start, f.length, StandardCharsets.UTF_8));
            }
          }
        }
      }
    }
    return names;
  }

  private record Field(int number, int wireType, int start, int length) {}

  private static List<Field> fields(byte[] buf, int offset, int length) {
    List<Field> out = new ArrayList<>();
    int[] pos = {offset};
    int end = offset + length;
    while (pos[0] < end) {
      long key = varint(buf, pos);
      int number = (int) (key >>> 3);
      int wireType = (int) (key & 7);
      switch (wireType) {
        case 0 -> varint(buf, pos);
        case 1 -> pos[0] += 8;
        case 5 -> pos[0] += 4;
        case 2 -> {
          int len = (int) varint(buf, pos);
          out.add(new Field(number, wireType, pos[0], len));
          pos[0] += len;
        }
        default -> throw new IllegalArgumentException("unsupported wire type " + wireType);
      }
    }
    return out;
  }

  private static long varint(byte[] buf, int[] pos) {
    long value = 0;
    for (int shift = 0; ; shift += 7) {
      byte b = buf[pos[0]++];
      value |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        return value;
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
