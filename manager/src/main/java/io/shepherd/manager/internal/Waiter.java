package io.shepherd.manager.internal;

import akka.actor.typed.ActorRef;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodeState;

/**
 * A client call on a node waiting for its answer: once the request is stored in desired state,
 * and, if {@code awaitArrival}, once the node has arrived at {@code target}. Kept by
 * {@link Requests}.
 *
 * @param what the call, for messages ({@code request RUNNING}, {@code kill})
 * @param deadline when it fails with a timeout ({@link System#nanoTime()})
 */
public final class Waiter {

  private final NodeState target;
  private final boolean awaitArrival;
  private final ActorRef<ManagerProtocol.Reply> replyTo;
  private final String what;
  private final long deadline;
  private long seq;
  private boolean stored;
  private boolean replicated;
  private boolean arrived;

  public Waiter(NodeState target, boolean awaitArrival, ActorRef<ManagerProtocol.Reply> replyTo, String what, long deadline) {
    this.target = target;
    this.awaitArrival = awaitArrival;
    this.replyTo = replyTo;
    this.what = what;
    this.deadline = deadline;
  }

  NodeState target() {
    return target;
  }

  ActorRef<ManagerProtocol.Reply> replyTo() {
    return replyTo;
  }

  String what() {
    return what;
  }

  boolean overdue(long now) {
    return now - deadline > 0;
  }

  /** The request this call made has number {@code requestSeq}: only statuses from it on count. */
  void numbered(long requestSeq) {
    seq = requestSeq;
  }

  /** The request is in desired state; {@code onMajority}: on a majority of manager members. */
  void stored(boolean onMajority) {
    stored = true;
    replicated = onMajority;
  }

  boolean replicated() {
    return replicated;
  }

  /** True while it waits for the node to arrive, and a status numbered {@code statusSeq} is recent enough to show it. */
  boolean awaitsArrivalAt(long statusSeq) {
    return awaitArrival && !arrived && statusSeq >= seq;
  }

  /** True while it waits for the node to arrive anywhere. */
  boolean awaitsArrival() {
    return awaitArrival && !arrived;
  }

  void arrived() {
    arrived = true;
  }

  boolean done() {
    return stored && (arrived || !awaitArrival);
  }
}
