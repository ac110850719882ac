package io.shepherd.host.testnodes;

import io.shepherd.node.Node;
import io.shepherd.node.NodeContext;
import io.shepherd.node.Params;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import org.slf4j.MDC;

/**
 * Works on a monitored pool (deadline {@code deadline-ms}): a short task every 20 ms, which records
 * the MDC node of the pool's thread in {@link #SEEN}; with {@code stick=true}, its first task blocks
 * for good.
 */
public final class PoolNode implements Node {

  public static final Map<String, String> SEEN = new ConcurrentHashMap<>();

  private NodeContext context;
  private boolean stick;
  private long deadlineMs;
  private ExecutorService pool;
  private Thread feeder;

  @Override
  public void configure(NodeContext context, Params params) {
    this.context = context;
    this.stick = params.getBoolean("stick", false);
    this.deadlineMs = params.getInt("deadline-ms", 300);
  }

  @Override
  public void start() {
    pool = context.monitoredExecutor("work", 1, Duration.ofMillis(deadlineMs));
    if (stick) {
      CountDownLatch never = new CountDownLatch(1);
      pool.execute(() -> {
        try {
          never.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
    }
    feeder = context.threadFactory().newThread(() -> {
      while (!Thread.currentThread().isInterrupted() && !pool.isShutdown()) {
        pool.execute(() -> SEEN.put(context.path().toString(), String.valueOf(MDC.get(NodeContext.MDC_NODE))));
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    feeder.start();
  }

  @Override
  public void stop() {
    feeder.interrupt();
    pool.shutdownNow();
  }
}
