package io.shepherd.manager.internal;

import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.HostInfo;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NextAction;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Small builders of registries, hosts and statuses for the tests of the Manager's parts (no actors). */
final class Fixtures {

  static final NodeSpec NOOP = NodeSpec.of("noop", Map.of());

  private Fixtures() {}

  /** A registry whose desired state has {@code groups} (on the host they name) and {@code nodes} (requested RUNNING). */
  static Registry registry(List<String> groups, List<String> nodes) {
    return new Registry(
        groups.stream().map(g -> new DesiredGroup(GroupPath.parse(g), GroupPath.parse(g).placement(), true, null)).toList(),
        nodes.stream().map(n -> new DesiredNode(NodePath.parse(n), NOOP, NodeState.RUNNING, 1, null, null)).toList(),
        Map.of());
  }

  /** A registered host, up; no actor behind it (nothing here sends). */
  static HostEntry host(Registry registry, String id) {
    HostEntry host = new HostEntry(id, null, new HostInfo(id, "akka://shepherd@127.0.0.1:1", 7, List.of("noop"), List.of(), 1,
        List.of()));
    host.registered(0);
    registry.add(host);
    return host;
  }

  /** A host's status of a node. */
  static NodeStatus status(String path, String host, NodeState state, NodeState requested, long seq) {
    return new NodeStatus(NodePath.parse(path), host, "noop", state, requested, Mode.AUTO, false, 0, null, null, 1.0, null, null, null,
        Instant.EPOCH, seq, 1, NextAction.of(state, requested, false, false));
  }
}
