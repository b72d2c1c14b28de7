package io.jouleflow.meters;

/**
 * Energy one device used between two {@link System#nanoTime()} instants, as read from an {@link
 * EnergyTimeline}.
 *
 * @param joules energy in the window (over the covered part only, when {@code covered} is false)
 * @param errorBoundJoules how far {@code joules} may be from the truth; see {@link
 *     EnergyTimeline#energyBetween}
 * @param covered true when the timeline holds samples at or before {@code startNanos} and at or
 *     after {@code endNanos}; false when the window starts before the oldest sample kept (evicted,
 *     or before sampling began) or ends after the newest one (ask again after the next sample)
 */
public record EnergyWindow(
    Device device,
    MeterSource source,
    long startNanos,
    long endNanos,
    double joules,
    double errorBoundJoules,
    boolean covered) {}
