package io.jouleflow.agent.instrument;

import io.jouleflow.agent.bridge.Bridge;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into {@code EagerOperationBuilder.build()} (not its bridge method, or every op would
 * count twice): each eager op executes synchronously inside it on CPU.
 */
public final class EagerOperationAdvice {

  private EagerOperationAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  static long enter() {
    return System.nanoTime();
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  static void exit(@Advice.Enter long startNanos, @Advice.FieldValue("type") String opType) {
    Bridge.eagerOp(opType, startNanos, System.nanoTime());
  }
}
