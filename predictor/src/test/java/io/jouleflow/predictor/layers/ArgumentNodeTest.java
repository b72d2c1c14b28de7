package io.jouleflow.predictor.layers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ArgumentNodeTest {

  @Test
  void anArgumentNameGivesThePlaceholderAndOutputItFeeds() {
    assertThat(ArgumentNode.parse("_arg_input_1_0_0")).isEqualTo(new ArgumentNode("input_1", 0));
    assertThat(ArgumentNode.parse("_arg_serving/x_2_1")).isEqualTo(new ArgumentNode("serving/x", 2));
    assertThat(ArgumentNode.isArgument("_arg_input_1_0_0")).isTrue();
  }

  @Test
  void otherNamesAreNoArguments() {
    assertThat(ArgumentNode.parse("_retval_softmax_0_0")).isNull();
    assertThat(ArgumentNode.parse("conv2d/Conv2D")).isNull();
    assertThat(ArgumentNode.isArgument("_retval_softmax_0_0")).isFalse();
    assertThat(ArgumentNode.isArgument("dense/_arg_x_0_0")).isFalse();
  }
}
