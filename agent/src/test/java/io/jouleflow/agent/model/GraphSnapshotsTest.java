package io.jouleflow.agent.model;

import static org.assertj.core.api.Assertions.assertThat;

import example.service.TinyResNet;
import io.jouleflow.predictor.attribution.DetectedLayers;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/** Copies of real graphs closed before the worker read them. */
class GraphSnapshotsTest {

  @Test
  void aGraphClosedAfterItsSessionRanIsCopiedAndNamedAndDetectedFromTheCopy() throws Exception {
    GraphSnapshots snapshots = new GraphSnapshots();
    Graph g = new Graph();
    TinyResNet.build(g, 16);
    Session s = new Session(g);
    String live = ModelIdentity.fingerprint(GraphAccess.structureOf(s));
    snapshots.sessionRan(s);
    s.close();
    g.close(); // the advice on Graph.close calls graphClosing first; here by hand

    assertThat(snapshots.copyOf(s)).isNull(); // not copied: graphClosing was not called
    Graph g2 = new Graph();
    TinyResNet.build(g2, 16);
    Session s2 = new Session(g2);
    snapshots.sessionRan(s2);
    s2.close();
    snapshots.graphClosing(g2);
    g2.close();

    assertThat(snapshots.copyOf(s2)).isNotNull();
    assertThat(new ModelIdentity(null, snapshots).nameOf(s2)).isEqualTo("graph-" + live);
    assertThat(SessionLayers.forSession(s2, "m", snapshots)).isInstanceOf(DetectedLayers.class);
    snapshots.done(s2);
    assertThat(snapshots.copyOf(s2)).as("dropped once read").isNull();
  }

  @Test
  void graphsWhoseSessionsNeverRanOrWereReadAlreadyAreNotCopied() throws Exception {
    GraphSnapshots snapshots = new GraphSnapshots();
    try (Graph g = new Graph(); Graph read = new Graph()) {
      TinyResNet.build(g, 16);
      TinyResNet.build(read, 16);
      try (Session never = new Session(g); Session s = new Session(read)) {
        snapshots.sessionRan(s);
        snapshots.done(s); // the worker read it
        snapshots.sessionRan(s);
        snapshots.graphClosing(g);
        snapshots.graphClosing(read);
        assertThat(snapshots.copyOf(never)).isNull();
        assertThat(snapshots.copyOf(s)).isNull();
      }
    }
  }
}
