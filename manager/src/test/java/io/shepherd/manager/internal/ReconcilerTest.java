package io.shepherd.manager.internal;

import static io.shepherd.manager.internal.Fixtures.host;
import static io.shepherd.manager.internal.Fixtures.registry;
import static io.shepherd.manager.internal.Fixtures.status;
import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.HostProtocol;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reconciliation as a pure function: which commands a host lacks, and when they are resent. */
class ReconcilerTest {

  static final long RESEND = 1_000;

  static List<String> describe(List<Reconciler.Action> actions) {
    return actions.stream().map(a -> a.getClass().getSimpleName() + " " + about(a)).sorted().toList();
  }

  static Object about(Reconciler.Action action) {
    if (action instanceof Reconciler.CreateGroup c) {
      return c.group().path();
    } else if (action instanceof Reconciler.RemoveGroup r) {
      return r.group().path();
    } else if (action instanceof Reconciler.CreateNode c) {
      return c.node().path();
    } else if (action instanceof Reconciler.RequestState r) {
      return r.node().path();
    }
    return ((Reconciler.RemoveNode) action).node().path();
  }

  static void sent(List<Reconciler.Action> actions, long now) {
    actions.forEach(a -> a.resend().sent(now));
  }

  /** A registered host whose snapshot says it runs {@code groups} and {@code nodes}. */
  static HostEntry synced(Registry registry, String id, Set<String> groups, List<NodeStatus> nodes) {
    HostEntry host = host(registry, id);
    registry.applySnapshot(host, host.addSnapshotPart(0, 1, groups.stream().map(GroupPath::parse).toList(), nodes, 0));
    return host;
  }

  @Test
  void aHostThatIsNotSyncedOrNotUpIsSentNothing() {
    Registry registry = registry(List.of("daq1/acq"), List.of("daq1/acq/a"));
    HostEntry host = host(registry, "daq1");
    assertEquals(List.of(), Reconciler.plan(host, registry, 10, RESEND), "no snapshot yet");
    host.addSnapshotPart(0, 1, List.of(), List.of(), 0);
    host.unreachable();
    assertEquals(List.of(), Reconciler.plan(host, registry, 10, RESEND), "unreachable");
  }

  @Test
  void aMissingGroupIsCreatedFirstThenItsNodesAndCommandsAreResentOnlyAfterTheInterval() {
    Registry registry = registry(List.of("daq1/acq", "daq2/other"), List.of("daq1/acq/a", "daq1/acq/b"));
    HostEntry host = synced(registry, "daq1", Set.of(), List.of());
    List<Reconciler.Action> first = Reconciler.plan(host, registry, 10, RESEND);
    assertEquals(List.of("CreateGroup daq1/acq"), describe(first), "nodes wait for their group; daq2's group is not daq1's");
    assertEquals(new HostProtocol.CreateGroup(5, GroupPath.parse("daq1/acq")), first.get(0).command(5), "with the epoch given");
    sent(first, 10);
    assertEquals(List.of(), Reconciler.plan(host, registry, 10 + RESEND - 1, RESEND), "not again within the interval");
    assertEquals(List.of("CreateGroup daq1/acq"), describe(Reconciler.plan(host, registry, 10 + RESEND, RESEND)));

    registry.group(GroupPath.parse("daq1/acq")).observed(true);
    List<Reconciler.Action> nodes = Reconciler.plan(host, registry, 20, RESEND);
    assertEquals(List.of("CreateNode daq1/acq/a", "CreateNode daq1/acq/b"), describe(nodes));
    HostProtocol.CreateNode create = (HostProtocol.CreateNode) nodes.get(0).command(5);
    assertEquals(NodeState.RUNNING, create.requested());
    assertEquals(1, create.seq());
  }

