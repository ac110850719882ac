package io.shepherd.host.nodes;

import io.shepherd.node.Node;
import io.shepherd.node.NodeContext;
import io.shepherd.node.Params;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A counter/recorder: counts ticks at {@code rate} per second while running and records the count
 * in its log every {@code report-every}. It checkpoints the count every {@code checkpoint-every},
 * so the count survives stop and start, a restart, and a move to another host (up to the last
 * checkpoint).
 *
 * <p>Params: {@code rate} (ticks/s, 1 to 10000, default 10), {@code report-every} (default 5s),
 * {@code checkpoint-every} (default 1s).
 */
public final class CounterNode implements Node {

  private NodeContext context;
  private int rate;
  private Duration reportEvery;
  private Duration checkpointEvery;
  private final AtomicLong count = new AtomicLong();
  private ScheduledExecutorService ticker;

  @Override
  public void configure(NodeContext context, Params params) {
    this.context = context;
    this.rate = (int) params.getLong("rate", 10, 1, 10_000);
    this.reportEvery = params.getDuration("report-every", Duration.ofSeconds(5));
    this.checkpointEvery = params.getDuration("checkpoint-every", Duration.ofSeconds(1));
    context.lastCheckpoint().ifPresent(saved -> {
      count.set(ByteBuffer.wrap(saved).getLong());
      context.logger().info("resuming from checkpoint at count {}", count.get());
    });
  }

  @Override
  public void start() {
    ticker = Executors.newSingleThreadScheduledExecutor(context.threadFactory());
    ticker.scheduleAtFixedRate(count::incrementAndGet, 0, 1_000_000 / rate, TimeUnit.MICROSECONDS);
    ticker.scheduleAtFixedRate(() -> context.logger().info("count {}", count.get()),
        reportEvery.toMillis(), reportEvery.toMillis(), TimeUnit.MILLISECONDS);
    if (!checkpointEvery.isZero()) {
      ticker.scheduleAtFixedRate(this::checkpoint, checkpointEvery.toMillis(), checkpointEvery.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void checkpoint() {
    context.checkpoint(ByteBuffer.allocate(Long.BYTES).putLong(count.get()).array());
  }

  @Override
  public void stop() throws InterruptedException {
    ticker.shutdownNow();
    ticker.awaitTermination(5, TimeUnit.SECONDS);
    checkpoint();
    context.logger().info("stopped at count {}", count.get());
  }

  @Override
  public void close() throws InterruptedException {
    if (ticker != null && !ticker.isShutdown()) {
      stop();
    }
  }
}
