package io.shepherd.manager.internal;

import akka.actor.typed.ActorRef;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodeState;

/**
 * A client call on a node waiting for its answer: once the request is stored in desired state,
 * and, if {@code awaitArrival}, once the node has arrived at {@code target}.
 */
public final class Waiter {

  public final NodeState target;
  public final boolean awaitArrival;
  public final ActorRef<ManagerProtocol.Reply> replyTo;
  public final String what;
  public final long deadline;
  /** The request number this call made; only statuses from it on count. */
  public long seq;
  public boolean stored;
  public boolean replicated;
  public boolean arrived;

  public Waiter(NodeState target, boolean awaitArrival, ActorRef<ManagerProtocol.Reply> replyTo, String what, long deadline) {
    this.target = target;
    this.awaitArrival = awaitArrival;
    this.replyTo = replyTo;
    this.what = what;
    this.deadline = deadline;
  }

  public boolean done() {
    return stored && (arrived || !awaitArrival);
  }
}
