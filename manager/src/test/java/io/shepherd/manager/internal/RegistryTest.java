package io.shepherd.manager.internal;

import static io.shepherd.manager.internal.Fixtures.host;
import static io.shepherd.manager.internal.Fixtures.registry;
import static io.shepherd.manager.internal.Fixtures.status;
import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry: what a host's snapshot changes, where nodes are, and why a call cannot proceed. */
class RegistryTest {

  static List<String> paths(List<NodeEntry> nodes) {
    return nodes.stream().map(n -> n.path().toString()).sorted().toList();
  }

  @Test
  void aSnapshotIsTheTruthAboutItsHost() {
    Registry registry = registry(List.of("daq1/acq", "daq1/gone", "daq2/other"), List.of("daq1/acq/a", "daq1/acq/b", "daq1/acq/c"));
    HostEntry host = host(registry, "daq1");
    registry.node(NodePath.parse("daq1/acq/c")).startRemoval(null);
    registry.group(GroupPath.parse("daq1/gone")).startRemoval(null);
    // The host ran b before; it no longer does.
    registry.node(NodePath.parse("daq1/acq/b")).observe(status("daq1/acq/b", "daq1", NodeState.RUNNING, NodeState.RUNNING, 1));
    HostEntry.Snapshot snapshot = host.addSnapshotPart(0, 1, List.of(GroupPath.parse("daq1/acq"), GroupPath.parse("daq1/stray")),
        List.of(status("daq1/acq/a", "daq1", NodeState.RUNNING, NodeState.RUNNING, 4),
            status("daq1/stray/x", "daq1", NodeState.RUNNING, NodeState.RUNNING, 1)), 0);

    Registry.SnapshotResult result = registry.applySnapshot(host, snapshot);

    assertEquals(List.of("daq1/acq/a", "daq1/acq/b"), paths(result.changed()), "a reported, b no longer reported");
    assertNull(registry.node(NodePath.parse("daq1/acq/b")).observed());
    assertEquals(List.of("daq1/acq/c"), paths(result.removedNodes()), "c was being removed and is gone");
    assertEquals(List.of(GroupPath.parse("daq1/gone")), result.removedGroups().stream().map(GroupEntry::path).toList());
    assertEquals(List.of(GroupPath.parse("daq1/stray")), result.strayGroups(), "nobody wants it there");
    assertEquals(List.of(NodePath.parse("daq1/stray/x")), result.strayNodes());
    assertTrue(registry.group(GroupPath.parse("daq1/acq")).observed());
    assertFalse(registry.group(GroupPath.parse("daq2/other")).observed(), "another host's group is left alone");
    assertEquals(5, registry.node(NodePath.parse("daq1/acq/a")).seq(),
        "the host followed request 4, which this Manager never recorded: desired state numbers past it");
  }

  @Test
  void theLeastLoadedUpHostTakesAFloatingGroup() {
    Registry registry = registry(List.of("daq1/acq", "daq2/acq"), List.of("daq1/acq/a", "daq1/acq/b", "daq2/acq/a"));
    host(registry, "daq1");
    host(registry, "daq2");
    HostEntry daq3 = host(registry, "daq3");
    assertEquals("daq3", registry.leastLoadedHost().orElseThrow(), "no node at all");
    daq3.down(Instant.now());
    assertEquals("daq2", registry.leastLoadedHost().orElseThrow(), "one node against two");
  }

  @Test
  void theNodesOfAHostOrGroupFollowAddsRemovalsReplacementsAndMoves() {
    Registry registry = registry(List.of("daq1/acq", "daq1/rec", "daq2/acq"), List.of("daq1/acq/a", "daq1/acq/b", "daq1/rec/r",
        "daq2/acq/a"));
    assertEquals(List.of("daq1/acq/a", "daq1/acq/b", "daq1/rec/r"), paths(registry.nodesOn("daq1")));
    assertEquals(List.of("daq2/acq/a"), paths(registry.nodesOn("daq2")));
    assertEquals(List.of(), paths(registry.nodesOn("daq3")));
    assertEquals(List.of("daq1/acq/a", "daq1/acq/b"), paths(registry.nodesOf(GroupPath.parse("daq1/acq"))));

    NodeEntry b = registry.node(NodePath.parse("daq1/acq/b"));
    List<NodeEntry> before = registry.nodesOf(GroupPath.parse("daq1/acq"));
    assertTrue(registry.remove(b));
    assertEquals(2, before.size(), "what was handed out is a copy: removing while walking it is safe");
    assertFalse(registry.remove(b), "already gone");
    assertEquals(List.of("daq1/acq/a"), paths(registry.nodesOf(GroupPath.parse("daq1/acq"))));
    registry.remove(registry.node(NodePath.parse("daq1/rec/r")));
    assertEquals(List.of(), paths(registry.nodesOf(GroupPath.parse("daq1/rec"))), "its group's last node gone");

    NodeEntry again = NodeEntry.declared(NodePath.parse("daq1/acq/a"), Fixtures.NOOP, NodeState.RUNNING, NodeState.RUNNING);
    registry.add(again);
    assertSame(again, registry.nodesOf(GroupPath.parse("daq1/acq")).get(0), "a new entry for a path replaces the old one");
    assertEquals(1, registry.nodesOn("daq1").size());
    NodeEntry stale = NodeEntry.declared(NodePath.parse("daq1/acq/a"), Fixtures.NOOP, NodeState.RUNNING, NodeState.RUNNING);
    assertFalse(registry.remove(stale), "an entry that is not the registry's own removes nothing");
    assertSame(again, registry.nodesOf(GroupPath.parse("daq1/acq")).get(0));

    registry.group(GroupPath.parse("daq1/acq")).moveTo("daq2");
    assertEquals(List.of(), paths(registry.nodesOn("daq1")));
    assertEquals(List.of("daq1/acq/a", "daq2/acq/a"), paths(registry.nodesOn("daq2")), "a group's nodes go where the group goes");
    host(registry, "daq1");
    host(registry, "daq2");
    assertEquals("daq1", registry.leastLoadedHost().orElseThrow(), "no node left on daq1, two on daq2");
  }

  @Test
  void aCallOnANodeNamesWhatStandsInItsWay() {
    Registry registry = registry(List.of("daq1/acq"), List.of("daq1/acq/a"));
    assertEquals(ErrorCode.NO_SUCH_NODE, registry.nodeProblem(NodePath.parse("daq1/acq/zzz"), false).orElseThrow().code());
    assertEquals("no host daq1 is registered; hosts: none",
        registry.nodeProblem(NodePath.parse("daq1/acq/a"), true).orElseThrow().message());
    assertTrue(registry.nodeProblem(NodePath.parse("daq1/acq/a"), false).isEmpty(), "without its host, a mode can still be set");
    HostEntry host = host(registry, "daq1");
    assertTrue(registry.nodeProblem(NodePath.parse("daq1/acq/a"), true).isEmpty());
    host.unreachable();
    assertEquals("host daq1 of node daq1/acq/a is UNREACHABLE",
        registry.nodeProblem(NodePath.parse("daq1/acq/a"), true).orElseThrow().message());
    registry.node(NodePath.parse("daq1/acq/a")).startRemoval(null);
    assertEquals(ErrorCode.BUSY, registry.nodeProblem(NodePath.parse("daq1/acq/a"), false).orElseThrow().code());
  }
}
