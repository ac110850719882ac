package io.shepherd.host.internal.process;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Daemon threads for work that waits on one process (its exit, its output): as many as there are
 * tasks, each idle thread kept a minute, so that a replacement process, or a hundred started at
 * once after a hundred ended, reuses threads instead of starting new ones (about a millisecond a
 * thread on a busy 2-core machine, measured).
 */
final class IdlePool {

  private IdlePool() {}

  /** A pool whose threads are named {@code name} while idle (a task may rename its thread while it runs). */
  static ExecutorService named(String name) {
    return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), task -> {
      Thread thread = new Thread(task, name);
      thread.setDaemon(true);
      return thread;
    });
  }
}
