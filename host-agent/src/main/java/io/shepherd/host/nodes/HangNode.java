package io.shepherd.host.nodes;

import io.shepherd.node.Node;
import io.shepherd.node.NodeContext;
import io.shepherd.node.Params;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A node that hangs on purpose, to show and test hang detection.
 *
 * <p>Params: {@code deadline} (its keepalive deadline, default 500ms), {@code hang-after} (while
 * running, its thread keeps alive for this long, then blocks; default never), {@code hang-in} (a
 * callback that blocks), {@code hang-for} (how long a blocked callback blocks, default forever),
 * {@code hang-times} (only the first N incarnations hang; default: all).
 */
public final class HangNode implements Node {

  private NodeContext context;
  private Duration deadline;
  private Duration hangAfter;
  private String hangIn;
  private Duration hangFor;
  private boolean hanging;
  private final CountDownLatch released = new CountDownLatch(1);
  private volatile boolean running;
  private Thread worker;

  @Override
  public void configure(NodeContext context, Params params) throws InterruptedException {
    this.context = context;
    this.deadline = params.getDuration("deadline", Duration.ofMillis(500));
    this.hangAfter = params.getDuration("hang-after", Duration.ZERO);
    this.hangIn = params.getString("hang-in", "none").toLowerCase(Locale.ROOT);
    this.hangFor = params.getDuration("hang-for", Duration.ZERO);
    this.hanging = context.incarnation() <= params.getLong("hang-times", Long.MAX_VALUE, 0, Long.MAX_VALUE);
    maybeHang("configure");
  }

  @Override
  public void initialize() throws InterruptedException {
    maybeHang("initialize");
  }

  @Override
  public void start() throws InterruptedException {
    maybeHang("start");
    running = true;
    worker = context.threadFactory().newThread(this::beat);
    worker.start();
  }

  private void beat() {
    long hangAt = hanging && !hangAfter.isZero() ? System.nanoTime() + hangAfter.toNanos() : Long.MAX_VALUE;
    long every = Math.max(1, deadline.toMillis() / 5);
    try {
      while (running) {
        if (System.nanoTime() >= hangAt) {
          context.logger().warn("simulating a deadlock: no more keepalives");
          released.await();
          return;
        }
        context.keepalive();
        Thread.sleep(every);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void stop() throws InterruptedException {
    maybeHang("stop");
    running = false;
    if (worker != null) {
      worker.interrupt();
    }
  }

  @Override
  public void close() throws InterruptedException {
    released.countDown();
    running = false;
    if (worker != null) {
      worker.interrupt();
    }
    maybeHang("close");
  }

  @Override
  public Duration keepaliveDeadline() {
    return deadline;
  }

  private void maybeHang(String callback) throws InterruptedException {
    if (hanging && callback.equals(hangIn)) {
      context.logger().warn("simulating a hang in {}", callback);
      if (hangFor.isZero()) {
        released.await();
      } else {
        released.await(hangFor.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }
}
