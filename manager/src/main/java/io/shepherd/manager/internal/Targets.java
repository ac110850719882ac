package io.shepherd.manager.internal;

import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.Lifecycle;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.Names;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves up/down requests on targets (OCS's {@code update}): a node path, a group path, a host
 * id, a bare node name that is unique in the cluster (OCS's instance id: {@code data1} for
 * {@code daq1/acq/data1}; a host of that id wins; several nodes of that name are refused, listed), or
 * {@value Names#ALL}, applied in order so that a later request wins for the nodes they share
 * ({@code up all} then {@code down x} leaves every node up but x). A node named by its path or name
 * must be able to go there; a node reached through a broader target that cannot (a CLOSED one) is skipped.
 */
public final class Targets {

  /** The state each node is to be requested, and what could not be resolved. */
  public record Resolution(Map<NodeEntry, NodeState> states, List<String> skipped, List<String> errors) {}

  private Targets() {}

  public static Resolution resolve(List<ManagerProtocol.TargetState> requests, Registry registry) {
    Map<NodeEntry, Boolean> up = new LinkedHashMap<>();
    Map<NodeEntry, Boolean> named = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    for (ManagerProtocol.TargetState request : requests) {
      String target = request.target().trim();
      List<NodeEntry> matched = new ArrayList<>();
      boolean explicit = false;
      try {
        if (target.equals(Names.ALL)) {
          matched.addAll(registry.nodes());
        } else if (target.chars().filter(c -> c == '/').count() == 2) {
          NodeEntry node = registry.node(NodePath.parse(target));
          if (node == null) {
            errors.add("no node " + target);
          } else {
            matched.add(node);
            explicit = true;
          }
        } else if (target.contains("/")) {
          GroupPath group = GroupPath.parse(target);
          if (registry.group(group) == null) {
            errors.add("no group " + target);
          } else {
            matched.addAll(registry.nodesOf(group));
          }
        } else {
          Names.checkHostId(target);
          if (registry.host(target) != null || !registry.groupsOn(target).isEmpty()) {
            matched.addAll(registry.nodesOn(target));
          } else {
            List<NodeEntry> byName = registry.nodes().stream().filter(n -> n.path().node().equals(target)).toList();
            if (byName.size() == 1) {
              matched.add(byName.get(0));
              explicit = true;
            } else if (byName.isEmpty()) {
              errors.add("no host " + target + ", and no node named " + target + "; hosts: " + registry.hostList());
            } else {
              errors.add("the name " + target + " is ambiguous: " + byName.stream().map(n -> n.path().toString()).sorted().toList()
                  + "; give the node's path");
            }
          }
        }
      } catch (IllegalArgumentException e) {
        errors.add("target '" + Names.abbreviate(target) + "': " + e.getMessage() + "; a target is a node path, a group path, "
            + "a host id, a node name or all");
        continue;
      }
      boolean wantUp = request.state() == NodeState.RUNNING;
      for (NodeEntry node : matched) {
        if (node.phase() != Phase.PRESENT) {
          continue;
        }
        up.put(node, wantUp);
        named.put(node, explicit);
      }
    }
    Map<NodeEntry, NodeState> states = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    up.forEach((node, wantUp) -> {
      var state = Lifecycle.upDown(node.current(), node.requested(), wantUp);
      if (state.isPresent()) {
        states.put(node, state.get());
      } else if (named.get(node)) {
        errors.add("node " + node.path() + " cannot go " + (wantUp ? "up" : "down") + ": it is " + node.current()
            + (node.current() == NodeState.CLOSED ? "; remove it and create it again" : ""));
      } else {
        skipped.add(node.path() + " (" + node.current() + ")");
      }
    });
    return new Resolution(states, skipped, errors);
  }
}
