package io.jouleflow.agent.model;

import static org.assertj.core.api.Assertions.assertThat;

import example.service.TinyResNet;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/** Reading a session's graph whether its {@code graph()} is public (1.x) or not (0.x). */
class GraphAccessTest {

  /** As TensorFlow Java 0.5.0's Session: {@code graph()} is package-private. */
  static final class PackagePrivateGraphSession {
    private final Graph graph;

    PackagePrivateGraphSession(Graph graph) {
      this.graph = graph;
    }

    Graph graph() {
      return graph;
    }
  }

  @Test
  void aSessionWhoseGraphMethodIsNotPublicIsReadAsOneWhoseIs() throws Exception {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      TinyResNet.build(g, 16);
      PackagePrivateGraphSession old = new PackagePrivateGraphSession(g);

      assertThat(GraphAccess.graphOf(old)).isSameAs(g);
      assertThat(GraphAccess.structureOf(old)).isEqualTo(GraphAccess.structureOf(s));
      assertThat(GraphAccess.graphDefOf(old)).isEqualTo(GraphAccess.graphDefOf(s));
    }
  }

  @Test
  void aSessionWithoutGraphIsNoGraph() {
    assertThat(GraphAccess.graphOf(new Object())).isNull();
    assertThat(GraphAccess.graphOf(null)).isNull();
  }
}
