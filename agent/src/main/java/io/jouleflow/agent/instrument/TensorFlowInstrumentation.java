package io.jouleflow.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isPrivate;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jouleflow.agent.log.AgentLog;
import java.lang.instrument.Instrumentation;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.utility.JavaModule;

/**
 * The TensorFlow Java entry points the agent instruments, in one place: TensorFlow Java 1.x's own,
 * and DJL's TensorFlow engine's Java wrappers of the C API (JavacppUtils, TfOpExecutor) — DJL's
 * Java methods, not JavaCPP's native ones, which advice cannot reach (TensorFlow Java 1.x calls
 * the same natives through its own classes, so no run is counted twice). Advice is referred
 * to by name and read as bytecode from the agent's class loader, so TensorFlow types in advice
 * signatures never need to resolve in the agent's loader.
 */
public final class TensorFlowInstrumentation {

  private static final String SESSION = "org.tensorflow.Session";
  private static final String RUNNER = "org.tensorflow.Session$Runner";
  private static final String SAVED_MODEL = "org.tensorflow.SavedModelBundle";
  private static final String EAGER_BUILDER = "org.tensorflow.EagerOperationBuilder";
  private static final String GRAPH = "org.tensorflow.Graph";
  /** DJL's TensorFlow engine: its Java wrappers around the C API. */
  private static final String DJL_UTILS = "ai.djl.tensorflow.engine.javacpp.JavacppUtils";
  private static final String DJL_OP_EXECUTOR = "ai.djl.tensorflow.engine.TfOpExecutor";

  private final Set<String> instrumented = ConcurrentHashMap.newKeySet();

  /** Installs the transformations; retransforms TensorFlow classes that are already loaded. */
  public ResettableClassFileTransformer install(Instrumentation inst) {
    ClassLoader agentLoader = TensorFlowInstrumentation.class.getClassLoader();
    // Advice exceptions are always swallowed; with -Djouleflow.debug=true they are also printed.
    Advice.ExceptionHandler handler = Boolean.getBoolean("jouleflow.debug")
        ? Advice.ExceptionHandler.Default.PRINTING
        : Advice.ExceptionHandler.Default.SUPPRESSING;
    return new AgentBuilder.Default()
        .disableClassFormatChanges()
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
        .with(new Listener())
        .ignore(not(nameStartsWith("org.tensorflow.").or(named(DJL_UTILS)).or(named(DJL_OP_EXECUTOR))))
        .type(named(SESSION))
        .transform(
            new AgentBuilder.Transformer.ForAdvice()
                .include(agentLoader)
                .withExceptionHandler(handler)
                .advice(
                    named("run").and(isStatic()).and(isPrivate()).and(takesArguments(10)),
                    SessionRunAdvice.class.getName()))
        .type(named(RUNNER))
        .transform(
            new AgentBuilder.Transformer.ForAdvice()
                .include(agentLoader)
                .withExceptionHandler(handler)
                .advice(
                    named("runHelper").and(takesArguments(1)), RunnerAdvice.class.getName()))
        .type(named(SAVED_MODEL))
        .transform(
            new AgentBuilder.Transformer.ForAdvice()
                .include(agentLoader)
                .withExceptionHandler(handler)
                .advice(
                    named("load").and(isStatic()).and(isPrivate()).and(takesArguments(4)),
                    SavedModelLoadAdvice.class.getName()))
        .type(named(EAGER_BUILDER))
        .transform(
            new AgentBuilder.Transformer.ForAdvice()
                .include(agentLoader)
                .withExceptionHandler(handler)
                .advice(
                    named("build").and(takesArguments(0)).and(not(isBridge())),
                    EagerOperationAdvice.class.getName()))
        .type(named(GRAPH))
        .transform(
            new AgentBuilder.Transformer.ForAdvice()
                .include(agentLoader)
                .withExceptionHandler(handler)
                .advice(
                    named("close").and(takesArguments(0)).and(not(isStatic())),
                    GraphCloseAdvice.class.getName()))
        .type(named(DJL_UTILS))
        .transform(
            new AgentBuilder.Transformer.ForAdvice()
                .include(agentLoader)
                .withExceptionHandler(handler)
                .advice(
                    named("runSession").and(isStatic()).and(takesArguments(8)),
                    DjlRunAdvice.class.getName())
                .advice(
                    named("loadSavedModelBundle").and(isStatic()).and(takesArguments(4)),
                    DjlLoadAdvice.class.getName()))
        .transform(DjlSessionRunSubstitution.of(agentLoader))
        .type(named(DJL_OP_EXECUTOR))
        .transform(
            new AgentBuilder.Transformer.ForAdvice()
                .include(agentLoader)
                .withExceptionHandler(handler)
                .advice(isConstructor().and(takesArguments(3)), DjlOpCreatedAdvice.class.getName())
                .advice(
                    named("buildRawPointer").and(takesArguments(1)),
                    DjlOpExecutedAdvice.class.getName()))
        .installOn(inst);
  }

  /** Names of the TensorFlow classes transformed so far (for logs and tests). */
  public Set<String> instrumented() {
    return instrumented;
  }

  private final class Listener extends AgentBuilder.Listener.Adapter {
    @Override
    public void onTransformation(
        TypeDescription type,
        ClassLoader loader,
        JavaModule module,
        boolean loaded,
        net.bytebuddy.dynamic.DynamicType dynamicType) {
      if (instrumented.add(type.getName() + "@" + System.identityHashCode(loader))) {
        AgentLog.debug("instrumented " + type.getName() + (loaded ? " (retransformed)" : ""));
      }
    }

    @Override
    public void onError(
        String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
      AgentLog.warn(
          "could not instrument " + typeName + ": " + error + " (that entry point is not measured)");
    }
  }
}
