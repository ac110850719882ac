package io.shepherd.host.testnodes;

import io.shepherd.node.Node;
import io.shepherd.node.NodeContext;
import io.shepherd.node.Params;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A stop() that first asks for {@code extend} (a duration, none if absent) more time, then takes {@code stop-takes}. */
public final class SlowStopNode implements Node {

  private NodeContext context;
  private Duration extend;
  private Duration takes;

  @Override
  public void configure(NodeContext context, Params params) {
    this.context = context;
    this.extend = params.getDuration("extend", Duration.ZERO);
    this.takes = params.getDuration("stop-takes", Duration.ofMillis(1500));
  }

  @Override
  public void start() {}

  @Override
  public void stop() throws InterruptedException {
    if (!extend.isZero()) {
      context.extendStopTimeout(extend);
    }
    TimeUnit.NANOSECONDS.sleep(takes.toNanos());
    context.status("stopped after " + takes.toMillis() + " ms");
  }
}
