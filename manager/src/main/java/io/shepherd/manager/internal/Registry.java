package io.shepherd.manager.internal;

import io.shepherd.protocol.Checkpoint;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The Manager's registry: which hosts, groups and nodes it knows, and what their hosts report of
 * them. It decides which entries exist; the entries keep their own state. It sends nothing: what
 * an observation asks to be sent comes back to the caller.
 */
public final class Registry {

  /** What a complete snapshot of a host changed, and what the host runs that nobody wants there. */
  public record SnapshotResult(List<NodeEntry> created, List<NodeEntry> changed, List<NodeEntry> removedNodes,
                               List<GroupEntry> removedGroups, List<GroupPath> strayGroups, List<NodePath> strayNodes) {}

  private final Map<String, HostEntry> hosts = new HashMap<>();
  private final Map<GroupPath, GroupEntry> groups = new HashMap<>();
  private final Map<NodePath, NodeEntry> nodes = new HashMap<>();
  /**
   * The nodes of each group path, in the order they came (a path's entry goes with its last node):
   * what a host, a group or a placement needs is found through its groups, never by a walk over
   * every node of the cluster.
   */
  private final Map<GroupPath, Map<NodePath, NodeEntry>> byGroup = new HashMap<>();
  /** Who depends on each node ({@code depends-on}, reversed). */
  private final Map<NodePath, Set<NodePath>> dependents = new HashMap<>();

  /** A registry of the desired state a Manager incarnation loaded; no host is registered yet. */
  public Registry(Collection<DesiredGroup> desiredGroups, Collection<DesiredNode> desiredNodes, Map<NodePath, Checkpoint> checkpoints) {
    desiredGroups.forEach(g -> groups.put(g.path(), GroupEntry.of(g)));
    desiredNodes.forEach(n -> add(NodeEntry.of(n)));
    checkpoints.forEach((path, checkpoint) -> {
      NodeEntry node = nodes.get(path);
      if (node != null) {
        node.checkpointed(checkpoint);
      }
    });
  }

  // ---- entries ---------------------------------------------------------------------------------------

  public HostEntry host(String id) {
    return id == null ? null : hosts.get(id);
  }

  public GroupEntry group(GroupPath path) {
    return groups.get(path);
  }

  public NodeEntry node(NodePath path) {
    return nodes.get(path);
  }

  public Collection<HostEntry> hosts() {
    return Collections.unmodifiableCollection(hosts.values());
  }

  public Collection<GroupEntry> groups() {
    return Collections.unmodifiableCollection(groups.values());
  }

  public Collection<NodeEntry> nodes() {
    return Collections.unmodifiableCollection(nodes.values());
  }

  public boolean hasGroups() {
    return !groups.isEmpty();
  }

  public void add(HostEntry host) {
    hosts.put(host.id(), host);
  }

  public void add(GroupEntry group) {
    groups.put(group.path(), group);
  }

  public void add(NodeEntry node) {
    NodeEntry replaced = nodes.put(node.path(), node);
    if (replaced != null) {
      unindex(replaced);
    }
    byGroup.computeIfAbsent(node.groupPath(), g -> new LinkedHashMap<>()).put(node.path(), node);
    index(node);
  }

  /** Its site file now declares a node with another spec (see {@link NodeEntry#respecify}); its dependencies follow. */
  public void respecify(NodeEntry node, NodeSpec spec, NodeState declared, NodeState state) {
    unindex(node);
    node.respecify(spec, declared, state);
    index(node);
  }

  /** The nodes that depend on {@code path} directly, in any phase. */
  public Set<NodePath> dependentsOf(NodePath path) {
    return dependents.getOrDefault(path, Set.of());
  }

  private void index(NodeEntry node) {
    node.spec().dependsOn().forEach(d -> dependents.computeIfAbsent(d, k -> new LinkedHashSet<>()).add(node.path()));
  }

