package io.shepherd.host.testnodes;

import io.shepherd.node.Node;
import io.shepherd.node.NodeContext;
import io.shepherd.node.Params;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Declares no keepalive deadline; {@code set-after} (a duration) after {@code start()} returned,
 * once RUNNING, checks that a negative deadline is refused, sets {@code deadline} (a duration), and
 * never calls keepalive().
 */
public final class OwnDeadlineNode implements Node {

  private NodeContext context;
  private Duration deadline;
  private Duration setAfter;

  @Override
  public void configure(NodeContext context, Params params) {
    this.context = context;
    this.deadline = params.getDuration("deadline", Duration.ofMillis(300));
    this.setAfter = params.getDuration("set-after", Duration.ofMillis(300));
  }

  @Override
  public void start() {
    context.threadFactory().newThread(() -> {
      try {
        TimeUnit.NANOSECONDS.sleep(setAfter.toNanos());
      } catch (InterruptedException e) {
        return;
      }
      try {
        context.keepaliveDeadline(Duration.ofMillis(-1));
        context.fail("a negative keepalive deadline was taken", null);
      } catch (IllegalArgumentException expected) {
        context.keepaliveDeadline(deadline);
      }
    }).start();
  }

  @Override
  public void stop() {}
}
