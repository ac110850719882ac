package io.shepherd.node;

import java.time.Duration;

/**
 * A unit of user code that Shepherd runs: a driver, a recorder, an analysis step.
 *
 * <p>The lifecycle is {@code CREATED -> configure -> CONFIGURED -> initialize -> INITIALIZED ->
 * start -> RUNNING <-> stop -> STOPPED -> close -> CLOSED}; {@code close} is also allowed from
 * CREATED, CONFIGURED and INITIALIZED. Shepherd calls each callback at most once at a time, never
 * concurrently, from a thread of its node pool: a callback may block (open a device, wait for
 * hardware) without stalling its host or any other node. A callback that throws is a crash of this
 * node only; it is restarted or stalled according to its mode.
 *
 * <p>A class is instantiated through its public no-argument constructor, which should do nothing
 * slow. Register it by name in the host's type registry, or name it by its fully qualified class
 * name if its package is on the host's allow-list ({@code shepherd.host.allowed-packages}).
 *
 * <p>Work that runs between {@code start} and {@code stop} (an acquisition loop) belongs on threads
 * from {@link NodeContext#threadFactory()}, so that an uncaught exception there is a crash of this
 * node and its log lines carry the node's path.
 */
public interface Node {

  /**
   * CREATED to CONFIGURED: read and check the params, keep the context.
   *
   * @throws Exception if the params are wrong; the message should say which and why
   */
  void configure(NodeContext context, Params params) throws Exception;

  /** CONFIGURED to INITIALIZED: allocate what the node needs (open devices, buffers). */
  default void initialize() throws Exception {}

  /** To RUNNING: start producing or consuming. Return once running; keep loops on own threads. */
  void start() throws Exception;

  /** RUNNING to STOPPED: stop producing; the node may be started again. */
  void stop() throws Exception;

  /** To CLOSED: release everything. The instance is not used again. */
  default void close() throws Exception {}

  /**
   * If positive, the node promises to call {@link NodeContext#keepalive()} at least this often
   * while RUNNING; a missed deadline is a hang, handled as a crash with the reason
   * {@code deadlock-detected} (EXOS thread monitoring). Asked once, after {@code configure}.
   */
  default Duration keepaliveDeadline() {
    return Duration.ZERO;
  }
}
