package io.jouleflow.predictor.attribution;

import io.jouleflow.predictor.trace.NodeRecord;
import java.util.List;

/** Says which layer each executed node of a traced run belongs to. One per model. */
public interface LayerResolver {

  /**
   * The layer of each node, in the same order; null for executor infrastructure ({@code
   * _SOURCE}, {@code _arg_*}, {@code _retval_*}), whose time is unattributed.
   */
  List<LayerRef> resolve(List<NodeRecord> nodes);
}
