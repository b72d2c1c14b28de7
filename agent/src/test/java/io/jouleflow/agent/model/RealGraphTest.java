package io.jouleflow.agent.model;

import static org.assertj.core.api.Assertions.assertThat;

import example.service.TinyResNet;
import io.jouleflow.agent.log.AgentLog;
import io.jouleflow.predictor.attribution.DetectedLayers;
import io.jouleflow.predictor.attribution.ScopeLayers;
import io.jouleflow.predictor.layers.RuntimeNodes;
import io.jouleflow.predictor.trace.NodeRecord;
import io.jouleflow.predictor.trace.StepStatsParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/** The agent's graph and trace readers against a real TensorFlow graph and a real trace. */
class RealGraphTest {

  @Test
  void liveGraphAndItsGraphDefHaveTheSameFingerprint() throws Exception {
    try (Graph g = new Graph()) {
      TinyResNet.build(g, 16);
      try (Session s = new Session(g)) {
        String live = ModelIdentity.fingerprint(GraphAccess.structureOf(s));
        String def = ModelIdentity.fingerprint(GraphDef.parseFrom(g.toGraphDef().toByteArray()));
        assertThat(live).hasSize(12).isEqualTo(def);
        assertThat(GraphAccess.graphDefOf(s).getNodeCount()).isEqualTo(g.toGraphDef().getNodeCount());
      }
    }
  }

  @Test
  void aRealTraceParsesIntoTimedNodesWithRuntimeShapes() throws Exception {
    try (Graph g = new Graph()) {
      TinyResNet.build(g, 16);
      try (Session s = new Session(g); TFloat32 in = TFloat32.tensorOf(Shape.of(3, 16, 16, 3));
          Result r = s.runner().feed("input", in).fetch(TinyResNet.OUTPUT_OPERATION)
              .setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build())
              .runAndFetchMetadata()) {
        List<NodeRecord> nodes = StepStatsParser.nodes(
            StepStatsParser.stepStats(r.getMetadata().orElseThrow().toByteArray()));
        assertThat(nodes).isNotEmpty();
        assertThat(nodes).allSatisfy(n -> {
          assertThat(n.device()).isEqualTo("cpu:0");
          assertThat(n.endMicros()).isGreaterThanOrEqualTo(n.startMicros());
        });
        NodeRecord softmax = nodes.stream().filter(n -> n.node().equals("softmax/Softmax"))
            .findFirst().orElseThrow();
        assertThat(softmax.opType()).containsIgnoringCase("Softmax");
        assertThat(softmax.outputShapes()).first().satisfies(d -> assertThat(d).containsExactly(3, 10));
        assertThat(nodes).anySatisfy(
            n -> assertThat(RuntimeNodes.isExecutorNode(n.node(), n.opType())).isTrue());
      }
    }
  }

  @Test
  void aGraphClosedBeforeTheWorkerReadsItIsLoggedWithItsRealCause() throws Exception {
    Graph g = new Graph();
    TinyResNet.build(g, 16);
    Session s = new Session(g);
    s.close();
    g.close(); // a batch job that ran its graph and closed it before the agent's worker came
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    AgentLog.redirect(new PrintStream(log, true, StandardCharsets.UTF_8), false);
    try {
      assertThat(SessionLayers.forSession(s, "m")).isInstanceOf(ScopeLayers.class);
    } finally {
      AgentLog.redirect(System.err, false);
    }
    assertThat(log.toString(StandardCharsets.UTF_8))
        .contains("model \"m\": layers could not be detected (")
        .contains("IllegalStateException: close() has been called on the Graph")
        .doesNotContain("InvocationTargetException");
  }
}
