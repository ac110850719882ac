package io.shepherd.manager.internal;

import akka.actor.typed.ActorRef;
import io.shepherd.protocol.HostProtocol;
import java.util.function.LongFunction;

/**
 * The one way the Manager sends a command to a host agent: every command carries this Manager
 * incarnation's epoch, so that a host drops those of an older incarnation (Flink's fencing token).
 */
public final class HostLink {

  private final long epoch;

  public HostLink(long epoch) {
    this.epoch = epoch;
  }

  public long epoch() {
    return epoch;
  }

  /** Sends {@code host} the command {@code command} makes of the epoch. */
  public void send(HostEntry host, LongFunction<HostProtocol.Command> command) {
    host.ref().tell(command.apply(epoch));
  }

  /** Sends a node's host what it is to do now (its request, unless its dependencies hold it), and restarts its resend clock. */
  public void sendRequest(HostEntry host, NodeEntry node) {
    node.resend().sent(System.nanoTime());
    host.ref().tell(new HostProtocol.RequestState(epoch, node.path(), node.toHost(), node.seq()));
  }

  /** Sends a host agent that is not (or not yet) registered the command {@code command} makes of the epoch. */
  public void send(ActorRef<HostProtocol.Command> agent, LongFunction<HostProtocol.Command> command) {
    agent.tell(command.apply(epoch));
  }
}
