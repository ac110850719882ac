package io.shepherd.host.internal;

import akka.dispatch.DispatcherPrerequisites;
import akka.dispatch.ExecutorServiceConfigurator;
import akka.dispatch.ExecutorServiceFactory;
import com.typesafe.config.Config;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor of {@code shepherd.host.node-dispatcher}: a thread for every callback in flight,
 * reused when idle. A fixed pool would let a few hung or blocking nodes starve every other node
 * of the host; this one cannot, and idle threads end after {@code idle-thread-timeout}.
 */
public final class NodeThreadPoolConfigurator extends ExecutorServiceConfigurator {

  private final long idleNanos;

  public NodeThreadPoolConfigurator(Config config, DispatcherPrerequisites prerequisites) {
    super(config, prerequisites);
    this.idleNanos = config.getDuration("idle-thread-timeout").toNanos();
  }

  @Override
  public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory threadFactory) {
    AtomicInteger count = new AtomicInteger();
    ThreadFactory named = runnable -> {
      Thread thread = threadFactory.newThread(runnable);
      thread.setName("shepherd-node-" + count.incrementAndGet());
      return thread;
    };
    return () -> new ThreadPoolExecutor(0, Integer.MAX_VALUE, idleNanos, TimeUnit.NANOSECONDS,
        new SynchronousQueue<>(), named);
  }
}
