package io.shepherd.host.internal;

import io.shepherd.node.NodeContext;
import io.shepherd.node.Params;
import io.shepherd.protocol.NodePath;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The {@link NodeContext} of one incarnation of a node. Thread-safe: node threads call it while the
 * runner reads it. Once {@link #end() ended}, reports from the node are ignored.
 */
final class RunningContext implements NodeContext {

  private final NodePath path;
  private final String hostId;
  private final Params params;
  private final int incarnation;
  private final Logger logger;
  private final BiConsumer<String, Throwable> onFailure;
  private final AtomicLong lastKeepaliveNanos = new AtomicLong(System.nanoTime());
  private final AtomicInteger threads = new AtomicInteger();
  private volatile boolean alive = true;

  /**
   * @param onFailure called (from any thread) with the reason and cause of a failure the node
   *     reports, while this incarnation is alive
   */
  RunningContext(NodePath path, String hostId, Params params, int incarnation, BiConsumer<String, Throwable> onFailure) {
    this.path = path;
    this.hostId = hostId;
    this.params = params;
    this.incarnation = incarnation;
    this.logger = loggerFor(path);
    this.onFailure = onFailure;
  }

  /** The logger of a node: named {@code node.<path>}. */
  static Logger loggerFor(NodePath path) {
    return LoggerFactory.getLogger("node." + path);
  }

  @Override
  public NodePath path() {
    return path;
  }

  @Override
  public String hostId() {
    return hostId;
  }

  @Override
  public Params params() {
    return params;
  }

  @Override
  public Logger logger() {
    return logger;
  }

  @Override
  public void keepalive() {
    lastKeepaliveNanos.set(System.nanoTime());
  }

  @Override
  public void fail(String reason, Throwable cause) {
    if (alive) {
      onFailure.accept(reason == null || reason.isBlank() ? "the node reported a failure" : reason, cause);
    }
  }

  @Override
  public ThreadFactory threadFactory() {
    return runnable -> {
      Thread thread = new Thread(() -> {
        MDC.put(MDC_NODE, path.toString());
        runnable.run();
      }, "node-" + path + "-" + incarnation + "-" + threads.incrementAndGet());
      thread.setDaemon(true);
      thread.setUncaughtExceptionHandler((t, e) -> {
        MDC.put(MDC_NODE, path.toString());
        logger.error("uncaught exception in node thread {}", t.getName(), e);
        fail("uncaught " + e.getClass().getSimpleName() + " in thread " + t.getName() + ": " + e.getMessage(), e);
      });
      return thread;
    };
  }

  @Override
  public int incarnation() {
    return incarnation;
  }

  boolean alive() {
    return alive;
  }

  /** Restarts the keepalive clock, e.g. when the node enters RUNNING. */
  void resetKeepalive() {
    lastKeepaliveNanos.set(System.nanoTime());
  }

  long nanosSinceKeepalive() {
    return System.nanoTime() - lastKeepaliveNanos.get();
  }

  /** Ends this incarnation: from now on its reports are ignored. */
  void end() {
    alive = false;
  }
}
