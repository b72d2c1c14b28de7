package io.jouleflow.agent.instrument;

import io.jouleflow.agent.bridge.Bridge;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into {@code Graph.close()}: on entry, while the graph can still be read, the agent may
 * copy it (a graph whose runs the worker has not processed yet; see GraphSnapshots).
 */
public final class GraphCloseAdvice {

  private GraphCloseAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  static void enter(@Advice.This Object graph) {
    Bridge.graphClosing(graph);
  }
}
