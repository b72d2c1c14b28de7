/**
 * Keras architectures to measure and to train on, as {@link
 * io.jouleflow.predictor.keras.KerasModel}s: the {@link io.jouleflow.launcher.zoo.ModelZoo} of
 * the 23 Keras applications the paper's list names (VGG, ResNet v1/v2, Inception, Xception,
 * MobileNet v1/v2/v3, DenseNet, NASNetMobile, EfficientNetB0-B3), {@link
 * io.jouleflow.launcher.zoo.RandomArchitectures} for sampled ones, and the {@link
 * io.jouleflow.launcher.zoo.ModelBuilder} both are written with.
 *
 * <p>The architectures are translated from Keras 2's {@code keras.applications} sources (layer
 * sequence, names, configs), not loaded: nothing here needs Python, TensorFlow or weights. One
 * family per file ({@code ResNets}, {@code MobileNets}, ...), each reading like the Keras code it
 * mirrors.
 */
package io.jouleflow.launcher.zoo;
