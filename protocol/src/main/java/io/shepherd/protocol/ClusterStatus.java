package io.shepherd.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of the whole cluster as the Manager sees it: the answer to {@code status}.
 * Fields are only ever added, never removed.
 *
 * @param converged true if every member has seen the Manager's current view of the membership
 *     (gossip convergence); while false, members may disagree, e.g. on one just joined
 * @param logs the log server's counters (records, gaps, lost and dropped records), or null before its first report
 */
public record ClusterStatus(
    Manager manager, List<Member> members, List<Host> hosts, List<Group> groups, List<NodeStatus> nodes, boolean converged,
    LogProtocol.LogStats logs)
    implements CborSerializable {

  public ClusterStatus {
    members = List.copyOf(members);
    hosts = List.copyOf(hosts);
    groups = List.copyOf(groups);
    nodes = List.copyOf(nodes);
  }

  /**
   * The Manager incarnation that answered.
   *
   * @param address the member it runs on
   * @param epoch its epoch: higher than every earlier incarnation's
   * @param backup the member that takes over if it fails (the next oldest manager member), or null
   */
  public record Manager(String address, long epoch, String backup) implements CborSerializable {}

  /** A cluster member: its address, roles, Akka member status and reachability. */
  public record Member(String address, List<String> roles, String status, boolean reachable)
      implements CborSerializable {}

  /**
   * A host agent.
   *
   * @param id the host id
   * @param address the member it runs on
   * @param status UP, UNREACHABLE or DOWN
   * @param groups how many NodeGroups it runs
   * @param nodes how many nodes it runs
   * @param logLevels the log levels set on it at run time: {@code host}, {@code node:PATH} or
   *     {@code logger:NAME} to the level
   * @param containment how it contains the processes of its nodes: {@code cgroup v1: pids, memory,
   *     cpu}, {@code cgroup v2: ...}, or {@code none: why} (sessions only); null if not known
   */
  public record Host(String id, String address, String status, int groups, int nodes, Map<String, String> logLevels,
                     String containment)
      implements CborSerializable {
    @JsonCreator
    public Host {
      logLevels = logLevels == null ? Map.of() : Map.copyOf(logLevels);
    }

    /** A host without log levels set at run time. */
    public Host(String id, String address, String status, int groups, int nodes) {
      this(id, address, status, groups, nodes, null, null);
    }
  }

  /**
   * A NodeGroup.
   *
   * @param path its path
   * @param host the host it runs on now, or null while it waits for one
   * @param persistent true if it outlives the client that created it
   * @param owner the client that created it, or null
   * @param status UP, WAITING (its host is gone) or CREATING
   */
  /** @param types the node types registered in the group at run time, name to class (pyacq's register_node_type) */
  public record Group(GroupPath path, String host, boolean persistent, String owner, String status, Map<String, String> types)
      implements CborSerializable {

    @JsonCreator
    public Group {
      types = types == null ? Map.of() : Map.copyOf(types);
    }

    public Group(GroupPath path, String host, boolean persistent, String owner, String status) {
      this(path, host, persistent, owner, status, Map.of());
    }
  }
}
