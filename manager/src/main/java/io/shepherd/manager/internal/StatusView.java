package io.shepherd.manager.internal;

import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.LogProtocol;
import io.shepherd.protocol.NextAction;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds the status answer from the registry, split into parts of bounded size. */
public final class StatusView {

  private StatusView() {}

  /**
   * The status in parts: the first holds the manager, members, hosts, groups and the first nodes;
   * each further part holds more nodes only.
   */
  public static List<ClusterStatus> parts(ClusterStatus.Manager manager, List<ClusterStatus.Member> members, boolean converged,
                                          LogProtocol.LogStats logs, Registry registry, int partSize) {
    Map<String, int[]> counts = new HashMap<>();
    List<ClusterStatus.Group> groupList = new ArrayList<>();
    Map<GroupPath, String> hostOfGroup = new HashMap<>();
    for (GroupEntry group : registry.groups()) {
      hostOfGroup.put(group.path(), group.host());
      if (group.phase() == Phase.CREATING) {
        continue;
      }
      HostEntry host = registry.host(group.host());
      String status = group.phase() == Phase.REMOVING ? "REMOVING"
          : host != null && host.up() && group.observed() ? "UP" : "WAITING";
      groupList.add(new ClusterStatus.Group(group.path(), group.host(), group.persistent(), group.owner(), status, group.types()));
      if (group.host() != null) {
        counts.computeIfAbsent(group.host(), h -> new int[2])[0]++;
      }
    }
    List<NodeStatus> nodeList = new ArrayList<>();
    for (NodeEntry node : registry.nodes()) {
      if (node.phase() == Phase.CREATING) {
        continue;
      }
      String hostId = hostOfGroup.get(node.groupPath());
      nodeList.add(nodeStatus(node, hostId, registry.host(hostId)));
      if (hostId != null) {
        counts.computeIfAbsent(hostId, h -> new int[2])[1]++;
      }
    }
    nodeList.sort(Comparator.comparing(NodeStatus::path));
    groupList.sort(Comparator.comparing(g -> g.path().toString()));
    List<ClusterStatus.Host> hostList = new ArrayList<>();
    registry.hosts().forEach(h -> hostList.add(new ClusterStatus.Host(h.id(), h.address(), h.state().name(),
        counts.getOrDefault(h.id(), new int[2])[0], counts.getOrDefault(h.id(), new int[2])[1], h.logLevels(),
        h.info().containment())));
    // A host that desired state places groups on but that has not registered (e.g. it died before
    // this Manager incarnation started) is reported DOWN.
    counts.forEach((id, count) -> {
      if (registry.host(id) == null) {
        hostList.add(new ClusterStatus.Host(id, null, HostEntry.State.DOWN.name(), count[0], count[1]));
      }
    });
    hostList.sort(Comparator.comparing(ClusterStatus.Host::id));
    List<ClusterStatus> parts = new ArrayList<>();
    for (int from = 0; from == 0 || from < nodeList.size(); from += partSize) {
      List<NodeStatus> slice = nodeList.subList(from, Math.min(nodeList.size(), from + partSize));
      parts.add(from == 0
          ? new ClusterStatus(manager, members, hostList, groupList, slice, converged, logs)
          : new ClusterStatus(manager, List.of(), List.of(), List.of(), slice, converged, logs));
    }
    return parts;
  }

  /** What status says of one node. */
  public static NodeStatus nodeStatus(NodeEntry node, Registry registry) {
    String hostId = registry.hostOf(node);
    return nodeStatus(node, hostId, registry.host(hostId));
  }

  /**
   * The state status shows of a node: LOST when its host is gone, else its host's last word
   * (FAILED if it could not be placed, CREATED before any).
   */
  public static NodeState state(NodeEntry node, Registry registry) {
    return state(node, registry.hostEntryOf(node));
  }

  private static NodeState state(NodeEntry node, HostEntry host) {
    NodeStatus seen = node.observed();
    return lost(host) ? NodeState.LOST
        : seen != null ? seen.state()
        : node.placementError() != null ? NodeState.FAILED
        : NodeState.CREATED;
  }

  private static boolean lost(HostEntry host) {
    return host == null || host.state() == HostEntry.State.DOWN;
  }

  /** What the status of a node whose host is gone says in place of the host's last word on its process. */
  public static final String LOST_WITH_HOST = "lost with its host";

  /**
   * What status says of one node: its host's last report; LOST when the host is down, with no
   * process (no pid, {@link #LOST_WITH_HOST}) and since when the host went down.
   */
  private static NodeStatus nodeStatus(NodeEntry node, String hostId, HostEntry host) {
    NodeStatus seen = node.observed();
    boolean lost = lost(host);
    NodeState state = state(node, host);
    return new NodeStatus(node.path(), hostId, node.spec().type(), state, node.requested(), node.spec().mode(),
        seen != null && seen.stalled(), seen == null ? 0 : seen.restarts(),
        seen == null ? node.placementError() : seen.lastFailure(), seen == null ? null : seen.lastFailureAt(),
        seen == null ? 0.0 : seen.stability(), node.managedBy(),
        lost || seen == null ? null : seen.pid(), lost ? LOST_WITH_HOST : seen == null ? null : seen.exit(),
        lost && host != null && host.downSince() != null ? host.downSince() : seen == null ? Instant.ofEpochMilli(0) : seen.since(),
        node.seq(), seen == null ? 0 : seen.incarnation(),
        lost || (seen == null && node.placementError() != null) ? NextAction.WAIT : seen == null ? NextAction.UP : seen.nextAction(),
        !lost && seen != null && seen.finished(), seen == null ? null : seen.agentClass(),
        lost || seen == null ? null : seen.statusText(), node.waitingFor());
  }
}
