package io.shepherd.manager.internal;

import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.Event;
import io.shepherd.protocol.Fault;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.HostProtocol;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What hosts report, taken in: snapshots and numbered events about their groups and nodes. Each
 * report updates the registry, answers the calls it completes, and is published as cluster
 * events (state changes, crashes, stalls, notifications); what a host runs that nobody wants
 * there is removed.
 */
public final class Observations {

  private final ManagerParts parts;
  private final Registry registry;
  private final Hosts hosts;
  private final Groups groups;
  private final Nodes nodes;
  private final Instant startedAt;

  /**
   * @param startedAt when this Manager incarnation started: an older failure a host reports is not a new crash
   */
  public Observations(ManagerParts parts, Hosts hosts, Groups groups, Nodes nodes, Instant startedAt) {
    this.parts = parts;
    this.registry = parts.registry();
    this.hosts = hosts;
    this.groups = groups;
    this.nodes = nodes;
    this.startedAt = startedAt;
  }

  /**
   * Events from hosts, one or a {@link ManagerProtocol.HostEvents} burst; then each host whose
   * window of commands in flight was full gets what waited, as far as its answers made room.
   */
  public void onEvents(List<ManagerProtocol.HostEvent> events) {
    events.forEach(this::onEvent);
    events.stream().map(ManagerProtocol.HostEvent::hostId).distinct().map(registry::host).filter(Objects::nonNull)
        .forEach(parts::reconcileBacklog);
  }

  private void onEvent(ManagerProtocol.HostEvent event) {
    answered(event);
    if (event instanceof ManagerProtocol.NodeUpdated updated) {
      onNodeUpdated(updated);
    } else if (event instanceof ManagerProtocol.NodeRemoved removed) {
      onNodeRemoved(removed);
    } else if (event instanceof ManagerProtocol.NodeRejected rejected) {
      onNodeRejected(rejected);
    } else if (event instanceof ManagerProtocol.NodeNotified notified) {
      onNodeNotified(notified);
    } else if (event instanceof ManagerProtocol.NodeCheckpointed checkpointed) {
      onNodeCheckpointed(checkpointed);
    } else if (event instanceof ManagerProtocol.GroupCreated created) {
      onGroupCreated(created);
    } else if (event instanceof ManagerProtocol.GroupRemoved removed) {
      onGroupRemoved(removed);
    } else {
      throw new IllegalArgumentException("an event of a kind this Manager does not know: " + event);
    }
  }

  /** The host reported on a group or node of its own: the command the Manager last sent about it is answered. */
  private void answered(ManagerProtocol.HostEvent event) {
    HostEntry host = registry.host(event.hostId());
    if (host == null) {
      return;
    }
    NodePath path = event instanceof ManagerProtocol.NodeUpdated updated ? updated.status().path()
        : event instanceof ManagerProtocol.NodeRemoved removed ? removed.path()
        : event instanceof ManagerProtocol.NodeRejected rejected ? rejected.path() : null;
    NodeEntry node = path == null ? null : registry.node(path);
    if (node != null && host.id().equals(registry.hostOf(node)) && node.resend().answered()) {
      host.answered();
    }
    GroupPath groupPath = event instanceof ManagerProtocol.GroupCreated created ? created.group()
        : event instanceof ManagerProtocol.GroupRemoved removed ? removed.group() : null;
    GroupEntry group = groupPath == null ? null : registry.group(groupPath);
    if (group != null && host.id().equals(group.host()) && group.resend().answered()) {
      host.answered();
    }
  }

