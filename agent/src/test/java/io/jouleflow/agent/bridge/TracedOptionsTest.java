package io.jouleflow.agent.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.proto.RunOptions.TraceLevel;

/**
 * The traced RunOptions are built from the RunOptions type of the advised {@code Session.run}:
 * no class names, so TensorFlow Java 1.x and 0.x (another proto package) are handled alike.
 */
class TracedOptionsTest {

  /** The shape of TensorFlow Java's Session: a private static run with 10 arguments. */
  @SuppressWarnings("unused")
  static final class SessionLike {
    private static RunMetadata run(Object handle, RunOptions options, Object[] inputs,
        Object[] inputOps, int[] inputIndices, Object[] outputOps, int[] outputIndices,
        Object[] targets, boolean wantRunMetadata, List<Object> outputs) {
      return null;
    }
  }

  @Test
  void withoutCallerOptionsANewTracedMessageOfTheSessionsRunOptionsType() {
    Object traced = Bridge.tracedOptions(null, SessionLike.class);
    assertThat(traced).isInstanceOf(RunOptions.class);
    assertThat(((RunOptions) traced).getTraceLevel())
        .isEqualTo(Bridge.profilerTraces() ? TraceLevel.FULL_TRACE : TraceLevel.SOFTWARE_TRACE);
  }

  @Test
  void theCallersOptionsAreCopiedNotChanged() {
    RunOptions caller = RunOptions.newBuilder().setTimeoutInMs(1234).build();
    RunOptions traced = (RunOptions) Bridge.tracedOptions(caller, SessionLike.class);
    assertThat(traced.getTimeoutInMs()).isEqualTo(1234);
    assertThat(traced.getTraceLevel()).isNotEqualTo(TraceLevel.NO_TRACE);
    assertThat(caller.getTraceLevel()).isEqualTo(TraceLevel.NO_TRACE);
  }

  @Test
  void aClassWithoutSuchRunGivesNoOptions() {
    assertThat(Bridge.tracedOptions(null, Object.class)).isNull();
    assertThat(Bridge.tracedOptions(null, null)).isNull();
  }
}
