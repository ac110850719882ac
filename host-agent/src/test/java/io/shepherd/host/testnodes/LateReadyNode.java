package io.shepherd.host.testnodes;

import io.shepherd.node.Node;
import io.shepherd.node.NodeContext;
import io.shepherd.node.Params;
import java.util.concurrent.TimeUnit;

/** Says it is ready {@code ready-after-ms} after {@code start()} returned, from a thread of its own, with a status text before. */
public final class LateReadyNode implements Node {

  private NodeContext context;
  private long readyAfterMs;

  @Override
  public void configure(NodeContext context, Params params) {
    this.context = context;
    this.readyAfterMs = params.getInt("ready-after-ms", 300);
  }

  @Override
  public void start() {
    context.status("warming up");
    context.threadFactory().newThread(() -> {
      try {
        TimeUnit.MILLISECONDS.sleep(readyAfterMs);
      } catch (InterruptedException e) {
        return;
      }
      context.status("taking data");
      context.ready();
    }).start();
  }

  @Override
  public void stop() {}
}
