package io.jouleflow.predictor.attribution;

import io.jouleflow.predictor.layers.TrainingGraph;
import io.jouleflow.predictor.trace.NodeRecord;
import java.util.List;

/**
 * Training steps and the pseudo-layers their non-model work goes to. A traced run is a training
 * step when it executed a backward op (a {@code gradients/} node, a {@code *Grad} or {@code
 * *Backprop*} op) or an optimizer update ({@code ApplyAdam}, {@code ResourceApply*}).
 */
public final class TrainingSteps {

  /** Optimizer updates and what runs only for them (slots, beta powers, the minimize op). */
  public static final LayerRef OPTIMIZER = new LayerRef("_optimizer", "Optimizer");

  /** The loss and what computes it from the labels (one-hot labels, cross entropy, mean). */
  public static final LayerRef LOSS = new LayerRef("_loss", "Loss");

  /** Backward ops whose forward layer cannot be told (gradient seeds, shape helpers). */
  public static final LayerRef BACKWARD = new LayerRef("_backward", "Backward");

  private TrainingSteps() {}

  /** Whether a traced run trained: it ran a backward op or an optimizer update. */
  public static boolean isTrainingStep(List<NodeRecord> nodes) {
    for (NodeRecord n : nodes) {
      if (TrainingGraph.isBackwardName(n.node()) || TrainingGraph.isOptimizerOp(n.opType())
          || TrainingGraph.isGradientOp(n.opType())) {
        return true;
      }
    }
    return false;
  }
}
