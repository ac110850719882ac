package io.shepherd.host.internal;

import static org.junit.jupiter.api.Assertions.fail;

import akka.actor.testkit.typed.javadsl.TestProbe;
import io.shepherd.protocol.NodeStatus;
import java.time.Duration;
import java.util.function.Predicate;

/** Waiting for what a runner reports, in the runner tests. */
final class RunnerEvents {

  private RunnerEvents() {}

  /** The first status reported that matches, skipping earlier events; fails after {@code wait}. */
  static NodeStatus awaitStatus(TestProbe<NodeEvent> events, Duration wait, Predicate<NodeStatus> condition) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      Duration left = Duration.ofNanos(deadline - System.nanoTime());
      if (left.isNegative()) {
        fail("no matching status within " + wait);
      }
      NodeEvent event = events.receiveMessage(left);
      if (event instanceof NodeEvent.StatusChanged changed && condition.test(changed.status())) {
        return changed.status();
      }
    }
  }
}
