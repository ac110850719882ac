package io.shepherd.host.internal;

import io.shepherd.host.logs.NodeLogger;
import io.shepherd.node.NodeContext;
import io.shepherd.node.Params;
import io.shepherd.protocol.Checkpoint;
import io.shepherd.protocol.NodePath;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
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
  private final Consumer<Signal> signals;
  private final AtomicReference<Checkpoint> checkpoints;
  private final int maxCheckpointSize;
  private final AtomicLong lastKeepaliveNanos = new AtomicLong(System.nanoTime());
  private final AtomicInteger threads = new AtomicInteger();
  private final AtomicBoolean ready = new AtomicBoolean();
  /** The keepalive deadline the node set at run time since its last start, or null. */
  private final AtomicReference<Duration> keepaliveDeadline = new AtomicReference<>();
  private final List<ExecutorService> pools = new CopyOnWriteArrayList<>();
  private volatile boolean alive = true;

  /** What a node says of itself, from any thread, outside its callbacks; sent only while the incarnation is alive. */
  sealed interface Signal {}

  /** The node reports a failure of its own: a crash. */
  record Failed(String reason, Throwable cause) implements Signal {}

  /** A notification for the node's managers. */
  record Notified(String message) implements Signal {}

  /** A new checkpoint is in the holder. */
  enum Checkpointed implements Signal { INSTANCE }

  /** The node says it is ready. */
  enum Ready implements Signal { INSTANCE }

  /** The node set its keepalive deadline at run time ({@link #ownKeepaliveDeadline}). */
  enum KeepaliveDeadline implements Signal { INSTANCE }

  /** The node asks for {@code more} time to stop, from now. */
  record StopExtended(Duration more) implements Signal {}

  /** The node asks for {@code more} time to become ready, from now. */
  record Extended(Duration more) implements Signal {}

  /** What the node says it is doing; null clears it. */
  record StatusText(String text) implements Signal {}

  /** The most characters of a status text kept. */
  static final int MAX_STATUS_TEXT = 200;

  /**
   * @param checkpoints the holder of the node's latest checkpoint, shared by its incarnations
   */
  RunningContext(NodePath path, String hostId, Params params, int incarnation, Consumer<Signal> signals,
                 AtomicReference<Checkpoint> checkpoints, int maxCheckpointSize) {
    this.path = path;
    this.hostId = hostId;
    this.params = params;
    this.incarnation = incarnation;
    this.logger = loggerFor(path);
    this.signals = signals;
    this.checkpoints = checkpoints;
    this.maxCheckpointSize = maxCheckpointSize;
  }

  /** The logger of a node: named {@code node.<path>}. */
  static Logger loggerFor(NodePath path) {
    return NodeLogger.of(path.toString());
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
  public void ready() {
    if (alive && ready.compareAndSet(false, true)) {
      signals.accept(Ready.INSTANCE);
    }
  }

  /** True once the node said it is ready, since its last start. */
  boolean isReady() {
    return ready.get();
  }

  /** The node starts (again, after a stop): it is to say anew that it is ready, and its own keepalive deadline is gone. */
  void startAgain() {
    ready.set(false);
    keepaliveDeadline.set(null);
  }

  @Override
  public void keepaliveDeadline(Duration deadline) {
    if (deadline == null || deadline.isNegative()) {
      throw new IllegalArgumentException("a keepalive deadline is zero or positive, got " + deadline);
    }
    keepaliveDeadline.set(deadline);
    keepalive();
    if (alive) {
      signals.accept(KeepaliveDeadline.INSTANCE);
    }
  }

  /** The keepalive deadline the node set at run time since its last start, or null. */
  Duration ownKeepaliveDeadline() {
    return keepaliveDeadline.get();
  }

  @Override
  public void extendStartTimeout(Duration more) {
    if (more == null || more.isNegative()) {
      throw new IllegalArgumentException("a start timeout is extended by a positive time, got " + more);
    }
    if (alive && !ready.get()) {
      signals.accept(new Extended(more));
    }
  }

  @Override
  public void extendStopTimeout(Duration more) {
    if (more == null || more.isNegative()) {
      throw new IllegalArgumentException("a stop timeout is extended by a positive time, got " + more);
    }
    if (alive) {
      signals.accept(new StopExtended(more));
    }
  }

  @Override
  public void status(String text) {
    if (alive) {
      String line = text == null || text.isBlank() ? null : text.strip().replace('\n', ' ');
      signals.accept(new StatusText(line == null || line.length() <= MAX_STATUS_TEXT ? line : line.substring(0, MAX_STATUS_TEXT - 3) + "..."));
    }
  }

  @Override
  public void fail(String reason, Throwable cause) {
    if (alive) {
      signals.accept(new Failed(reason == null || reason.isBlank() ? "the node reported a failure" : reason, cause));
    }
  }

  @Override
  public void notify(String message) {
    if (alive) {
      String text = message == null ? "" : message;
      signals.accept(new Notified(text.length() > 1000 ? text.substring(0, 1000) + "..." : text));
    }
  }

  @Override
  public void checkpoint(byte[] state) {
    if (state == null) {
      throw new IllegalArgumentException("checkpoint state is null");
    }
    if (state.length > maxCheckpointSize) {
      throw new IllegalArgumentException("checkpoint of " + state.length + " bytes is larger than "
          + "shepherd.host.max-checkpoint-size (" + maxCheckpointSize + " bytes)");
    }
    if (alive) {
      checkpoints.set(new Checkpoint(state, Instant.now()));
      signals.accept(Checkpointed.INSTANCE);
    }
  }

  @Override
  public Optional<byte[]> lastCheckpoint() {
    return Optional.ofNullable(checkpoints.get()).map(Checkpoint::data);
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
  public ExecutorService monitoredExecutor(String name, int threads, Duration deadline) {
    if (name == null || name.isBlank() || threads < 1 || threads > 1024 || deadline == null || deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("a monitored pool needs a name, 1 to 1024 threads and a deadline above 0, got " + name + ", "
          + threads + ", " + deadline);
    }
    MonitoredPool pool = new MonitoredPool(name, threads, deadline, threadFactory(), reason -> fail(reason, null));
    pools.add(pool);
    if (!alive) {
      pool.shutdownNow();
    }
    return pool;
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

  /** Ends this incarnation: from now on its reports are ignored, and its monitored pools are shut down. */
  void end() {
    alive = false;
    pools.forEach(ExecutorService::shutdownNow);
  }
}
