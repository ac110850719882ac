package io.shepherd.manager.internal;

import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.HostProtocol;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Compares what should run on a host (desired state) with what its snapshot and events say runs
 * there (observed state), and sends the host the commands that close the gap. Commands are
 * idempotent and resent at most every {@code resendAfter}. A plain helper of the Manager actor:
 * it shares the Manager's maps and runs only inside the Manager's message handling.
 */
public final class Reconciler {

  /** What a complete snapshot changed. */
  public record SnapshotResult(List<NodeEntry> created, List<NodeEntry> changed, List<NodeEntry> removedNodes,
                               List<GroupEntry> removedGroups) {}

  private static final int PLACEMENT_RETRY_FACTOR = 6;

  private final long epoch;
  private final long resendAfterNanos;
  private final Map<String, HostEntry> hosts;
  private final Map<GroupPath, GroupEntry> groups;
  private final Map<NodePath, NodeEntry> nodes;

  public Reconciler(long epoch, long resendAfterNanos, Map<String, HostEntry> hosts, Map<GroupPath, GroupEntry> groups,
                    Map<NodePath, NodeEntry> nodes) {
    this.epoch = epoch;
    this.resendAfterNanos = resendAfterNanos;
    this.hosts = hosts;
    this.groups = groups;
    this.nodes = nodes;
  }

  /** The nodes of a group, in any phase. */
  public List<NodeEntry> nodesOf(GroupPath group) {
    return nodes.values().stream().filter(n -> n.path.groupPath().equals(group)).toList();
  }

  /** The host a node's group is assigned to, or null. */
  public String hostOf(NodeEntry node) {
    GroupEntry group = groups.get(node.path.groupPath());
    return group == null ? null : group.host;
  }

  /** A new incarnation of a host agent runs nothing of what the old one ran. */
  public void forgetObservedOn(String hostId) {
    for (GroupEntry group : groups.values()) {
      if (hostId.equals(group.host)) {
        group.observed = false;
        group.lastSent = 0;
        nodesOf(group.path).forEach(n -> {
          n.observed = null;
          n.lastSent = 0;
        });
      }
    }
  }

  public boolean addSnapshotPart(HostEntry host, ManagerProtocol.HostSnapshot part) {
    return host.addSnapshotPart(part.part(), part.parts(), part.groups(), part.nodes());
  }

  /** Applies a host's complete snapshot: it is the truth about what runs there. */
  public SnapshotResult applySnapshot(HostEntry host, long seq) {
    host.synced = true;
    host.nextSeq = seq + 1;
    List<GroupEntry> removedGroups = new ArrayList<>();
    for (GroupEntry group : groups.values()) {
      if (host.id.equals(group.host)) {
        group.observed = host.snapshotGroups.contains(group.path);
        if (group.phase == Phase.REMOVING && !group.observed) {
          removedGroups.add(group);
        }
      }
    }
    for (GroupPath path : host.snapshotGroups) {
      GroupEntry group = groups.get(path);
      if (group == null || !host.id.equals(group.host)) {
        host.ref.tell(new HostProtocol.RemoveGroup(epoch, path));
      }
    }
    List<NodeEntry> created = new ArrayList<>();
    List<NodeEntry> changed = new ArrayList<>();
    Set<NodePath> seen = new HashSet<>();
    for (NodeStatus status : host.snapshotNodes.values()) {
      NodeEntry node = observe(host, status);
      if (node != null) {
        seen.add(node.path);
        changed.add(node);
        if (node.phase == Phase.CREATING) {
          created.add(node);
        }
      }
    }
    List<NodeEntry> removedNodes = new ArrayList<>();
    for (NodeEntry node : nodes.values()) {
      if (host.id.equals(hostOf(node)) && !seen.contains(node.path) && node.phase != Phase.CREATING) {
        if (node.phase == Phase.REMOVING) {
          removedNodes.add(node);
        } else if (node.observed != null) {
          node.observed = null;
          changed.add(node);
        }
      }
    }
    host.snapshotNodes.clear();
    host.snapshotGroups.clear();
    return new SnapshotResult(created, changed, removedNodes, removedGroups);
  }

