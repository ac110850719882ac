package io.shepherd.manager.internal;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import io.shepherd.protocol.DependencyFailure;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.HostInfo;
import io.shepherd.protocol.HostProtocol;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The dependency graph and the holds it puts on what hosts are asked for; the hosts are test probes. */
class DependenciesTest {

  static final ActorTestKit kit = ActorTestKit.create("dependencies");
  final TestProbe<HostProtocol.Command> daq1 = kit.createTestProbe();
  final TestProbe<HostProtocol.Command> daq2 = kit.createTestProbe();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  static NodeSpec dependsOn(DependencyFailure policy, String... paths) {
    return Fixtures.NOOP.withDependsOn(List.of(paths).stream().map(NodePath::parse).toList()).withOnDependencyFailure(policy);
  }

  /** a <- b <- c (c depends on b, b on a), and d depends on a with {@code policy}. */
  Registry chain(DependencyFailure policy) {
    List<DesiredNode> nodes = List.of(
        new DesiredNode(NodePath.parse("daq1/g/a"), Fixtures.NOOP, NodeState.RUNNING, 1, null, null),
        new DesiredNode(NodePath.parse("daq2/g/b"), dependsOn(DependencyFailure.KEEP, "daq1/g/a"), NodeState.RUNNING, 1, null, null),
        new DesiredNode(NodePath.parse("daq1/g/c"), dependsOn(DependencyFailure.KEEP, "daq2/g/b"), NodeState.RUNNING, 1, null, null),
        new DesiredNode(NodePath.parse("daq1/g/d"), dependsOn(policy, "daq1/g/a"), NodeState.RUNNING, 1, null, null));
    Registry registry = new Registry(List.of(new DesiredGroup(GroupPath.parse("daq1/g"), "daq1", true, null),
        new DesiredGroup(GroupPath.parse("daq2/g"), "daq2", true, null)), nodes, Map.of());
    for (TestProbe<HostProtocol.Command> probe : List.of(daq1, daq2)) {
      String id = probe == daq1 ? "daq1" : "daq2";
      HostEntry host = new HostEntry(id, probe.getRef(), new HostInfo(id, "akka://shepherd@127.0.0.1:1", 7, List.of("noop"), List.of(), 1,
          List.of()));
      host.registered(0);
      registry.add(host);
    }
    return registry;
  }

  static void observe(Registry registry, String path, NodeState state) {
    NodeEntry node = registry.node(NodePath.parse(path));
    registry.observe(registry.host(node.path().placement()), Fixtures.status(path, node.path().placement(), state, node.toHost(),
        node.seq()));
  }

  @Test
  void aNodeWaitsBelowRunningUntilItsDependencyRunsAndSaysForWhat() {
    Registry registry = chain(DependencyFailure.KEEP);
    Dependencies dependencies = new Dependencies(registry, new HostLink(1));
    dependencies.regateAll();
    NodeEntry b = registry.node(NodePath.parse("daq2/g/b"));
    NodeEntry c = registry.node(NodePath.parse("daq1/g/c"));
    assertEquals(NodeState.RUNNING, registry.node(NodePath.parse("daq1/g/a")).toHost(), "no dependency: asked for its request");
    assertEquals(NodeState.INITIALIZED, b.toHost(), "held ready, not started");
    assertEquals("waiting for daq1/g/a: CREATED", b.waitingFor());
    assertEquals(NodeState.RUNNING, b.requested(), "its request stays what was asked");

    observe(registry, "daq1/g/a", NodeState.STARTING);
    dependencies.changed(NodePath.parse("daq1/g/a"));
    assertEquals("waiting for daq1/g/a: STARTING", b.waitingFor(), "STARTING is not ready");
    observe(registry, "daq1/g/a", NodeState.RUNNING);
    dependencies.changed(NodePath.parse("daq1/g/a"));
    assertEquals(NodeState.RUNNING, b.toHost());
    assertNull(b.waitingFor());
    assertEquals(NodeState.INITIALIZED, c.toHost(), "c waits for b, which is not running yet");
  }

