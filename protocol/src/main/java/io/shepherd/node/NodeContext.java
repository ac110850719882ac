package io.shepherd.node;

import io.shepherd.protocol.NodePath;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;

/**
 * What Shepherd gives a node: its identity, its params, a logger tagged with its path, and the
 * means to report health. Every method is safe to call from any thread. After the node's
 * incarnation has ended (it crashed, or was closed), calls are ignored.
 */
public interface NodeContext {

  /** The node's path, e.g. {@code daq1/acq/sine}. */
  NodePath path();

  /** The id of the host the node runs on. */
  String hostId();

  /** The params given at creation. */
  Params params();

  /**
   * A logger whose records carry the node's path: in the MDC key {@value #MDC_NODE} and in the
   * logger name, which is {@code node.<path>}.
   */
  Logger logger();

  /** Proves the node is alive; required within {@link Node#keepaliveDeadline()} while RUNNING. */
  void keepalive();

  /**
   * Says the node is ready (EXOS's {@code ready()}, systemd's {@code READY=1}): a node whose
   * readiness is {@code explicit} is STARTING after {@code start()} returns, and RUNNING from this
   * call on (it may come during {@code start()}); for other nodes it does nothing. Once per
   * incarnation; later calls are ignored.
   */
  void ready();

  /**
   * Asks for more time to become ready (systemd's {@code EXTEND_TIMEOUT_USEC}): while STARTING,
   * the node now has {@code more} from this call on, instead of what was left of its start
   * timeout. Ignored once the node is ready.
   */
  void extendStartTimeout(Duration more);

  /**
   * Asks for more time to stop (systemd's {@code EXTEND_TIMEOUT_USEC} while a service stops): while
   * {@code stop()} runs, it now has {@code more} (and the margin its callback timeout has) from this
   * call on; for a process node, that is more time between SIGTERM and SIGKILL. Ignored at other
   * times; it never shortens what is left.
   *
   * @throws IllegalArgumentException if {@code more} is negative
   */
  void extendStopTimeout(Duration more);

  /**
   * Changes the node's keepalive deadline at run time (systemd's {@code WATCHDOG_USEC=} sent by the
   * service): from this call, which counts as a keepalive, {@link #keepalive()} is required at
   * least this often while RUNNING; zero: no longer watched. It holds until the node's next start,
   * which goes back to {@link Node#keepaliveDeadline()}.
   *
   * @throws IllegalArgumentException if {@code deadline} is negative
   */
  void keepaliveDeadline(Duration deadline);

  /**
   * A short text of what the node is doing (systemd's {@code STATUS=}), shown in its status until
   * the next one; null or empty clears it. At most 200 characters are kept.
   */
  void status(String text);

  /**
   * Reports a failure found on one of the node's own threads: handled as a crash of the node,
   * exactly as if a callback had thrown.
   */
  void fail(String reason, Throwable cause);

  /**
   * A factory for the node's own threads: they carry the node's path in the MDC, and an uncaught
   * exception on them is logged as an ERROR and reported as a crash of the node.
   */
  ThreadFactory threadFactory();

  /**
   * A thread pool for the node's work (EXOS's {@code MonitoredThreadPool}): {@code threads} threads
   * that carry the node's path in the MDC, an uncaught exception on them being a crash of the node
   * as on {@link #threadFactory()}'s; while it has work (queued or running) and completes none of
   * it within {@code deadline}, the node is hung ({@code pool-stuck}) and handled as a crash. Shut
   * down with the node's incarnation.
   *
   * @throws IllegalArgumentException for a name that is empty, threads below 1 or above 1024, or a
   *     deadline not above 0
   */
  ExecutorService monitoredExecutor(String name, int threads, Duration deadline);

  /** Which start of this node this is: 1 for the first, 2 after the first restart, and so on. */
  int incarnation();

  /**
   * Raises a notification for whoever manages this node (Guardian's NOTIFICATION): it is logged
   * and reported to the managing client's {@code check()}; it does not change the node's state.
   */
  void notify(String message);

  /**
   * Saves a small state (at most {@code shepherd.host.max-checkpoint-size}, 64 KiB by default) that
   * the node's next incarnation gets from {@link #lastCheckpoint()} before {@code configure}, on
   * this host or, after a failover, on another. It is replicated to every manager member. Frequent
   * calls are coalesced: the latest state wins.
   *
   * @throws IllegalArgumentException if the state is larger than the limit
   */
  void checkpoint(byte[] state);

  /** The state the node's latest checkpoint saved, from this or an earlier incarnation. */
  Optional<byte[]> lastCheckpoint();

  /** The MDC key that holds the path of the node a log record belongs to. */
  String MDC_NODE = "shepherdNode";
}
