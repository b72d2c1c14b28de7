package io.jouleflow.agent.instrument;

import io.jouleflow.agent.bridge.Bridge;
import io.jouleflow.agent.bridge.CApiRuns;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Inlined into DJL's {@code public static TF_Tensor[] JavacppUtils.runSession(TF_Session,
 * RunOptions, TF_Tensor[] inputs, TF_Operation[], int[], TF_Operation[] outputs, int[],
 * TF_Operation[] targets)}, where every run of DJL's TensorFlow engine calls {@code
 * TF_SessionRun}. Times every run; on a sampled run it replaces argument 1 (RunOptions, null
 * from DJL) with a traced copy, and the substituted {@code TF_SessionRun} call (see {@link
 * CApiRuns#sessionRun}) takes the metadata. The caller's outputs are untouched.
 */
public final class DjlRunAdvice {

  private DjlRunAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  static long enter(
      @Advice.Origin Class<?> utils,
      @Advice.Argument(0) Object session,
      @Advice.Argument(value = 1, readOnly = false, typing = Assigner.Typing.DYNAMIC)
          Object runOptions,
      @Advice.Argument(2) Object[] inputTensors,
      @Advice.Argument(5) Object[] outputOps,
      @Advice.Local("jouleflowRunMode") int runMode) {
    long start = System.nanoTime();
    runMode = CApiRuns.enter(start, session, runOptions, inputTensors,
        outputOps == null ? 0 : outputOps.length);
    if (Bridge.traceOf(runMode) == Bridge.TRACE_INJECT) {
      Object traced = Bridge.tracedOptions(runOptions, utils);
      if (traced != null) {
        runOptions = traced;
      } else {
        runMode = CApiRuns.injectionFailed(runMode);
      }
    }
    return start;
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  static void exit(
      @Advice.Enter long startNanos,
      @Advice.Argument(5) Object[] outputOps,
      @Advice.Local("jouleflowRunMode") int runMode,
      @Advice.Thrown Throwable thrown) {
    CApiRuns.exit(runMode, startNanos, System.nanoTime(),
        outputOps == null ? 0 : outputOps.length, thrown != null);
  }
}
