package io.jouleflow.agent.model;

import io.jouleflow.agent.log.AgentLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * Names the model a Session runs: the {@code model.name} option if set; else the SavedModel
 * export directory's name (its parent's for a numeric version directory, as TF Serving lays them
 * out: {@code resnet/3} is {@code resnet}); else a fingerprint of the graph's structure (node
 * names, op types and inputs, not weights), so the same graph gets the same name across restarts.
 *
 * <p>Sessions are held weakly: a closed, collected session leaves nothing behind.
 */
public final class ModelIdentity {

  /** Label for runs whose session is unknown (they started before the agent attached). */
  public static final String UNKNOWN = "unknown";

  private final String fixedName;
  // By identity: a C API session (DJL) is a JavaCPP pointer whose hash changes when it is deleted.
  private final WeakIdentityMap<Object, String> savedModelNames = new WeakIdentityMap<>();
  private final WeakIdentityMap<Object, String> resolved = new WeakIdentityMap<>();
  // Fingerprint names by graph: a new session on a known graph needs no second read.
  private final Map<Object, String> graphNames = new WeakHashMap<>(); // worker thread only
  private final GraphSnapshots snapshots;

  public ModelIdentity(String fixedName) {
    this(fixedName, new GraphSnapshots());
  }

  /** @param snapshots copies of graphs closed before the worker read them */
  public ModelIdentity(String fixedName, GraphSnapshots snapshots) {
    this.fixedName = fixedName;
    this.snapshots = snapshots;
  }

  /** The copies of closed graphs this identity and the session's layers are read from. */
  public GraphSnapshots snapshots() {
    return snapshots;
  }

  /** Application thread, once per load: remembers the bundle's session and directory. */
  public void savedModelLoaded(Object bundle, String exportDir) {
    try {
      Object session;
      try {
        session = bundle.getClass().getMethod("session").invoke(bundle);
      } catch (NoSuchMethodException e) {
        // DJL's SavedModelBundle: C API handles, TF_Session and TF_Graph; the graph is copied
        // now (the worker never touches a handle the application may delete).
        session = bundle.getClass().getMethod("getSession").invoke(bundle);
        if (session != null) {
          snapshots.copyCApiGraph(session, bundle.getClass().getMethod("getGraph").invoke(bundle));
        }
      }
      String name = nameFromExportDir(exportDir);
      if (session != null && name != null) {
        savedModelNames.put(session, name);
        synchronized (resolved) {
          resolved.remove(session);
        }
      }
    } catch (Exception | LinkageError e) {
      AgentLog.debug("could not read the session of a SavedModelBundle: " + e);
    }
  }

  /** Worker thread: the model name of a session. */
  public String nameOf(Object session) {
    if (fixedName != null) {
      return fixedName;
    }
    if (session == null) {
      return UNKNOWN;
    }
    synchronized (resolved) {
      String cached = resolved.get(session);
      if (cached != null) {
        return cached;
      }
    }
    String name = savedModelNames.get(session);
    if (name == null) {
      Object graph = GraphSnapshots.graphOf(session);
      name = graph == null ? null : graphNames.get(graph);
      if (name == null) {
        name = fingerprintName(session);
        if (graph != null && !name.equals(UNKNOWN)) {
          graphNames.put(graph, name);
        }
      }
    }
    synchronized (resolved) {
      resolved.put(session, name);
    }
    return name;
  }

  /** Export directory to model name; null for an empty path. */
  public static String nameFromExportDir(String exportDir) {
    if (exportDir == null || exportDir.isBlank()) {
      return null;
    }
    Path p = Path.of(exportDir).toAbsolutePath().normalize();
    Path file = p.getFileName();
    if (file == null) {
      return null;
    }
    String name = file.toString();
    if (name.matches("\\d+") && p.getParent() != null && p.getParent().getFileName() != null) {
      name = p.getParent().getFileName().toString();
    }
    return name;
  }

  private String fingerprintName(Object session) {
    try {
      return "graph-" + fingerprint(GraphAccess.structureOf(session));
    } catch (Exception | LinkageError e) {
      GraphDef copy = snapshots.copyOf(session); // closed since: the copy taken at its close
      if (copy != null) {
        return "graph-" + fingerprint(copy);
      }
      AgentLog.warn("could not read the graph of a session to name its model ("
          + SessionLayers.cause(e) + "); its runs are labelled model=\"" + UNKNOWN + "\"");
      return UNKNOWN;
    }
  }

  /** The fingerprint of a GraphDef: the same as of the live graph it came from. */
  public static String fingerprint(GraphDef graph) {
    List<String> lines = new ArrayList<>(graph.getNodeCount());
    for (NodeDef n : graph.getNodeList()) {
      List<String> data = n.getInputList().stream().filter(in -> !in.startsWith("^"))
          .map(in -> in.endsWith(":0") ? in.substring(0, in.length() - 2) : in).toList();
      lines.add(n.getName() + "|" + n.getOp() + "|" + String.join(",", data));
    }
    return fingerprint(lines);
  }

  /**
   * First 12 hex digits of SHA-256 over the sorted {@code name|op|inputs} lines of every node
   * (control inputs and weights left out).
   */
  public static String fingerprint(List<String> structure) {
    List<String> lines = new ArrayList<>(structure);
    Collections.sort(lines);
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String line : lines) {
        sha.update(line.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '\n');
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
