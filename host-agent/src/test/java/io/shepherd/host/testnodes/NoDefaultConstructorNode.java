package io.shepherd.host.testnodes;

import io.shepherd.node.Node;
import io.shepherd.node.NodeContext;
import io.shepherd.node.Params;

/** A node class Shepherd cannot instantiate. */
public final class NoDefaultConstructorNode implements Node {

  public NoDefaultConstructorNode(String required) {}

  @Override
  public void configure(NodeContext context, Params params) {}

  @Override
  public void start() {}

  @Override
  public void stop() {}
}