  private void unindex(NodeEntry node) {
    for (NodePath dependency : node.spec().dependsOn()) {
      Set<NodePath> set = dependents.get(dependency);
      if (set != null && set.remove(node.path()) && set.isEmpty()) {
        dependents.remove(dependency);
      }
    }
  }

  /** Forgets a group (its nodes stay until removed too); false if it was not known. */
  public boolean remove(GroupEntry group) {
    return groups.remove(group.path(), group);
  }

  /** Forgets a node; false if it was not known. */
  public boolean remove(NodeEntry node) {
    boolean removed = nodes.remove(node.path(), node);
    if (removed) {
      Map<NodePath, NodeEntry> ofGroup = byGroup.get(node.groupPath());
      ofGroup.remove(node.path());
      if (ofGroup.isEmpty()) {
        byGroup.remove(node.groupPath());
      }
      unindex(node);
    }
    return removed;
  }

  // ---- where things are ------------------------------------------------------------------------------

  /** The nodes of a group, in any phase. */
  public List<NodeEntry> nodesOf(GroupPath group) {
    return List.copyOf(indexed(group));
  }

  /** The nodes of a group path as the index holds them (not a copy). */
  private Collection<NodeEntry> indexed(GroupPath group) {
    return byGroup.getOrDefault(group, Map.of()).values();
  }

  /** The id of the host a node's group is assigned to, or null. */
  public String hostOf(NodeEntry node) {
    GroupEntry group = groups.get(node.groupPath());
    return group == null ? null : group.host();
  }

  /** The registered host a node's group is assigned to, or null. */
  public HostEntry hostEntryOf(NodeEntry node) {
    return host(hostOf(node));
  }

  /** The nodes whose group is assigned to host {@code hostId}. */
  public List<NodeEntry> nodesOn(String hostId) {
    List<NodeEntry> on = new ArrayList<>();
    groupsOn(hostId).forEach(group -> on.addAll(indexed(group.path())));
    return on;
  }

  /** The groups assigned to host {@code hostId}. */
  public List<GroupEntry> groupsOn(String hostId) {
    return groups.values().stream().filter(g -> hostId.equals(g.host())).toList();
  }

  /** The up host with the fewest nodes (then groups) on it, for a group placed {@code any}. */
  public Optional<String> leastLoadedHost() {
    Map<String, int[]> load = new HashMap<>();
    hosts.values().stream().filter(HostEntry::up).forEach(h -> load.put(h.id(), new int[2]));
    for (GroupEntry group : groups.values()) {
      int[] counts = group.host() == null ? null : load.get(group.host());
      if (counts != null) {
        counts[0] += indexed(group.path()).size();
        counts[1]++;
      }
    }
    return load.entrySet().stream()
        .min(Comparator.<Map.Entry<String, int[]>>comparingInt(e -> e.getValue()[0])
            .thenComparingInt(e -> e.getValue()[1])
            .thenComparing(Map.Entry::getKey))
        .map(Map.Entry::getKey);
  }

  // ---- why a call cannot proceed ---------------------------------------------------------------------

  /** Why {@code what} cannot use host {@code hostId} now, if it cannot. */
  public Optional<String> hostProblem(String hostId, String what) {
    if (hostId == null) {
      return Optional.of(what + " is waiting for a host to run on");
    }
    HostEntry host = hosts.get(hostId);
    if (host == null) {
      return Optional.of("no host " + hostId + " is registered; hosts: " + hostList());
    }
    if (!host.up()) {
      return Optional.of("host " + hostId + " of " + what + " is " + host.state());
    }
    return Optional.empty();
  }