  @Test
  void commandsInFlightAreThoseSentWithinTheResendIntervalThatTheHostHasNotAnswered() {
    Registry registry = registry(List.of("daq1/acq"), List.of("daq1/acq/a", "daq1/acq/b", "daq1/acq/c"));
    HostEntry host = synced(registry, "daq1", Set.of("daq1/acq"), List.of());
    List<Reconciler.Action> creates = Reconciler.plan(host, registry, 10, RESEND);
    assertEquals(3, creates.size());
    assertEquals(0, Reconciler.inFlight(host, registry, 10, RESEND), "planned, not sent");
    sent(creates, 10);
    assertEquals(3, Reconciler.inFlight(host, registry, 10, RESEND));
    registry.node(NodePath.parse("daq1/acq/a")).resend().answered();
    assertEquals(2, Reconciler.inFlight(host, registry, 11, RESEND), "the host reported on a");
    assertEquals(2, Reconciler.inFlight(host, registry, 10 + RESEND - 1, RESEND));
    assertEquals(0, Reconciler.inFlight(host, registry, 10 + RESEND, RESEND), "past the interval they are resent, not waited for");
    registry.node(NodePath.parse("daq1/acq/b")).resend().now();
    assertEquals(1, Reconciler.inFlight(host, registry, 11, RESEND), "a node to be sent again at once is not in flight");
  }

  @Test
  void aNodeBehindItsLatestRequestIsSentTheRequestAndOneUpToDateNothing() {
    Registry registry = registry(List.of("daq1/acq"), List.of("daq1/acq/a", "daq1/acq/b"));
    HostEntry host = synced(registry, "daq1", Set.of("daq1/acq"), List.of(
        status("daq1/acq/a", "daq1", NodeState.RUNNING, NodeState.RUNNING, 1),
        status("daq1/acq/b", "daq1", NodeState.RUNNING, NodeState.RUNNING, 1)));
    assertEquals(List.of(), Reconciler.plan(host, registry, 10, RESEND), "both run as requested");
    NodeEntry b = registry.node(NodePath.parse("daq1/acq/b"));
    assertEquals(2, b.request(NodeState.STOPPED));
    List<Reconciler.Action> actions = Reconciler.plan(host, registry, 10, RESEND);
    assertEquals(List.of("RequestState daq1/acq/b"), describe(actions));
    assertEquals(new HostProtocol.RequestState(3, b.path(), NodeState.STOPPED, 2), actions.get(0).command(3));
  }

  @Test
  void aRemovedNodeStillReportedIsRemovedAndAFailedPlacementIsRetriedLessOften() {
    Registry registry = registry(List.of("daq1/acq"), List.of("daq1/acq/a", "daq1/acq/b"));
    HostEntry host = synced(registry, "daq1", Set.of("daq1/acq"), List.of(
        status("daq1/acq/a", "daq1", NodeState.RUNNING, NodeState.RUNNING, 1)));
    NodeEntry a = registry.node(NodePath.parse("daq1/acq/a"));
    assertTrue(a.startRemoval(null));
    NodeEntry b = registry.node(NodePath.parse("daq1/acq/b"));
    b.rejected("no such executable");
    List<Reconciler.Action> actions = Reconciler.plan(host, registry, 10, RESEND);
    assertEquals(List.of("CreateNode daq1/acq/b", "RemoveNode daq1/acq/a"), describe(actions));
    sent(actions, 10);
    assertEquals(List.of("RemoveNode daq1/acq/a"), describe(Reconciler.plan(host, registry, 10 + RESEND, RESEND)),
        "a node its host could not create waits " + Reconciler.PLACEMENT_RETRY_FACTOR + " intervals");
    assertEquals(List.of("CreateNode daq1/acq/b", "RemoveNode daq1/acq/a"),
        describe(Reconciler.plan(host, registry, 10 + RESEND * Reconciler.PLACEMENT_RETRY_FACTOR, RESEND)));
  }

  @Test
  void aGroupBeingRemovedIsRemovedWhileItsHostReportsIt() {
    Registry registry = registry(List.of("daq1/acq"), List.of());
    HostEntry host = synced(registry, "daq1", Set.of("daq1/acq"), List.of());
    assertTrue(registry.group(GroupPath.parse("daq1/acq")).startRemoval(null));
    assertEquals(List.of("RemoveGroup daq1/acq"), describe(Reconciler.plan(host, registry, 10, RESEND)));
    registry.group(GroupPath.parse("daq1/acq")).observed(false);
    assertEquals(List.of(), Reconciler.plan(host, registry, 10, RESEND));
  }
}