  /**
   * Records a node status from a host.
   *
   * @return the node's entry, or null if the node should not be on that host (it is then removed)
   */
  public NodeEntry observe(HostEntry host, NodeStatus status) {
    NodeEntry node = nodes.get(status.path());
    GroupEntry group = groups.get(status.path().groupPath());
    if (node == null || group == null || !host.id.equals(group.host)) {
      host.ref.tell(new HostProtocol.RemoveNode(epoch, status.path()));
      return null;
    }
    if (status.seq() > node.seq) {
      // The host followed a request this Manager never recorded (its predecessor failed before the
      // request was replicated, so no client was told it succeeded). Desired state wins: number the
      // desired request past the host's so that the host takes it.
      node.seq = status.seq() + 1;
    }
    node.observed = status;
    node.placementError = null;
    return node;
  }

  /** Sends a host what it lacks of its desired state, and removes what it should not run. */
  public void reconcileHost(HostEntry host, long now) {
    if (!host.up() || !host.synced) {
      return;
    }
    for (GroupEntry group : groups.values()) {
      if (!host.id.equals(group.host)) {
        continue;
      }
      if (group.phase == Phase.PRESENT && !group.observed && due(group.lastSent, now, 1)) {
        group.lastSent = now;
        host.ref.tell(new HostProtocol.CreateGroup(epoch, group.path));
      } else if (group.phase == Phase.REMOVING && group.observed && due(group.lastSent, now, 1)) {
        group.lastSent = now;
        host.ref.tell(new HostProtocol.RemoveGroup(epoch, group.path));
      }
    }
    for (NodeEntry node : nodes.values()) {
      GroupEntry group = groups.get(node.path.groupPath());
      if (group == null || !host.id.equals(group.host) || !group.observed) {
        continue;
      }
      if (node.phase == Phase.PRESENT && node.observed == null) {
        if (due(node.lastSent, now, node.placementError == null ? 1 : PLACEMENT_RETRY_FACTOR)) {
          node.lastSent = now;
          host.ref.tell(new HostProtocol.CreateNode(epoch, node.path, node.spec, node.requested, node.seq, node.checkpoint));
        }
      } else if (node.phase == Phase.PRESENT && !node.hostHasLatestRequest() && due(node.lastSent, now, 1)) {
        node.lastSent = now;
        host.ref.tell(new HostProtocol.RequestState(epoch, node.path, node.requested, node.seq));
      } else if (node.phase == Phase.REMOVING && node.observed != null && due(node.lastSent, now, 1)) {
        node.lastSent = now;
        host.ref.tell(new HostProtocol.RemoveNode(epoch, node.path));
      }
    }
  }

  /** The up host with the fewest nodes (then groups) on it, for a group placed {@code any}. */
  public Optional<String> leastLoadedHost() {
    Map<String, int[]> load = new HashMap<>();
    hosts.values().stream().filter(HostEntry::up).forEach(h -> load.put(h.id, new int[2]));
    for (GroupEntry group : groups.values()) {
      int[] counts = group.host == null ? null : load.get(group.host);
      if (counts != null) {
        counts[1]++;
      }
    }
    for (NodeEntry node : nodes.values()) {
      int[] counts = load.get(hostOf(node));
      if (counts != null) {
        counts[0]++;
      }
    }
    return load.entrySet().stream()
        .min(Comparator.<Map.Entry<String, int[]>>comparingInt(e -> e.getValue()[0])
            .thenComparingInt(e -> e.getValue()[1])
            .thenComparing(Map.Entry::getKey))
        .map(Map.Entry::getKey);
  }

  private boolean due(long lastSent, long now, int factor) {
    return lastSent == 0 || now - lastSent >= resendAfterNanos * factor;
  }
}
