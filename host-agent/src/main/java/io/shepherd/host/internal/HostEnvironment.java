package io.shepherd.host.internal;

import akka.actor.typed.ActorRef;
import io.shepherd.host.HostSettings;
import io.shepherd.host.NodeTypes;

/** What every NodeGroup and NodeRunner of a host shares: settings, types, and where events go. */
public record HostEnvironment(HostSettings settings, NodeTypes types, ActorRef<NodeRunner.Event> events) {

  public String hostId() {
    return settings.hostId();
  }
}
