package io.jouleflow.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jouleflow.agent.bridge.CApiRuns;
import io.jouleflow.agent.log.AgentLog;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.asm.MemberSubstitution;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.pool.TypePool;

/**
 * In DJL's {@code JavacppUtils.runSession}, replaces the call of the native {@code
 * TF_SessionRun} with {@link CApiRuns#sessionRun}, which makes the same call and can pass a
 * RunMetadata buffer where DJL passes null: advice alone cannot change that argument, and native
 * methods cannot be advised. The replacement is described from the agent's class files, and
 * called on the bootstrap class path like the rest of the bridge.
 */
final class DjlSessionRunSubstitution {

  private DjlSessionRunSubstitution() {}

  /** The transformer; one that changes nothing if the replacement cannot be described. */
  static AgentBuilder.Transformer of(ClassLoader agentLoader) {
    MethodDescription.InDefinedShape target;
    try {
      target = TypePool.Default.of(ClassFileLocator.ForClassLoader.of(agentLoader))
          .describe(CApiRuns.class.getName()).resolve().getDeclaredMethods()
          .filter(named("sessionRun")).getOnly();
    } catch (RuntimeException e) {
      AgentLog.warn("DJL's TensorFlow runs cannot be traced (" + e + "); they are still timed");
      return (builder, type, loader, module, domain) -> builder;
    }
    AsmVisitorWrapper substitution = MemberSubstitution.relaxed()
        .method(named("TF_SessionRun").and(isStatic()).and(takesArguments(12)))
        .replaceWithChain(MemberSubstitution.Substitution.Chain.Step.ForDelegation.to(target))
        .on(named("runSession").and(isStatic()).and(takesArguments(8)));
    return (builder, type, loader, module, domain) -> builder.visit(substitution);
  }
}
