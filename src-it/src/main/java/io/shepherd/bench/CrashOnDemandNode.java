package io.shepherd.bench;

import io.shepherd.node.Node;
import io.shepherd.node.NodeContext;
import io.shepherd.node.Params;
import java.util.concurrent.atomic.AtomicReference;

/** A node the restart benchmark crashes on demand, through the context of its running incarnation. */
public final class CrashOnDemandNode implements Node {

  static final AtomicReference<NodeContext> RUNNING = new AtomicReference<>();
  static volatile long constructedAt;
  static volatile long configuredAt;
  static volatile long startedAt;

  private NodeContext context;

  public CrashOnDemandNode() {
    constructedAt = System.nanoTime();
  }

  @Override
  public void configure(NodeContext context, Params params) {
    configuredAt = System.nanoTime();
    this.context = context;
  }

  @Override
  public void start() {
    startedAt = System.nanoTime();
    RUNNING.set(context);
  }

  @Override
  public void stop() {}
}