  @Test
  void aNodeGoingDownWaitsForItsDependentsGoingDownToo() {
    Registry registry = chain(DependencyFailure.KEEP);
    Dependencies dependencies = new Dependencies(registry, new HostLink(1));
    for (String path : List.of("daq1/g/a", "daq2/g/b", "daq1/g/c", "daq1/g/d")) {
      observe(registry, path, NodeState.RUNNING);
    }
    for (String path : List.of("daq1/g/a", "daq2/g/b", "daq1/g/c")) {
      registry.node(NodePath.parse(path)).request(NodeState.STOPPED);
    }
    dependencies.regateAll();
    NodeEntry a = registry.node(NodePath.parse("daq1/g/a"));
    NodeEntry b = registry.node(NodePath.parse("daq2/g/b"));
    assertEquals(NodeState.RUNNING, a.toHost(), "held up while b stops");
    assertEquals("waiting for its dependents to stop first: daq2/g/b: RUNNING", a.waitingFor(), "d stays up and does not hold it");
    assertEquals(NodeState.RUNNING, b.toHost());
    assertEquals(NodeState.STOPPED, registry.node(NodePath.parse("daq1/g/c")).toHost(), "the last goes first");
    // The requests were recorded here, not sent (Requests sends them); a's hold changed what its host is asked for: sent at once.
    HostProtocol.RequestState kept = (HostProtocol.RequestState) daq1.receiveMessage();
    assertEquals(NodePath.parse("daq1/g/a"), kept.path());
    assertEquals(NodeState.RUNNING, kept.requested(), "a's host is asked to keep it RUNNING for now");
    observe(registry, "daq1/g/c", NodeState.STOPPED);
    dependencies.changed(NodePath.parse("daq1/g/c"));
    assertEquals(NodeState.STOPPED, b.toHost());
    observe(registry, "daq2/g/b", NodeState.STOPPED);
    dependencies.changed(NodePath.parse("daq2/g/b"));
    assertEquals(NodeState.STOPPED, a.toHost());
    assertEquals(List.of(NodePath.parse("daq1/g/c"), NodePath.parse("daq2/g/b"), NodePath.parse("daq1/g/a")),
        dependencies.stopOrder(List.of(NodePath.parse("daq1/g/a"), NodePath.parse("daq2/g/b"), NodePath.parse("daq1/g/c"))));
  }

  @Test
  void aRunningDependentKeepsRunsOnStopsAndRestartsOnceItsDependencyIsBack() {
    for (DependencyFailure policy : DependencyFailure.values()) {
      Registry registry = chain(policy);
      Dependencies dependencies = new Dependencies(registry, new HostLink(1));
      observe(registry, "daq1/g/a", NodeState.RUNNING);
      observe(registry, "daq1/g/d", NodeState.RUNNING);
      dependencies.regateAll();
      NodeEntry d = registry.node(NodePath.parse("daq1/g/d"));
      observe(registry, "daq1/g/a", NodeState.FAILED);
      dependencies.changed(NodePath.parse("daq1/g/a"));
      assertEquals(policy == DependencyFailure.STOP ? NodeState.STOPPED : NodeState.RUNNING, d.toHost(), policy.name());
      NodeEntry a = registry.node(NodePath.parse("daq1/g/a"));
      // a runs again as its next incarnation
      registry.observe(registry.host("daq1"), new NodeStatus(a.path(), "daq1", "noop", NodeState.RUNNING,
          NodeState.RUNNING, Mode.AUTO, false, 1, null, null, 1.0, null, null, null, Instant.EPOCH,
          a.seq(), 2, "none"));
      dependencies.changed(a.path());
      assertEquals(policy == DependencyFailure.RESTART ? NodeState.STOPPED : NodeState.RUNNING, d.toHost(),
          policy + ": restart stops it (then starts it again), the others run");
      if (policy == DependencyFailure.RESTART) {
        assertEquals("restarting: a dependency runs again as a new incarnation", d.waitingFor());
        observe(registry, "daq1/g/d", NodeState.STOPPED);
        dependencies.changed(d.path());
        assertEquals(NodeState.RUNNING, d.toHost(), "and then up again");
      }
    }
  }

  @Test
  void aMissingDependencyOrACycleIsAProblemWithItsNames() {
    Registry registry = chain(DependencyFailure.KEEP);
    Map<NodePath, List<NodePath>> change = new HashMap<>();
    change.put(NodePath.parse("daq1/g/a"), List.of(NodePath.parse("daq1/g/c")));
    assertEquals(List.of("dependency cycle: daq1/g/a -> daq1/g/c -> daq2/g/b -> daq1/g/a"), Dependencies.problems(registry, change));
    change.put(NodePath.parse("daq1/g/a"), List.of(NodePath.parse("daq9/x/y"), NodePath.parse("daq1/g/a")));
    assertEquals(List.of("node daq1/g/a depends on daq9/x/y, which does not exist", "node daq1/g/a depends on itself",
        "dependency cycle: daq1/g/a -> daq1/g/a"), Dependencies.problems(registry, change));
    Map<NodePath, List<NodePath>> removal = new HashMap<>();
    removal.put(NodePath.parse("daq1/g/a"), null);
    removal.put(NodePath.parse("daq1/g/e"), List.of(NodePath.parse("daq1/g/a")));
    assertEquals(List.of("node daq1/g/e depends on daq1/g/a, which does not exist"), Dependencies.problems(registry, removal),
        "a node removed in the same change does not exist");
    assertEquals(List.of(), Dependencies.problems(registry, Map.of(NodePath.parse("daq1/g/e"), List.of(NodePath.parse("daq1/g/c")))));
  }
}
