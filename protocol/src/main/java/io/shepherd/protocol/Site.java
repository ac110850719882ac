package io.shepherd.protocol;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A site file, parsed (OCS's site config): the NodeGroups and nodes a cluster should run, with the
 * state each node should be in. Applying it adds what is new, restarts what changed with its new
 * spec, leaves alone what did not change, and drives down, then deletes, what it no longer lists.
 *
 * @param source where it was read from, for messages (a file name)
 * @param groups the groups it declares, each with its nodes
 */
public record Site(String source, List<Group> groups) implements CborSerializable {

  /** The owner recorded on the groups a site file declares. */
  public static final String OWNER = "site";

  public Site {
    groups = List.copyOf(groups);
    Set<GroupPath> seen = new HashSet<>();
    for (Group group : groups) {
      if (!seen.add(group.path())) {
        throw new IllegalArgumentException("group " + group.path() + " is declared more than once");
      }
    }
  }

  /** Every node it declares. */
  public List<Node> nodes() {
    return groups.stream().flatMap(g -> g.nodes().stream()).toList();
  }

  /** A group and its nodes; every node's path is in this group. */
  public record Group(GroupPath path, List<Node> nodes) implements CborSerializable {
    public Group {
      nodes = List.copyOf(nodes);
      Set<NodePath> seen = new HashSet<>();
      for (Node node : nodes) {
        if (!node.path().groupPath().equals(path)) {
          throw new IllegalArgumentException("node " + node.path() + " is not in group " + path);
        }
        if (!seen.add(node.path())) {
          throw new IllegalArgumentException("node " + node.path() + " is declared more than once");
        }
      }
    }
  }

  /**
   * A node: its spec and the state it should be in ({@code RUNNING} for up; {@code STOPPED} for
   * down, which a new node reaches as {@code INITIALIZED}, never started).
   */
  public record Node(NodePath path, NodeSpec spec, NodeState target) implements CborSerializable {
    public Node {
      if (path == null || spec == null || target == null) {
        throw new IllegalArgumentException("a site node needs a path, a spec and a target state");
      }
      if (!target.requestable() || target == NodeState.CLOSED) {
        throw new IllegalArgumentException("node " + path + ": target must be up, down, CONFIGURED, INITIALIZED, RUNNING or "
            + "STOPPED, not " + target);
      }
    }

    /** The state a new node is created with: down is INITIALIZED, so a new process is never started. */
    public NodeState initialRequest() {
      return target == NodeState.STOPPED ? NodeState.INITIALIZED : target;
    }
  }
}
