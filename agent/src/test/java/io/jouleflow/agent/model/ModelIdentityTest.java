package io.jouleflow.agent.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

class ModelIdentityTest {

  @Test
  void savedModelDirectoryNamesTheModel() {
    assertThat(ModelIdentity.nameFromExportDir("/srv/models/tiny_resnet")).isEqualTo("tiny_resnet");
    assertThat(ModelIdentity.nameFromExportDir("/srv/models/tiny_resnet/")).isEqualTo("tiny_resnet");
  }

  @Test
  void numericVersionDirectoryUsesTheParentName() {
    assertThat(ModelIdentity.nameFromExportDir("/srv/models/resnet/3")).isEqualTo("resnet");
  }

  @Test
  void fingerprintDependsOnStructureNotOnNodeOrder() {
    NodeDef a = NodeDef.newBuilder().setName("x").setOp("Placeholder").build();
    NodeDef b = NodeDef.newBuilder().setName("y").setOp("Relu").addInput("x").build();
    String f1 = ModelIdentity.fingerprint(GraphDef.newBuilder().addNode(a).addNode(b).build());
    String f2 = ModelIdentity.fingerprint(GraphDef.newBuilder().addNode(b).addNode(a).build());
    NodeDef c = NodeDef.newBuilder().setName("y").setOp("Sigmoid").addInput("x").build();
    String f3 = ModelIdentity.fingerprint(GraphDef.newBuilder().addNode(a).addNode(c).build());
    assertThat(f1).hasSize(12).isEqualTo(f2).isNotEqualTo(f3);
  }

  @Test
  void fixedNameWinsOverEverything() {
    assertThat(new ModelIdentity("prod-model").nameOf(new Object())).isEqualTo("prod-model");
    assertThat(new ModelIdentity(null).nameOf(null)).isEqualTo(ModelIdentity.UNKNOWN);
  }
}
