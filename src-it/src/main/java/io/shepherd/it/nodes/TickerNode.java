package io.shepherd.it.nodes;

import io.shepherd.node.Node;
import io.shepherd.node.NodeContext;
import io.shepherd.node.Params;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.LoggerFactory;

/**
 * A node for the log tests and benchmarks: from its own thread, logs "tick N" for N = 1 to
 * {@code count} at {@code rate} records per second (0: as fast as it can); with {@code debug}, each tick also logs two
 * DEBUG records, one with its node logger and one with a logger of its class. With {@code throw-at} > 0, an
 * uncaught exception ends its thread at that tick.
 */
public final class TickerNode implements Node {

  private NodeContext context;
  private long count;
  private long rate;
  private long throwAt;
  private boolean debug;
  private volatile boolean running;
  private Thread thread;

  @Override
  public void configure(NodeContext context, Params params) {
    this.context = context;
    this.count = params.getLong("count", 1000, 1, Long.MAX_VALUE);
    this.rate = params.getLong("rate", 100, 0, 10_000_000);
    this.throwAt = params.getLong("throw-at", 0, 0, Long.MAX_VALUE);
    this.debug = params.getBoolean("debug", false);
  }

  @Override
  public void start() {
    running = true;
    thread = context.threadFactory().newThread(this::tick);
    thread.start();
  }

  private void tick() {
    long period = rate == 0 ? 0 : 1_000_000_000L / rate;
    long next = System.nanoTime();
    for (long n = 1; n <= count && running; n++) {
      if (n == throwAt) {
        throw new IllegalStateException("ticker " + context.path() + " broke at tick " + n);
      }
      context.logger().info("tick {}", n);
      if (debug) {
        context.logger().debug("debug tick {}", n);
        LoggerFactory.getLogger(TickerNode.class).debug("class logger tick {}", n);
      }
      if (period > 0) {
        next += period;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
      }
    }
    context.logger().info("ticker done");
  }

  @Override
  public void stop() throws InterruptedException {
    running = false;
    if (thread != null) {
      thread.join(5000);
    }
  }
}
