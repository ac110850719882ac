package io.shepherd.manager.internal;

import akka.actor.typed.ActorRef;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.Event;
import io.shepherd.protocol.Fault;
import io.shepherd.protocol.HostProtocol;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.Names;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The host agents at the Manager: registration (Flink's: a host registers with the epoch it was
 * told, and is answered Registered or Declined), the numbering of their events (a gap asks for a
 * snapshot), and what the cluster says of their members: unreachable, reachable again, down.
 */
public final class Hosts {

  /** Whether a cluster member with this address and uid is up and reachable. */
  public interface Membership {
    boolean up(String address, long uid);
  }

  private final ManagerParts parts;
  private final Registry registry;
  private final Groups groups;
  private final Nodes nodes;
  private final Membership membership;

  public Hosts(ManagerParts parts, Groups groups, Nodes nodes, Membership membership) {
    this.parts = parts;
    this.registry = parts.registry();
    this.groups = groups;
    this.nodes = nodes;
    this.membership = membership;
  }

  /** A new incarnation asks every host agent it can see to register now, rather than whenever the host notices the change. */
  public void askToRegister(Iterable<ActorRef<HostProtocol.Command>> agents, ActorRef<ManagerProtocol.Command> self) {
    agents.forEach(agent -> parts.link().send(agent, epoch -> new HostProtocol.Reconnect(epoch, self)));
  }

  /** A host agent registers: declined if its id is bad or held by another live member; else (again) up, a snapshot on its way. */
  public void register(ManagerProtocol.RegisterHost register, ActorRef<ManagerProtocol.Command> self) {
    String id = register.info().hostId();
    try {
      Names.checkHostId(id);
    } catch (IllegalArgumentException e) {
      parts.link().send(register.host(), epoch -> new HostProtocol.Declined(epoch, e.getMessage()));
      return;
    }
    HostEntry host = registry.host(id);
    boolean announce = host == null || host.state() != HostEntry.State.UP || !host.isIncarnation(register.host());
    if (host != null && !host.isIncarnation(register.host())) {
      boolean sameMember = host.info().memberUid() == register.info().memberUid();
      if (!sameMember && host.up() && membership.up(host.address(), host.info().memberUid())) {
        String holder = host.address();
        parts.log().error("declined host {} from {}: the id is held by the live member {}", id, register.info().address(), holder);
        parts.link().send(register.host(), epoch -> new HostProtocol.Declined(epoch, "host id " + id + " is already registered by the "
            + "member at " + holder + "; start this member with another --host-id"));
        return;
      }
      // A new incarnation of the host agent: what the old one ran is gone with it.
      parts.log().info("host {} registered again from {} (new incarnation)", id, register.info().address());
      host.reincarnated(register.host(), register.info());
      registry.forgetObservedOn(id);
    } else if (host == null) {
      host = new HostEntry(id, register.host(), register.info());
      registry.add(host);
      parts.log().info("host {} registered from {}", id, register.info().address());
    } else {
      host.registeredAgain(register.info());
    }
    if (announce) {
      parts.events().publish(ManagerEvents.event(Event.HOST).withHost(id).withStatus(HostEntry.State.UP.name())
          .withAddress(register.info().address()).withMessage("host " + id + " registered"));
    }
    host.registered(System.nanoTime());
    parts.link().send(host, epoch -> new HostProtocol.Registered(epoch, self));
  }

  /** The host of an event, or empty if the event is to be ignored (unknown or down host, already seen); a gap asks for a snapshot. */
  public Optional<HostEntry> accept(ManagerProtocol.HostEvent event) {
    HostEntry host = registry.host(event.hostId());
    if (host == null || host.state() == HostEntry.State.DOWN) {
      return Optional.empty();
    }
    long expected = host.nextSeq();
    switch (host.number(event.seq())) {
      case OLD -> {
        return Optional.empty();
      }
      case AFTER_A_GAP -> {
        parts.log().warn("events {} to {} from host {} were lost; asking for a snapshot", expected, event.seq() - 1, host.id());
        requestSnapshot(host);
      }
      case IN_ORDER -> { }
    }
    return Optional.of(host);
  }

  public void requestSnapshot(HostEntry host) {
    host.snapshotRequested(System.nanoTime());
    parts.link().send(host, HostProtocol.SendSnapshot::new);
  }

  /** The hosts run by the cluster member with this address and uid. */
  public List<HostEntry> of(String address, long uid) {
    return registry.hosts().stream().filter(h -> h.address().equals(address) && h.info().memberUid() == uid).toList();
  }

  public void unreachable(HostEntry host) {
    if (!host.up()) {
      return;
    }
    host.unreachable();
    parts.log().warn("host {} is UNREACHABLE", host.id());
    publish(host, "host " + host.id() + " is unreachable");
    reportConnectionLost(host, "host " + host.id() + " is unreachable");
  }

  public void reachable(HostEntry host) {
    if (host.state() != HostEntry.State.UNREACHABLE) {
      return;
    }
    host.reachable();
    parts.log().info("host {} is reachable again", host.id());
    publish(host, "host " + host.id() + " is reachable again");
  }

  /** A host's member is gone: its nodes are LOST, what it was removing is removed, its {@code any} groups move. */
  public void down(HostEntry host, String why) {
    if (host.state() == HostEntry.State.DOWN) {
      return;
    }
    parts.log().warn("host {} is DOWN: {}; its nodes are LOST", host.id(), why);
    host.down(Instant.now());
    publish(host, "host " + host.id() + " is down: " + why + "; its nodes are LOST");
    reportConnectionLost(host, "host " + host.id() + " is down: " + why);
    for (NodeEntry node : registry.nodesOn(host.id())) {
      parts.requests().fail(node, ErrorCode.HOST_UNAVAILABLE, "host " + host.id() + " of node " + node.path() + " is down");
      if (node.phase() == Phase.REMOVING) {
        nodes.finishRemoval(node, "removed " + node.path() + " (its host went down)");
      }
    }
    registry.groupsOn(host.id()).stream().filter(g -> g.phase() == Phase.REMOVING).forEach(groups::finishRemoval);
    // Their dependents see them LOST.
    registry.nodesOn(host.id()).forEach(n -> parts.dependencies().changed(n.path()));
    groups.placeFloating();
  }

  /** The periodic pass: reconciles the synced hosts, asks again for a snapshot that is overdue. */
  public void tick(long now) {
    parts.dependencies().regateAll();
    long resendAfter = parts.settings().resendAfter().toNanos();
    for (HostEntry host : registry.hosts()) {
      if (host.up() && host.synced()) {
        parts.reconcile(host, now);
      } else if (host.up() && host.snapshotOverdue(now, resendAfter)) {
        requestSnapshot(host);
      }
    }
  }

  private void publish(HostEntry host, String message) {
    parts.events().publish(ManagerEvents.event(Event.HOST).withHost(host.id()).withStatus(host.state().name()).withAddress(host.address())
        .withMessage(message));
  }

  private void reportConnectionLost(HostEntry host, String reason) {
    Instant now = Instant.now();
    for (NodeEntry node : registry.nodesOn(host.id())) {
      if (node.managedBy() != null) {
        parts.events().report(node, new Fault.ConnectionLost(node.path(), host.id(), reason, now));
      }
    }
  }
}
