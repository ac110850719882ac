package io.shepherd.host.internal;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A node's monitored thread pool (EXOS's {@code MonitoredThreadPool}): fixed threads that carry the
 * node's path in their MDC; while it has work (queued or running) and completes none of it within
 * its deadline, the node is hung ({@code pool-stuck}), which is a crash of the node. Checked every
 * quarter of the deadline on one shared timer thread.
 */
final class MonitoredPool extends ThreadPoolExecutor {

  private static final ScheduledExecutorService WATCH = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "shepherd-pool-watch");
    thread.setDaemon(true);
    return thread;
  });

  private final String name;
  private final Duration deadline;
  private final Consumer<String> stuck;
  private final AtomicLong completed = new AtomicLong();
  private final ScheduledFuture<?> watch;
  private long seenCompleted;
  private long progressNanos = System.nanoTime();
  private boolean reported;

  /** @param stuck told once, with why, when the pool is stuck */
  MonitoredPool(String name, int threads, Duration deadline, ThreadFactory threadFactory, Consumer<String> stuck) {
    super(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), threadFactory);
    this.name = name;
    this.deadline = deadline;
    this.stuck = stuck;
    long every = Math.max(TimeUnit.MILLISECONDS.toNanos(10), deadline.toNanos() / 4);
    this.watch = WATCH.scheduleWithFixedDelay(this::check, every, every, TimeUnit.NANOSECONDS);
  }

  @Override
  protected void afterExecute(Runnable task, Throwable error) {
    completed.incrementAndGet();
  }

  /** Work waiting or running, and nothing completed within the deadline: stuck. */
  private synchronized void check() {
    if (isShutdown()) {
      watch.cancel(false);
      return;
    }
    long now = System.nanoTime();
    long done = completed.get();
    int waiting = getQueue().size();
    int running = getActiveCount();
    if (done != seenCompleted || waiting + running == 0) {
      seenCompleted = done;
      progressNanos = now;
      return;
    }
    if (!reported && now - progressNanos > deadline.toNanos()) {
      reported = true;
      stuck.accept("pool-stuck: pool " + name + " completed no task for " + TimeUnit.NANOSECONDS.toMillis(now - progressNanos)
          + " ms (deadline " + deadline.toMillis() + " ms) with " + running + " running and " + waiting + " waiting");
    }
  }

  @Override
  protected void terminated() {
    watch.cancel(false);
  }
}
