package io.jouleflow.agent.instrument;

import io.jouleflow.agent.bridge.CApiRuns;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into DJL's {@code TfOpExecutor.buildRawPointer(int)}, where every eager NDArray op of
 * DJL's TensorFlow engine executes ({@code TFE_Execute}), synchronously on CPU: counted and timed
 * by op type, as TensorFlow Java's own eager ops.
 */
public final class DjlOpExecutedAdvice {

  private DjlOpExecutedAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  static long enter() {
    return System.nanoTime();
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  static void exit(@Advice.Enter long startNanos, @Advice.This Object executor) {
    CApiRuns.opExecuted(executor, startNanos, System.nanoTime());
  }
}
