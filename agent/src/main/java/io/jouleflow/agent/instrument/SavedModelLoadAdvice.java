package io.jouleflow.agent.instrument;

import io.jouleflow.agent.bridge.Bridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Inlined into {@code private static SavedModelBundle SavedModelBundle.load(String exportDir,
 * String[] tags, ConfigProto, RunOptions)}, which every public load path calls: the export
 * directory names the model.
 */
public final class SavedModelLoadAdvice {

  private SavedModelLoadAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  static void exit(
      @Advice.Argument(0) String exportDir,
      @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object bundle) {
    Bridge.savedModelLoaded(bundle, exportDir);
  }
}
