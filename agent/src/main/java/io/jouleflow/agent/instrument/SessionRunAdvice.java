package io.jouleflow.agent.instrument;

import io.jouleflow.agent.bridge.Bridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Inlined into {@code private static RunMetadata Session.run(TF_Session, RunOptions, ..., boolean
 * wantRunMetadata, List<Tensor>)}, where every graph-mode run of TensorFlow Java ends.
 *
 * <p>Times every run. On a sampled run it replaces argument 1 (RunOptions) with a traced copy and
 * argument 8 (wantRunMetadata) with true, then on exit takes the RunMetadata bytes and returns
 * null again, so a caller that did not ask for metadata never sees any. Runs whose caller asked
 * for metadata are left as they are (a caller's own trace is read, not changed). TensorFlow
 * types are handled as {@code Object}: this class is never loaded next to TensorFlow, only its
 * bytecode is copied in.
 */
public final class SessionRunAdvice {

  private SessionRunAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  static long enter(
      @Advice.Origin Class<?> session,
      @Advice.Argument(value = 1, readOnly = false, typing = Assigner.Typing.DYNAMIC)
          Object runOptions,
      @Advice.Argument(2) Object[] inputTensors,
      @Advice.Argument(5) Object[] outputOps,
      @Advice.Argument(value = 8, readOnly = false) boolean wantRunMetadata,
      @Advice.Local("jouleflowRunMode") int runMode) {
    long start = System.nanoTime();
    runMode = Bridge.enterRun(start, runOptions, wantRunMetadata,
        outputOps == null ? 0 : outputOps.length, inputTensors);
    int trace = Bridge.traceOf(runMode);
    if (trace == Bridge.TRACE_INJECT) {
      Object traced = Bridge.tracedOptions(runOptions, session);
      if (traced != null) {
        runOptions = traced;
        wantRunMetadata = true;
      } else {
        runMode = Bridge.injectionFailed(runMode);
      }
    } else if (trace == Bridge.TRACE_BORROW) {
      wantRunMetadata = true;
    }
    return start;
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  static void exit(
      @Advice.Enter long startNanos,
      @Advice.Argument(5) Object[] outputOps,
      @Advice.Local("jouleflowRunMode") int runMode,
      @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object runMetadata,
      @Advice.Thrown Throwable thrown) {
    long endNanos = System.nanoTime();
    Object metadata = runMetadata;
    if (Bridge.hidesMetadata(runMode)) {
      runMetadata = null; // the caller did not ask for metadata: it gets none
    }
    byte[] trace = Bridge.traceOf(runMode) == Bridge.TRACE_NONE || thrown != null
        ? null : Bridge.metadataBytes(metadata);
    Bridge.exitRun(runMode, startNanos, endNanos,
        outputOps == null ? 0 : outputOps.length, trace, thrown != null);
  }
}
