package io.shepherd.host.nodes;

import io.shepherd.node.Node;
import io.shepherd.node.NodeContext;
import io.shepherd.node.Params;

/** A node whose callbacks do nothing: measures Shepherd's own overhead. */
public final class NoopNode implements Node {

  @Override
  public void configure(NodeContext context, Params params) {}

  @Override
  public void start() {}

  @Override
  public void stop() {}
}