  /** A part of a host's snapshot; once all have arrived, it is the truth about what runs there. */
  public void onSnapshot(ManagerProtocol.HostSnapshot part) {
    HostEntry host = registry.host(part.hostId());
    if (part.epoch() != parts.link().epoch() || host == null || host.state() == HostEntry.State.DOWN) {
      return;
    }
    if (part.part() == 0) {
      host.logLevels(part.logLevels());
    }
    HostEntry.Snapshot snapshot = host.addSnapshotPart(part.part(), part.parts(), part.groups(), part.nodes(), part.seq());
    if (snapshot == null) {
      return;
    }
    Map<NodePath, NodeStatus> before = new HashMap<>();
    registry.nodes().forEach(n -> {
      if (n.observed() != null && host.id().equals(n.observed().host())) {
        before.put(n.path(), n.observed());
      }
    });
    Registry.SnapshotResult result = registry.applySnapshot(host, snapshot);
    // What the snapshot shows is answered; what it lacks stays in flight until resent.
    registry.groupsOn(host.id()).stream().filter(GroupEntry::observed).forEach(g -> g.resend().answered());
    registry.nodesOn(host.id()).stream().filter(n -> n.observed() != null).forEach(n -> n.resend().answered());
    result.strayGroups().forEach(path -> parts.link().send(host, epoch -> new HostProtocol.RemoveGroup(epoch, path)));
    result.strayNodes().forEach(path -> parts.link().send(host, epoch -> new HostProtocol.RemoveNode(epoch, path)));
    result.created().forEach(n -> published(n, before.get(n.path())));
    result.changed().forEach(n -> published(n, before.get(n.path())));
    result.created().forEach(nodes::createdOnHost);
    result.created().forEach(this::followFinished);
    result.changed().forEach(parts.requests()::resolve);
    result.changed().forEach(this::followFinished);
    result.created().forEach(n -> parts.dependencies().changed(n.path()));
    result.changed().forEach(n -> parts.dependencies().changed(n.path()));
    result.removedNodes().forEach(n -> nodes.finishRemoval(n, "removed " + n.path()));
    result.removedGroups().forEach(groups::finishRemoval);
    parts.reconcile(host, System.nanoTime());
    // Groups whose creation the snapshot confirms.
    registry.groupsOn(host.id()).stream().filter(g -> g.awaitsCreation() && g.observed()).forEach(groups::createdOnHost);
  }

  public void onNodeUpdated(ManagerProtocol.NodeUpdated updated) {
    hosts.accept(updated).ifPresent(host -> {
      NodeEntry known = registry.node(updated.status().path());
      NodeStatus before = known == null ? null : known.observed();
      NodeEntry node = registry.observe(host, updated.status());
      if (node == null) {
        parts.link().send(host, epoch -> new HostProtocol.RemoveNode(epoch, updated.status().path()));
        return;
      }
      published(node, before);
      if (node.phase() == Phase.CREATING) {
        nodes.createdOnHost(node);
      }
      parts.requests().resolve(node);
      followFinished(node);
      parts.dependencies().changed(node.path());
    });
  }

  /**
   * A node whose process ended by itself and whose autorestart policy keeps it so (Architect's
   * one-shot roles): STOPPED becomes its requested state, written to desired state as any request,
   * so that no failover or host restart starts it again.
   */
  private void followFinished(NodeEntry node) {
    NodeStatus seen = node.observed();
    if (seen == null || !seen.finished() || seen.seq() != node.seq() || node.phase() != Phase.PRESENT
        || node.requested() == NodeState.STOPPED) {
      return;
    }
    parts.log().info("node {} ended by itself ({}) and its autorestart ({}) keeps it so: its requested state is now STOPPED",
        node.path(), seen.exit(), node.spec().autorestart().spelling());
    parts.requests().request(node, NodeState.STOPPED, new Waiter(NodeState.STOPPED, false, null, "request STOPPED after its end",
        parts.deadline()));
  }

  /** Publishes what changed between a node's previous and current observed status; reports a crash to its manager. */
  private void published(NodeEntry node, NodeStatus before) {
    NodeStatus after = node.observed();
    if (after == null) {
      return;
    }
    if (before == null || before.state() != after.state() || before.requested() != after.requested() || before.mode() != after.mode()
        || before.stalled() != after.stalled()) {
      // The requested state is the node's own, not what its host is asked for while its dependencies hold it.
      parts.events().publish(ManagerEvents.event(Event.NODE).withNode(after, before == null ? null : before.state())
          .withRequested(node.requested()));
    }
    boolean newCrash = after.lastFailureAt() != null && (before == null ? after.lastFailureAt().isAfter(startedAt)
        : !after.lastFailureAt().equals(before.lastFailureAt()));
    if (newCrash) {
      parts.events().publish(ManagerEvents.event(Event.CRASH).withNode(after, null).withReason(after.lastFailure())
          .withMessage(after.mode() == Mode.MANAGED ? "stalls until a new request or a revive" : "restarted by Shepherd"));
      parts.events().report(node, new Fault.NodeError(node.path(), after.lastFailure(), after.lastFailureAt()));
    }
    if (after.stalled() && (before == null || !before.stalled())) {
      parts.events().publish(ManagerEvents.event(Event.STALLED).withNode(after, null).withReason(after.lastFailure()));
    }
  }

