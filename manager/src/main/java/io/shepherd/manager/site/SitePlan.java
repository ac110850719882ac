package io.shepherd.manager.site;

import io.shepherd.manager.internal.Dependencies;
import io.shepherd.manager.internal.GroupEntry;
import io.shepherd.manager.internal.NodeEntry;
import io.shepherd.manager.internal.Phase;
import io.shepherd.manager.internal.Registry;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.Lifecycle;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.Site;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What applying a site file changes in desired state (OCS's reload of the site config): groups and
 * nodes to add, nodes whose spec changed (restarted with the new one), nodes whose declared
 * target changed (requested there), and what the file no longer lists (driven down, then deleted).
 * A node the file declares as before is left alone, whatever it was asked since. Computed from the
 * registry without changing it; every error is collected, so that one apply reports them all.
 */
public final class SitePlan {

  /** A node whose declared target changed: it is requested {@code state}. */
  public record Retarget(NodeEntry node, NodeState declared, NodeState state) {}

  public final List<Site.Group> addedGroups = new ArrayList<>();
  public final List<Site.Node> added = new ArrayList<>();
  public final List<Site.Node> respecified = new ArrayList<>();
  public final List<Retarget> retargeted = new ArrayList<>();
  public final List<NodeEntry> removedNodes = new ArrayList<>();
  public final List<GroupEntry> removedGroups = new ArrayList<>();
  public final List<String> unchanged = new ArrayList<>();
  public final List<String> errors = new ArrayList<>();

  private SitePlan() {}

  /** The plan for {@code site}, or one with {@link #errors} if it cannot be applied as it is. */
  public static SitePlan of(Site site, Registry registry) {
    SitePlan plan = new SitePlan();
    Set<GroupPath> declaredGroups = new HashSet<>();
    Set<NodePath> declaredNodes = new HashSet<>();
    for (Site.Group group : site.groups()) {
      declaredGroups.add(group.path());
      group.nodes().forEach(n -> declaredNodes.add(n.path()));
      if (!group.path().floating() && registry.host(group.path().placement()) == null) {
        plan.errors.add("group " + group.path() + ": no host " + group.path().placement() + " is registered; hosts: "
            + registry.hostList());
      }
      GroupEntry existing = registry.group(group.path());
      if (existing == null) {
        plan.addedGroups.add(group);
        plan.added.addAll(group.nodes());
        continue;
      }
      if (!existing.declaredBySite()) {
        plan.errors.add("group " + group.path() + " already exists and was created by a client ("
            + (existing.owner() == null ? "persistent" : existing.owner()) + "), not by a site file; remove it, or rename the group "
            + "in the site file");
        continue;
      }
      if (existing.phase() != Phase.PRESENT) {
        plan.errors.add("group " + group.path() + " is being " + (existing.phase() == Phase.CREATING ? "created" : "removed")
            + "; apply again once that has finished");
        continue;
      }
      for (Site.Node node : group.nodes()) {
        NodeEntry known = registry.node(node.path());
        if (known == null) {
          plan.added.add(node);
        } else if (known.phase() != Phase.PRESENT) {
          plan.errors.add("node " + node.path() + " is being " + (known.phase() == Phase.CREATING ? "created" : "removed")
              + "; apply again once that has finished");
        } else if (!known.spec().equals(known.managedBy() != null ? node.spec().withMode(known.spec().mode()) : node.spec())) {
          // A node a client manages keeps the mode it took, as a runtime up or down outlives a file whose target did not change.
          plan.respecified.add(node);
        } else if (known.declared() != node.target()) {
          NodeState state = node.target() == NodeState.STOPPED
              ? Lifecycle.upDown(known.current(), known.requested(), false).orElse(null)
              : Lifecycle.checkRequest(known.current(), known.requested(), node.target()).isEmpty() ? node.target() : null;
          if (state == null) {
            plan.errors.add("node " + node.path() + " cannot be brought to " + node.target() + ": it is " + known.current()
                + "; remove it from the file and apply, then add it again");
          } else {
            plan.retargeted.add(new Retarget(known, node.target(), state));
          }
        } else {
          plan.unchanged.add(node.path().toString());
        }
      }
    }
    for (GroupEntry group : registry.groups()) {
      if (group.declaredBySite() && group.phase() == Phase.PRESENT && !declaredGroups.contains(group.path())) {
        plan.removedGroups.add(group);
      }
    }
    for (NodeEntry node : registry.nodes()) {
      GroupEntry group = registry.group(node.groupPath());
      if (group != null && group.declaredBySite() && declaredGroups.contains(group.path())
          && node.phase() == Phase.PRESENT && !declaredNodes.contains(node.path())) {
        plan.removedNodes.add(node);
      }
    }
    // depends-on: every dependency exists once the file is applied, and there is no cycle.
    Map<NodePath, List<NodePath>> graph = new HashMap<>();
    site.nodes().forEach(n -> graph.put(n.path(), n.spec().dependsOn()));
    plan.removedNodes.forEach(n -> graph.put(n.path(), null));
    plan.removedGroups.forEach(g -> registry.nodesOf(g.path()).forEach(n -> graph.put(n.path(), null)));
    plan.errors.addAll(Dependencies.problems(registry, graph));
    return plan;
  }

  /** The paths of the nodes removed, those of removed groups included. */
  public List<String> removedPaths(Registry registry) {
    List<String> paths = new ArrayList<>();
    removedNodes.forEach(n -> paths.add(n.path().toString()));
    removedGroups.forEach(g -> registry.nodesOf(g.path()).forEach(n -> paths.add(n.path().toString())));
    paths.sort(null);
    return paths;
  }

  /** The paths of the nodes added, sorted. */
  public List<String> addedPaths() {
    return added.stream().map(n -> n.path().toString()).sorted().toList();
  }

  /** The paths of the nodes restarted with a new spec or requested a new target, sorted. */
  public List<String> changedPaths() {
    List<String> changed = new ArrayList<>();
    respecified.forEach(n -> changed.add(n.path().toString()));
    retargeted.forEach(r -> changed.add(r.node().path().toString()));
    changed.sort(null);
    return changed;
  }

}
