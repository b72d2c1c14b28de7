/**
 * Models given as TensorFlow graphs rather than Keras architectures: a SavedModel directory or a
 * binary GraphDef {@code .pb}, loaded with their weights ({@link
 * io.jouleflow.launcher.graph.GraphModel}), their layers detected from the graph, and measured as
 * a whole ({@link io.jouleflow.launcher.graph.GraphMeasurer}).
 *
 * <p>Layers cannot be measured alone here: a layer of a graph is a set of nodes, not something
 * that can be rebuilt by itself with its configuration, as a Keras layer can.
 */
package io.jouleflow.launcher.graph;
