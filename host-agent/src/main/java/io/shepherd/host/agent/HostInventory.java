package io.shepherd.host.agent;

import akka.actor.typed.ActorRef;
import io.shepherd.host.internal.NodeGroup;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The one record on a host of which groups and nodes exist: the groups (those being removed, and
 * those to create again once removed), every node with its latest status, and the nodes being
 * created. The host agent decides with it what a Manager command means on this host and reports
 * it in snapshots; a NodeGroup only routes to its runners. Used inside the agent's message
 * handling only.
 */
final class HostInventory {

  private final Map<GroupPath, ActorRef<NodeGroup.Command>> groups = new HashMap<>();
  private final Set<GroupPath> removing = new HashSet<>();
  private final Set<GroupPath> recreate = new HashSet<>();
  private final Map<NodePath, NodeStatus> nodes = new HashMap<>();
  private final Set<NodePath> creating = new HashSet<>();

  /** The group's actor, or null if the host has no such group. */
  ActorRef<NodeGroup.Command> group(GroupPath group) {
    return groups.get(group);
  }

  boolean isRemoving(GroupPath group) {
    return removing.contains(group);
  }

  void groupAdded(GroupPath group, ActorRef<NodeGroup.Command> ref) {
    groups.put(group, ref);
  }

  /** A create of a group still being removed: it is created again once it is gone. */
  void recreateAfterRemoval(GroupPath group) {
    recreate.add(group);
  }

  /** Starts the group's removal; false if it was under way already. Cancels a pending re-creation. */
  boolean startRemoving(GroupPath group) {
    recreate.remove(group);
    return removing.add(group);
  }

  /** The group has stopped, its nodes with it. Returns true if it is to be created again. */
  boolean groupGone(GroupPath group) {
    groups.remove(group);
    removing.remove(group);
    nodes.keySet().removeIf(p -> p.groupPath().equals(group));
    creating.removeIf(p -> p.groupPath().equals(group));
    return recreate.remove(group);
  }

  boolean hasGroups() {
    return !groups.isEmpty();
  }

  /** Every group not being removed yet, now marked as being removed. */
  void removeEveryGroup(BiConsumer<GroupPath, ActorRef<NodeGroup.Command>> remove) {
    groups.forEach((group, ref) -> {
      if (removing.add(group)) {
        remove.accept(group, ref);
      }
    });
  }

  /** True if the node exists or is being created. */
  boolean hasNode(NodePath path) {
    return nodes.containsKey(path) || creating.contains(path);
  }

  /** The node's latest status, if it has been created. */
  Optional<NodeStatus> status(NodePath path) {
    return Optional.ofNullable(nodes.get(path));
  }

  /** Marks the node as being created; false if it is already. */
  boolean startCreating(NodePath path) {
    return creating.add(path);
  }

  /** The node's runner reported its status: the node exists. */
  void observed(NodeStatus status) {
    creating.remove(status.path());
    nodes.put(status.path(), status);
  }

  /** The node could not be created, or was removed. */
  void gone(NodePath path) {
    creating.remove(path);
    nodes.remove(path);
  }

  List<NodeStatus> statuses() {
    return new ArrayList<>(nodes.values());
  }

  List<GroupPath> groupPaths() {
    return new ArrayList<>(groups.keySet());
  }

  int nodeCount() {
    return nodes.size();
  }

  int groupCount() {
    return groups.size();
  }
}
