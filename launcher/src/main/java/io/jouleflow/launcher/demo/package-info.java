/**
 * The pieces of {@code jouleflow demo} (the verb itself is {@code cli.DemoCommand}).
 *
 * <ul>
 *   <li>{@link io.jouleflow.launcher.demo.BuildOutputs}: the project root and the agent jar,
 *       examples jar and class path that {@code mvn -B -DskipTests package} leaves there.
 *   <li>{@link io.jouleflow.launcher.demo.ServiceProcess}: the example service in a child JVM with
 *       the agent; its logs, its readiness, stopping it.
 *   <li>{@link io.jouleflow.launcher.demo.PredictRun}: {@code jouleflow predict} in a child JVM,
 *       TensorFlow's native log lines filtered out.
 *   <li>{@link io.jouleflow.launcher.demo.LoadDriver}: sequential requests for a fixed time.
 *   <li>{@link io.jouleflow.launcher.demo.PrometheusText}: the Prometheus text format, parsed.
 *   <li>{@link io.jouleflow.launcher.demo.DemoReport}: observed next to predicted, per layer.
 * </ul>
 */
package io.jouleflow.launcher.demo;
