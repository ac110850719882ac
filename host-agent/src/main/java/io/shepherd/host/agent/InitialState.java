package io.shepherd.host.agent;

import akka.actor.typed.ActorRef;
import io.shepherd.host.HostSettings;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodeState;
import java.util.List;
import org.slf4j.Logger;

/**
 * OCS's {@code --initial-state}: once per start of a host agent, every node of the host up or
 * down. Asked of the Manager at each registration until one takes it; a refusal for a bad
 * argument (no node on the host) also ends it. Runs inside the agent's message handling only.
 */
final class InitialState {

  private final HostSettings settings;
  private final Logger log;
  private boolean done;

  InitialState(HostSettings settings, Logger log) {
    this.settings = settings;
    this.log = log;
    this.done = settings.initialState() == null;
  }

  /** Registered with {@code manager}: asks it for the initial state unless one has taken it. */
  void request(ActorRef<ManagerProtocol.Command> manager, ActorRef<ManagerProtocol.Reply> replyTo) {
    if (done) {
      return;
    }
    log.info("requesting {} for every node of host {} (initial-state)", settings.initialState() == NodeState.RUNNING ? "up" : "down",
        settings.hostId());
    manager.tell(new ManagerProtocol.Update(List.of(new ManagerProtocol.TargetState(settings.hostId(), settings.initialState())),
        "host " + settings.hostId() + " --initial-state", replyTo));
  }

  /** The Manager's answer. */
  void onAnswer(ManagerProtocol.Reply reply) {
    if (reply instanceof ManagerProtocol.Failed failed && failed.code() != ErrorCode.INVALID_ARGUMENT) {
      log.warn("the Manager did not take the initial state: {}; asking again at the next registration", failed.message());
      return;
    }
    done = true;
    log.info("initial state: {}", reply instanceof ManagerProtocol.Ok ok ? ok.message() : ((ManagerProtocol.Failed) reply).message());
  }
}
