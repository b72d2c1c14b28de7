package io.jouleflow.agent.instrument;

import io.jouleflow.agent.bridge.Bridge;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into {@code Session$Runner.runHelper(boolean)}: tells the bridge which Session (the
 * runner's outer instance) and which fetch names the following {@code Session.run} belongs to.
 */
public final class RunnerAdvice {

  private RunnerAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  static void enter(
      @Advice.FieldValue("this$0") Object session,
      @Advice.FieldValue("outputNames") Object fetchNames) {
    Bridge.enterRunner(session, fetchNames);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  static void exit() {
    Bridge.exitRunner();
  }
}
