package io.jouleflow.agent.instrument;

import io.jouleflow.agent.bridge.Bridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Inlined into DJL's {@code public static SavedModelBundle JavacppUtils.loadSavedModelBundle(
 * String exportDir, String[] tags, ConfigProto, RunOptions)}, which DJL's TensorFlow engine
 * loads every model with: the export directory names the model, as for TensorFlow Java's own
 * {@code SavedModelBundle.load}.
 */
public final class DjlLoadAdvice {

  private DjlLoadAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  static void exit(
      @Advice.Argument(0) String exportDir,
      @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object bundle) {
    Bridge.savedModelLoaded(bundle, exportDir);
  }
}