  /** Why a call on the node at {@code path} cannot proceed, if it cannot; {@code needsHost}: it needs its host up. */
  public Optional<ManagerProtocol.Failed> nodeProblem(NodePath path, boolean needsHost) {
    NodeEntry node = nodes.get(path);
    if (node == null) {
      return Optional.of(new ManagerProtocol.Failed(ErrorCode.NO_SUCH_NODE, "no node " + path));
    }
    if (node.phase() != Phase.PRESENT) {
      return Optional.of(new ManagerProtocol.Failed(ErrorCode.BUSY, "node " + path + " is being "
          + (node.phase() == Phase.CREATING ? "created; wait for createNode to finish" : "removed")));
    }
    if (needsHost) {
      Optional<String> problem = hostProblem(hostOf(node), "node " + path);
      if (problem.isPresent()) {
        return Optional.of(new ManagerProtocol.Failed(ErrorCode.HOST_UNAVAILABLE, problem.get()));
      }
    }
    return Optional.empty();
  }

  /** The registered hosts, sorted, for messages. */
  public String hostList() {
    return hosts.isEmpty() ? "none" : hosts.keySet().stream().sorted().collect(Collectors.joining(", "));
  }

  /** The first groups, for a message about a group that does not exist. */
  public String groupsHint() {
    return groups.isEmpty() ? "; there are no groups" : "; groups: " + groups.keySet().stream().map(Object::toString).sorted()
        .limit(10).collect(Collectors.joining(", ")) + (groups.size() > 10 ? ", ..." : "");
  }

  // ---- observations ----------------------------------------------------------------------------------

  /** A new incarnation of a host agent runs nothing of what the old one ran. */
  public void forgetObservedOn(String hostId) {
    for (GroupEntry group : groupsOn(hostId)) {
      group.observed(false);
      group.resend().now();
      nodesOf(group.path()).forEach(n -> {
        n.lost();
        n.resend().now();
      });
    }
  }

  /**
   * Records a node status from a host.
   *
   * @return the node's entry, or null if the node should not be on that host (the caller has it removed)
   */
  public NodeEntry observe(HostEntry host, NodeStatus status) {
    NodeEntry node = nodes.get(status.path());
    GroupEntry group = groups.get(status.path().groupPath());
    if (node == null || group == null || !host.id().equals(group.host())) {
      return null;
    }
    node.observe(status);
    return node;
  }

  /** Applies a host's complete snapshot: it is the truth about what runs there. */
  public SnapshotResult applySnapshot(HostEntry host, HostEntry.Snapshot snapshot) {
    List<GroupEntry> removedGroups = new ArrayList<>();
    for (GroupEntry group : groupsOn(host.id())) {
      group.observed(snapshot.groups().contains(group.path()));
      if (group.phase() == Phase.REMOVING && !group.observed()) {
        removedGroups.add(group);
      }
    }
    List<GroupPath> strayGroups = new ArrayList<>();
    for (GroupPath path : snapshot.groups()) {
      GroupEntry group = groups.get(path);
      if (group == null || !host.id().equals(group.host())) {
        strayGroups.add(path);
      }
    }
    List<NodeEntry> created = new ArrayList<>();
    List<NodeEntry> changed = new ArrayList<>();
    List<NodePath> strayNodes = new ArrayList<>();
    Set<NodePath> seen = new HashSet<>();
    for (NodeStatus status : snapshot.nodes().values()) {
      NodeEntry node = observe(host, status);
      if (node == null) {
        strayNodes.add(status.path());
        continue;
      }
      seen.add(node.path());
      changed.add(node);
      if (node.phase() == Phase.CREATING) {
        created.add(node);
      }
    }
    List<NodeEntry> removedNodes = new ArrayList<>();
    for (NodeEntry node : nodesOn(host.id())) {
      if (!seen.contains(node.path()) && node.phase() != Phase.CREATING) {
        if (node.phase() == Phase.REMOVING) {
          removedNodes.add(node);
        } else if (node.observed() != null) {
          node.lost();
          changed.add(node);
        }
      }
    }
    return new SnapshotResult(created, changed, removedNodes, removedGroups, strayGroups, strayNodes);
  }
}