  public void onNodeRemoved(ManagerProtocol.NodeRemoved removed) {
    hosts.accept(removed).ifPresent(host -> {
      NodeEntry node = registry.node(removed.path());
      if (node == null || !host.id().equals(registry.hostOf(node))) {
        return;
      }
      node.lost();
      switch (node.phase()) {
        case REMOVING -> nodes.finishRemoval(node, "removed " + node.path());
        case CREATING -> nodes.failedWhileCreating(node, ErrorCode.BUSY, "node " + node.path()
            + " was removed while it was being created; try again");
        case PRESENT -> {
          parts.requests().fail(node, ErrorCode.NODE_FAILED, "node " + node.path() + " disappeared from host " + host.id()
              + "; recreating it");
          node.resend().now();
          parts.reconcile(host, System.nanoTime());
        }
      }
    });
  }

  public void onNodeRejected(ManagerProtocol.NodeRejected rejected) {
    hosts.accept(rejected).ifPresent(host -> {
      NodeEntry node = registry.node(rejected.path());
      if (node == null) {
        return;
      }
      if (node.phase() == Phase.CREATING) {
        nodes.failedWhileCreating(node, rejected.code(), rejected.message());
      } else {
        parts.log().error("host {} could not recreate node {}: {}", host.id(), node.path(), rejected.message());
        node.rejected(rejected.message());
        parts.requests().fail(node, rejected.code(), rejected.message());
      }
    });
  }

  public void onNodeNotified(ManagerProtocol.NodeNotified notified) {
    hosts.accept(notified).ifPresent(host -> {
      NodeEntry node = registry.node(notified.path());
      if (node != null) {
        parts.log().info("node {} notifies: {}", node.path(), notified.message());
        parts.events().publish(ManagerEvents.event(Event.NOTIFICATION).withPath(node.path().toString()).withHost(host.id())
            .withMessage(notified.message()));
        parts.events().report(node, new Fault.Notification(node.path(), notified.message(), notified.at()));
      }
    });
  }

  public void onNodeCheckpointed(ManagerProtocol.NodeCheckpointed checkpointed) {
    hosts.accept(checkpointed).ifPresent(host -> {
      NodeEntry node = registry.node(checkpointed.path());
      if (node != null && node.phase() != Phase.REMOVING) {
        node.checkpointed(checkpointed.checkpoint());
        parts.desired().putCheckpoint(node);
      }
    });
  }

  public void onGroupCreated(ManagerProtocol.GroupCreated created) {
    hosts.accept(created).ifPresent(host -> {
      GroupEntry group = registry.group(created.group());
      if (group == null || !host.id().equals(group.host())) {
        // Not ours (any more): the host runs a group nobody wants there.
        parts.link().send(host, epoch -> new HostProtocol.RemoveGroup(epoch, created.group()));
        return;
      }
      group.observed(true);
      if (group.phase() == Phase.CREATING) {
        groups.createdOnHost(group);
      } else if (group.phase() == Phase.PRESENT) {
        parts.reconcile(host, System.nanoTime());
      }
    });
  }

  public void onGroupRemoved(ManagerProtocol.GroupRemoved removed) {
    hosts.accept(removed).ifPresent(host -> {
      GroupEntry group = registry.group(removed.group());
      if (group == null || !host.id().equals(group.host())) {
        return;
      }
      group.observed(false);
      registry.nodesOf(group.path()).forEach(NodeEntry::lost);
      switch (group.phase()) {
        case REMOVING -> groups.finishRemoval(group);
        case CREATING -> groups.vanishedWhileCreating(group);
        case PRESENT -> parts.reconcile(host, System.nanoTime());
      }
    });
  }
}
