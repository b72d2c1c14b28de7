package io.jouleflow.agent.instrument;

import io.jouleflow.agent.bridge.CApiRuns;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the end of DJL's {@code TfOpExecutor(TfNDManager, TFE_Context, String opType)}: the
 * op type is not kept by the executor, so the bridge remembers it for the build that follows.
 */
public final class DjlOpCreatedAdvice {

  private DjlOpCreatedAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  static void exit(@Advice.This Object executor, @Advice.Argument(2) String opType) {
    CApiRuns.opCreated(executor, opType);
  }
}
