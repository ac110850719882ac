package io.shepherd.manager;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.cluster.typed.Leave;
import com.typesafe.config.ConfigFactory;
import io.shepherd.ShepherdConfig;
import io.shepherd.protocol.Checkpoint;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.Event;
import io.shepherd.protocol.Fault;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.HostProtocol;
import io.shepherd.protocol.LifecycleAction;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import io.shepherd.testing.TestConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Manager against hosts played by probes, in a one-member cluster. */
class ManagerTest {

  static final Duration WAIT = FakeHost.WAIT;
  static final GroupPath ACQ = GroupPath.parse("daq1/acq");
  static final NodePath SINE = ACQ.node("sine");

  ActorTestKit kit;
  ActorRef<ManagerProtocol.Command> manager;
  TestProbe<ManagerProtocol.Reply> client;
  FakeHost daq1;

  @BeforeEach
  void start() {
    kit = ActorTestKit.create("shepherd", ConfigFactory.parseString("""
        akka.remote.artery.canonical.port = 0
        akka.cluster.roles = [manager, member]
        akka.actor.serialize-messages = on
        shepherd.manager.reconcile-interval = 200ms
        shepherd.manager.resend-after = 400ms
        shepherd.manager.host-commands-in-flight = 3
        shepherd.manager.status-part-size = 2
        shepherd.manager.lease-grace = 1s
        shepherd.logs.server.dir = "target/shepherd-logs"
        """).withFallback(ShepherdConfig.load(TestConfig.plain())));
    Cluster cluster = Cluster.get(kit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    TestProbe<Object> probe = kit.createTestProbe();
    probe.awaitAssert(WAIT, () -> {
      assertEquals(MemberStatus.up(), cluster.selfMember().status());
      return null;
    });
    manager = kit.spawn(Manager.create(ManagerSettings.create(kit.system())), "manager");
    client = kit.createTestProbe();
    // This test's own client session renews for longer than any test runs.
    manager.tell(new ManagerProtocol.RenewLease(clientId(), 600_000, client.getRef()));
    expectOk();
    daq1 = registeredHost("daq1");
  }

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  /** The session of this test's client: its lease is renewed. */
  String clientId() {
    return "session-test";
  }

  /** The next event of a type the Manager streams to {@code events}. */
  static Event nextEvent(TestProbe<ManagerProtocol.EventBatch> events, String type,
                                            ArrayDeque<Event> seen) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      while (!seen.isEmpty()) {
        Event event = seen.poll();
        if (event.type().equals(type)) {
          return event;
        }
      }
      seen.addAll(events.expectMessageClass(ManagerProtocol.EventBatch.class, WAIT).events());
    }
    throw new AssertionError("no " + type + " event within " + WAIT);
  }

  FakeHost registeredHost(String id) {
    Cluster cluster = Cluster.get(kit.system());
    FakeHost host = new FakeHost(kit, id, cluster.selfMember().address().toString(), cluster.selfMember().uniqueAddress().longUid());
    host.register(manager);
    host.snapshot(List.of(), List.of());
    return host;
  }

  ManagerProtocol.Ok expectOk() {
    ManagerProtocol.Reply reply = client.expectMessageClass(ManagerProtocol.Reply.class, WAIT);
    assertInstanceOf(ManagerProtocol.Ok.class, reply, () -> "expected Ok, got " + reply);
    return (ManagerProtocol.Ok) reply;
  }

  ManagerProtocol.Failed expectFailed(ErrorCode code) {
    ManagerProtocol.Reply reply = client.expectMessageClass(ManagerProtocol.Reply.class, WAIT);
    assertInstanceOf(ManagerProtocol.Failed.class, reply, () -> "expected " + code + ", got " + reply);
    assertEquals(code, ((ManagerProtocol.Failed) reply).code(), reply::toString);
    return (ManagerProtocol.Failed) reply;
  }

  ClusterStatus status() {
    TestProbe<ManagerProtocol.StatusPart> parts = kit.createTestProbe();
    manager.tell(new ManagerProtocol.GetStatus(parts.getRef()));
    ManagerProtocol.StatusPart first = parts.expectMessageClass(ManagerProtocol.StatusPart.class, WAIT);
    List<NodeStatus> nodes = new ArrayList<>(first.status().nodes());
    for (int i = 1; i < first.parts(); i++) {
      nodes.addAll(parts.expectMessageClass(ManagerProtocol.StatusPart.class, WAIT).status().nodes());
    }
    ClusterStatus s = first.status();
    return new ClusterStatus(s.manager(), s.members(), s.hosts(), s.groups(), nodes, s.converged(), s.logs());
  }

  /** Creates daq1/acq and daq1/acq/sine (CREATED) through the fake host. */
  void createGroupAndNode() {
    manager.tell(new ManagerProtocol.CreateGroup(ACQ, false, clientId(), client.getRef()));
    daq1.expect(HostProtocol.CreateGroup.class);
    daq1.groupCreated(ACQ);
    expectOk();
    manager.tell(new ManagerProtocol.CreateNode(SINE, NodeSpec.of("noop", Map.of()), NodeState.CREATED, client.getRef()));
    HostProtocol.CreateNode create = daq1.expect(HostProtocol.CreateNode.class);
    assertEquals(1, create.seq());
    daq1.nodeUpdated(daq1.status(SINE, NodeState.CREATED, NodeState.CREATED, 1));
    assertEquals(NodeState.CREATED, expectOk().node().state());
  }

  /** Creates daq1/acq/n0 ... n{count-1} (CREATED) through the fake host, after {@link #createGroupAndNode}. */
  List<NodePath> createNodes(int count) {
    List<NodePath> paths = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      NodePath path = ACQ.node("n" + i);
      manager.tell(new ManagerProtocol.CreateNode(path, NodeSpec.of("noop", Map.of()), NodeState.CREATED, client.getRef()));
      daq1.expect(HostProtocol.CreateNode.class);
      daq1.nodeUpdated(daq1.status(path, NodeState.CREATED, NodeState.CREATED, 1));
      expectOk();
      paths.add(path);
    }
    return paths;
  }

  /**
   * A chain across two hosts (n0 <- n1 <- ... <- n5, even ones on daq1, odd ones on daq2), taken up,
   * down and up again: each call asks each node's host once, and then the chain follows its order.
   */
  @Test
  void anUpOrDownOfAChainAcrossTwoHostsAsksEachNodeOnce() {
    FakeHost daq2 = registeredHost("daq2");
    List<FakeHost> hosts = List.of(daq1, daq2);
    List<NodePath> paths = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      FakeHost host = hosts.get(i % 2);
      GroupPath group = GroupPath.parse(host.id + "/chain");
      if (i < 2) {
        manager.tell(new ManagerProtocol.CreateGroup(group, true, clientId(), client.getRef()));
        host.expect(HostProtocol.CreateGroup.class);
        host.groupCreated(group);
        expectOk();
      }
      NodeSpec spec = i == 0 ? NodeSpec.of("noop", Map.of()) : NodeSpec.of("noop", Map.of()).withDependsOn(List.of(paths.get(i - 1)));
      manager.tell(new ManagerProtocol.CreateNode(group.node("n" + i), spec, NodeState.CREATED, client.getRef()));
      host.expect(HostProtocol.CreateNode.class);
      host.nodeUpdated(host.status(group.node("n" + i), NodeState.CREATED, NodeState.CREATED, 1));
      expectOk();
      paths.add(group.node("n" + i));
    }
    for (NodeState target : List.of(NodeState.RUNNING, NodeState.STOPPED, NodeState.RUNNING)) {
      manager.tell(new ManagerProtocol.Update(List.of(new ManagerProtocol.TargetState("daq1/chain", target),
          new ManagerProtocol.TargetState("daq2/chain", target)), "test", client.getRef()));
      expectOk(); // answered right after the call's requests were sent: they wait at the hosts
      Map<FakeHost, List<HostProtocol.RequestState>> asked = new LinkedHashMap<>();
      for (FakeHost host : hosts) {
        List<HostProtocol.RequestState> sent = new ArrayList<>();
        for (HostProtocol.Command command = poll(host, 1); command != null; command = poll(host, 1)) {
          sent.add(assertInstanceOf(HostProtocol.RequestState.class, command));
        }
        assertEquals(3, sent.size(), () -> target + ": " + host.id + " asked once for each of its nodes: " + sent);
        assertEquals(3, sent.stream().map(HostProtocol.RequestState::path).distinct().count(), () -> target + ": " + sent);
        asked.put(host, sent);
      }
      asked.forEach((host, sent) -> sent.forEach(request -> host.nodeUpdated(host.status(request.path(), request.requested(),
          request.requested(), request.seq()))));
      // The hosts follow what they are asked until the chain is where the call asked.
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!status().nodes().stream().filter(n -> paths.contains(n.path())).allMatch(n -> n.state() == target)) {
        assertTrue(System.nanoTime() < deadline, () -> "the chain " + target + ": " + status().nodes());
        for (FakeHost host : hosts) {
          HostProtocol.Command command = poll(host, 20);
          if (command instanceof HostProtocol.RequestState request) {
            host.nodeUpdated(host.status(request.path(), request.requested(), request.requested(), request.seq()));
          }
        }
      }
    }
  }

  /** The next command {@code host} gets within {@code millis}, or null. */
  static HostProtocol.Command poll(FakeHost host, long millis) {
    try {
      return host.probe.receiveMessage(Duration.ofMillis(millis));
    } catch (AssertionError e) {
      return null;
    }
  }

  @Test
  void everyIncarnationHasAnEpochAndHostsRegister() {
    HostProtocol.Registered again = new FakeHost(kit, "daq2", "akka://shepherd@127.0.0.1:1", 7).register(manager);
    assertTrue(again.epoch() >= 1);
    assertEquals(again.epoch(), status().manager().epoch());
    assertEquals(List.of("daq1", "daq2"), status().hosts().stream().map(ClusterStatus.Host::id).toList());
  }

  @Test
  void aHostIdHeldByAnotherLiveMemberIsDeclined() {
    FakeHost impostor = new FakeHost(kit, "daq1", "akka://shepherd@10.0.0.9:2551", 99);
    manager.tell(new ManagerProtocol.RegisterHost(impostor.info, impostor.probe.getRef()));
    HostProtocol.Declined declined = impostor.probe.expectMessageClass(HostProtocol.Declined.class, WAIT);
    assertTrue(declined.reason().contains("host id daq1 is already registered"), declined.reason());
  }

  @Test
  void createsGroupsAndNodesThroughTheirHostAndDrivesRequests() {
    createGroupAndNode();
    // start before initialize is refused, naming the state and the allowed calls; nothing changes
    manager.tell(new ManagerProtocol.Perform(SINE, LifecycleAction.START, client.getRef()));
    ManagerProtocol.Failed refused = expectFailed(ErrorCode.INVALID_TRANSITION);
    assertEquals("cannot start daq1/acq/sine: it is CREATED; from CREATED only configure, close are allowed", refused.message());
    assertEquals(NodeState.CREATED, status().nodes().get(0).requested());

    manager.tell(new ManagerProtocol.Request(SINE, NodeState.RUNNING, true, client.getRef()));
    HostProtocol.RequestState request = daq1.expect(HostProtocol.RequestState.class);
    assertEquals(new HostProtocol.RequestState(request.epoch(), SINE, NodeState.RUNNING, 2), request);
    client.expectNoMessage(Duration.ofMillis(200));
    daq1.nodeUpdated(daq1.status(SINE, NodeState.CONFIGURED, NodeState.RUNNING, 2));
    daq1.nodeUpdated(daq1.status(SINE, NodeState.RUNNING, NodeState.RUNNING, 2));
    assertEquals(NodeState.RUNNING, expectOk().node().state());
    assertTrue(status().nodes().get(0).arrived());
  }

  @Test
  void eventsThatCameInOneMessageAreHandledAsIfEachHadComeAlone() {
    createGroupAndNode();
    manager.tell(new ManagerProtocol.Request(SINE, NodeState.RUNNING, true, client.getRef()));
    daq1.expect(HostProtocol.RequestState.class);
    daq1.nodesUpdated(daq1.status(SINE, NodeState.CONFIGURED, NodeState.RUNNING, 2),
        daq1.status(SINE, NodeState.RUNNING, NodeState.RUNNING, 2));
    assertEquals(NodeState.RUNNING, expectOk().node().state());
    ClusterStatus after = status();
    assertEquals(NodeState.RUNNING, after.nodes().get(0).state(), "the last of the batch is the node's state");
    assertTrue(after.nodes().get(0).arrived());
  }

  @Test
  void aCrashBeforeArrivalFailsTheCallWithTheNodesReason() {
    createGroupAndNode();
    manager.tell(new ManagerProtocol.Perform(SINE, LifecycleAction.CONFIGURE, client.getRef()));
    daq1.expect(HostProtocol.RequestState.class);
    NodeStatus failed = new NodeStatus(SINE, "daq1", "noop", NodeState.FAILED,
        NodeState.CONFIGURED, Mode.AUTO, false, 0, "configure() threw IllegalArgumentException: param 'rate'",
        Instant.now(), 0.5, null, null, null, Instant.now(), 2, 1, "up");
    daq1.nodeUpdated(failed);
    assertTrue(expectFailed(ErrorCode.NODE_FAILED).message().contains("param 'rate'"));
  }

  @Test
  void badCallsAreRefusedWithTheReasonAndChangeNothing() {
    createGroupAndNode();
    ClusterStatus before = status();
    List<Runnable> calls = List.of(
        () -> manager.tell(new ManagerProtocol.CreateGroup(GroupPath.parse("daq9/acq"), false, "c", client.getRef())),
        () -> manager.tell(new ManagerProtocol.CreateGroup(ACQ, false, "c", client.getRef())),
        () -> manager.tell(new ManagerProtocol.CreateNode(GroupPath.parse("daq1/none").node("x"), NodeSpec.of("noop", Map.of()),
            NodeState.CREATED, client.getRef())),
        () -> manager.tell(new ManagerProtocol.CreateNode(SINE, NodeSpec.of("noop", Map.of()), NodeState.CREATED, client.getRef())),
        () -> manager.tell(new ManagerProtocol.CreateNode(ACQ.node("x"), NodeSpec.of("sin", Map.of()), NodeState.CREATED, client.getRef())),
        () -> manager.tell(new ManagerProtocol.CreateNode(ACQ.node("x"), NodeSpec.of("com.evil.X", Map.of()), NodeState.CREATED,
            client.getRef())),
        () -> manager.tell(new ManagerProtocol.CreateNode(ACQ.node("x"), NodeSpec.of("noop", Map.of()), NodeState.FAILED,
            client.getRef())),
        () -> manager.tell(new ManagerProtocol.RemoveNode(ACQ.node("ghost"), client.getRef())),
        () -> manager.tell(new ManagerProtocol.RemoveGroup(GroupPath.parse("daq1/ghost"), client.getRef())),
        () -> manager.tell(new ManagerProtocol.Perform(ACQ.node("ghost"), LifecycleAction.START, client.getRef())),
        () -> manager.tell(new ManagerProtocol.Request(SINE, NodeState.LOST, false, client.getRef())));
    List<ErrorCode> expected = List.of(ErrorCode.NO_SUCH_HOST, ErrorCode.DUPLICATE_NAME, ErrorCode.NO_SUCH_GROUP,
        ErrorCode.DUPLICATE_NAME, ErrorCode.UNKNOWN_TYPE, ErrorCode.NOT_ALLOWED, ErrorCode.INVALID_ARGUMENT,
        ErrorCode.NO_SUCH_NODE, ErrorCode.NO_SUCH_GROUP, ErrorCode.NO_SUCH_NODE, ErrorCode.INVALID_TRANSITION);
    for (int i = 0; i < calls.size(); i++) {
      calls.get(i).run();
      ManagerProtocol.Failed failed = expectFailed(expected.get(i));
      assertFalse(failed.message().isBlank());
    }
    assertTrue(expectedMessageMentions(ErrorCode.UNKNOWN_TYPE, "its types are [noop, sine]"));
    assertEquals(before.groups(), status().groups());
    assertEquals(before.nodes().stream().map(n -> n.path() + " " + n.requested() + " " + n.seq()).toList(),
        status().nodes().stream().map(n -> n.path() + " " + n.requested() + " " + n.seq()).toList());
  }

  private boolean expectedMessageMentions(ErrorCode code, String text) {
    manager.tell(new ManagerProtocol.CreateNode(ACQ.node("y"), NodeSpec.of("sin", Map.of()), NodeState.CREATED, client.getRef()));
    return expectFailed(code).message().contains(text);
  }

  @Test
  void aHostThatRejectsANodeLeavesNothingBehind() {
    manager.tell(new ManagerProtocol.CreateGroup(ACQ, true, null, client.getRef()));
    daq1.expect(HostProtocol.CreateGroup.class);
    daq1.groupCreated(ACQ);
    expectOk();
    manager.tell(new ManagerProtocol.CreateNode(SINE, NodeSpec.of("org.example.Missing", Map.of()), NodeState.CREATED, client.getRef()));
    daq1.expect(HostProtocol.CreateNode.class);
    daq1.manager.tell(new ManagerProtocol.NodeRejected("daq1", ++daq1.seq, SINE, ErrorCode.UNKNOWN_TYPE, "class not found"));
    assertEquals("class not found", expectFailed(ErrorCode.UNKNOWN_TYPE).message());
    assertTrue(status().nodes().isEmpty());
  }

  @Test
  void aGapInAHostsEventsMakesTheManagerAskForASnapshot() {
    createGroupAndNode();
    daq1.seq++; // one event "lost"
    daq1.nodeUpdated(daq1.status(SINE, NodeState.CREATED, NodeState.CREATED, 1));
    daq1.expect(HostProtocol.SendSnapshot.class);
  }

  @Test
  void aHostThatLostANodeGetsItBackFromReconciliation() {
    createGroupAndNode();
    daq1.snapshot(List.of(ACQ), List.of());
    HostProtocol.CreateNode again = daq1.expect(HostProtocol.CreateNode.class);
    assertEquals(SINE, again.path());
    assertEquals(NodeState.CREATED, again.requested());
    // A node the Manager does not want is removed.
    NodePath stray = ACQ.node("stray");
    daq1.nodeUpdated(daq1.status(stray, NodeState.RUNNING, NodeState.RUNNING, 1));
    assertEquals(stray, daq1.expect(HostProtocol.RemoveNode.class).path());
  }

  @Test
  void aHostIsSentAtMostItsWindowOfRepairsAtOnceAndTheRestAsItAnswers() {
    createGroupAndNode();
    List<NodePath> all = new ArrayList<>(List.of(SINE));
    all.addAll(createNodes(6));
    daq1.snapshot(List.of(ACQ), List.of()); // the host lost all 7 nodes (it restarted, say): 3 at a time come back
    Set<NodePath> first = creates(3);
    Set<NodePath> second = creates(first, 3);
    Set<NodePath> third = creates(second, 1);
    Set<NodePath> recreated = new TreeSet<>(first);
    recreated.addAll(second);
    recreated.addAll(third);
    assertEquals(new TreeSet<>(all), recreated);
    assertEquals(7, first.size() + second.size() + third.size(), "each node asked for once");
  }

  /** The host answers the creations {@code answered}, in one burst; returns the {@code count} nodes it is asked for next. */
  private Set<NodePath> creates(Set<NodePath> answered, int count) {
    daq1.nodesUpdated(answered.stream().map(p -> daq1.status(p, NodeState.CREATED, NodeState.CREATED, 1)).toArray(NodeStatus[]::new));
    return creates(count);
  }

  /**
   * The nodes the Manager asks daq1 to create: {@code count} of them, and no other within half a
   * second more (a resend, after resend-after, asks for the same again).
   */
  private Set<NodePath> creates(int count) {
    Set<NodePath> paths = new TreeSet<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    long quietUntil = Long.MAX_VALUE;
    while (System.nanoTime() < Math.min(deadline, quietUntil)) {
      if (nextCommand(Duration.ofMillis(50)) instanceof HostProtocol.CreateNode create) {
        paths.add(create.path());
      }
      if (paths.size() >= count && quietUntil == Long.MAX_VALUE) {
        quietUntil = System.nanoTime() + Duration.ofMillis(500).toNanos();
      }
    }
    assertEquals(count, paths.size(), () -> "asked to create " + paths);
    return paths;
  }

  /** The next command daq1 gets within {@code wait}, or null. */
  private HostProtocol.Command nextCommand(Duration wait) {
    try {
      return daq1.probe.receiveMessage(wait);
    } catch (AssertionError none) {
      return null;
    }
  }

  @Test
  void aLeavingClientsGroupsAreRemovedButPersistentOnesStay() {
    createGroupAndNode();
    GroupPath kept = GroupPath.parse("daq1/kept");
    manager.tell(new ManagerProtocol.CreateGroup(kept, true, clientId(), client.getRef()));
    daq1.expect(HostProtocol.CreateGroup.class);
    daq1.groupCreated(kept);
    expectOk();
    manager.tell(new ManagerProtocol.ClientLeaving(clientId(), client.getRef()));
    assertEquals(ACQ, daq1.expect(HostProtocol.RemoveGroup.class).group());
    daq1.nodeRemoved(SINE);
    daq1.groupRemoved(ACQ);
    expectOk();
    assertEquals(List.of(kept), status().groups().stream().map(ClusterStatus.Group::path).toList());
    assertTrue(status().nodes().isEmpty());
  }

  @Test
  void groupsOfAClientWhoseLeaseLapsesAreRemoved() {
    // A session that never renews: its lease (here 1 s) lapses.
    manager.tell(new ManagerProtocol.CreateGroup(ACQ, false, "session-gone", client.getRef()));
    daq1.expect(HostProtocol.CreateGroup.class);
    daq1.groupCreated(ACQ);
    expectOk();
    assertEquals(ACQ, daq1.expect(HostProtocol.RemoveGroup.class).group());
  }

  @Test
  void aManagedNodesFaultsGoToItsManagerAndATakeOverIsReported() {
    createGroupAndNode();
    TestProbe<ManagerProtocol.EventBatch> events = kit.createTestProbe();
    ArrayDeque<Event> seen = new ArrayDeque<>();
    manager.tell(new ManagerProtocol.SubscribeEvents(0, 0, events.getRef()));
    manager.tell(new ManagerProtocol.SetMode(List.of(SINE), Mode.MANAGED, clientId(), client.getRef()));
    assertEquals(new HostProtocol.SetMode(daq1.epoch, SINE, Mode.MANAGED), daq1.expect(HostProtocol.SetMode.class));
    expectOk();
    assertEquals(clientId(), status().nodes().get(0).managedBy());
    assertEquals(Mode.MANAGED, status().nodes().get(0).mode());

    // A crash: a node error.
    Instant crashedAt = Instant.parse("2026-11-22T10:00:00Z");
    daq1.nodeUpdated(new NodeStatus(SINE, "daq1", "noop", NodeState.FAILED, NodeState.CREATED,
        Mode.MANAGED, true, 0, "start() threw", crashedAt, 0.5, null, null, null, crashedAt, 1, 1, "wait"));
    Event crash = nextEvent(events, Event.FAULT, seen);
    assertEquals(clientId(), crash.manager(), "a fault is for the node's manager");
    Fault.NodeError error = assertInstanceOf(Fault.NodeError.class, crash.fault());
    assertEquals("start() threw", error.reason());
    // A notification raised by the node.
    daq1.manager.tell(new ManagerProtocol.NodeNotified("daq1", ++daq1.seq, SINE, "laser unlocked", crashedAt));
    Event notified = nextEvent(events, Event.FAULT, seen);
    assertEquals("laser unlocked", assertInstanceOf(Fault.Notification.class, notified.fault()).message());
    // Another client takes the node over: the first is told.
    manager.tell(new ManagerProtocol.SetMode(List.of(SINE), Mode.MANAGED, "other-client", client.getRef()));
    expectOk();
    Event taken = nextEvent(events, Event.FAULT, seen);
    assertEquals(clientId(), taken.manager(), "the fault goes to the manager that lost the node");
    Fault.ModeChanged changed = assertInstanceOf(Fault.ModeChanged.class, taken.fault());
    assertEquals("other-client", changed.by());
    // Revive re-requests the last requested state with a new request number.
    manager.tell(new ManagerProtocol.Revive(List.of(SINE), client.getRef()));
    HostProtocol.RequestState revive = daq1.expect(HostProtocol.RequestState.class);
    assertEquals(NodeState.CREATED, revive.requested());
    assertEquals(2, revive.seq());
    expectOk();
    // A host's --initial-state moves the node: its manager is told who did.
    manager.tell(new ManagerProtocol.Update(List.of(new ManagerProtocol.TargetState("daq1", NodeState.RUNNING)),
        "host daq1 --initial-state", client.getRef()));
    expectOk();
    Event moved = nextEvent(events, Event.FAULT, seen);
    assertEquals("other-client", moved.manager());
    assertEquals(new Fault.RequestChanged(SINE, NodeState.RUNNING, "host daq1 --initial-state", moved.at()), moved.fault());
    // The manager that lost the node is refused, naming the new one, and nothing changes; the new one is not.
    manager.tell(new ManagerProtocol.Request(SINE, NodeState.CREATED, false, clientId(), client.getRef()));
    assertTrue(expectFailed(ErrorCode.NOT_ALLOWED).message().contains("managed by other-client"));
    assertEquals(NodeState.RUNNING, status().nodes().get(0).requested());
    manager.tell(new ManagerProtocol.Request(SINE, NodeState.STOPPED, false, "other-client", client.getRef()));
    expectOk();
  }

  @Test
  void setModeOfAnUnknownNodeChangesNothing() {
    createGroupAndNode();
    manager.tell(new ManagerProtocol.SetMode(List.of(SINE, ACQ.node("ghost")), Mode.MANAGED, clientId(),
        client.getRef()));
    expectFailed(ErrorCode.NO_SUCH_NODE);
    assertEquals(Mode.AUTO, status().nodes().get(0).mode());
    assertNull(status().nodes().get(0).managedBy());
  }

  @Test
  void aNodeCreatedAgainGetsItsLastCheckpoint() {
    createGroupAndNode();
    Checkpoint saved = new Checkpoint(new byte[] {4, 2}, Instant.now());
    daq1.manager.tell(new ManagerProtocol.NodeCheckpointed("daq1", ++daq1.seq, SINE, saved));
    // The host restarted empty: the node is created again, with the checkpoint.
    daq1.snapshot(List.of(ACQ), List.of());
    HostProtocol.CreateNode again = daq1.expect(HostProtocol.CreateNode.class);
    assertArrayEquals(saved.data(), again.checkpoint().data());
  }

  @Test
  void statusOfManyNodesComesInParts() {
    createGroupAndNode();
    createNodes(4);
    TestProbe<ManagerProtocol.StatusPart> parts = kit.createTestProbe();
    manager.tell(new ManagerProtocol.GetStatus(parts.getRef()));
    ManagerProtocol.StatusPart first = parts.expectMessageClass(ManagerProtocol.StatusPart.class, WAIT);
    assertEquals(3, first.parts(), "5 nodes in parts of 2");
    assertEquals(5, status().nodes().size());
  }

  @Test
  void aDeadHostsNodesAreLostAndItsAnyGroupsMoveToALiveHost() {
    // daq1 lives on a second member of the cluster, which then leaves it.
    ActorSystem<Void> other = ActorSystem.create(
        Behaviors.empty(), "shepherd",
        ConfigFactory.parseString("akka.cluster.roles = [host, member]").withFallback(kit.system().settings().config()));
    try {
      Cluster otherCluster = Cluster.get(other);
      otherCluster.manager().tell(Join.create(Cluster.get(kit.system()).selfMember().address()));
      TestProbe<Object> probe = kit.createTestProbe();
      probe.awaitAssert(WAIT, () -> {
        assertEquals(MemberStatus.up(), otherCluster.selfMember().status());
        return null;
      });
      FakeHost remote = new FakeHost(kit, "a-remote", otherCluster.selfMember().address().toString(),
          otherCluster.selfMember().uniqueAddress().longUid());
      remote.register(manager);
      remote.snapshot(List.of(), List.of());
      FakeHost daq2 = registeredHost("daq2");
      GroupPath floating = GroupPath.parse("any/analysis");
      NodePath fft = floating.node("fft");
      // Every host is empty: the any group goes to the first by id, a-remote.
      manager.tell(new ManagerProtocol.CreateGroup(floating, true, null, client.getRef()));
      remote.expect(HostProtocol.CreateGroup.class);
      remote.groupCreated(floating);
      expectOk();
      manager.tell(new ManagerProtocol.CreateNode(fft, NodeSpec.of("noop", Map.of()), NodeState.RUNNING, client.getRef()));
      remote.expect(HostProtocol.CreateNode.class);
      NodeStatus fftRunning = remote.status(fft, NodeState.RUNNING, NodeState.RUNNING, 1);
      remote.nodeUpdated(new NodeStatus(fft, fftRunning.host(), fftRunning.type(), fftRunning.state(), fftRunning.requested(),
          fftRunning.mode(), false, 2, null, null, 1.0, null, null, null, fftRunning.since(), fftRunning.seq(), 3, "none")); // its third run
      expectOk();
      // A node of the remote host's own: it is lost with it.
      GroupPath pinned = GroupPath.parse("a-remote/acq");
      NodePath recorder = pinned.node("rec");
      manager.tell(new ManagerProtocol.CreateGroup(pinned, true, null, client.getRef()));
      remote.expect(HostProtocol.CreateGroup.class);
      remote.groupCreated(pinned);
      expectOk();
      manager.tell(new ManagerProtocol.CreateNode(recorder, NodeSpec.of("noop", Map.of()), NodeState.RUNNING, client.getRef()));
      remote.expect(HostProtocol.CreateNode.class);
      NodeStatus running = remote.status(recorder, NodeState.RUNNING, NodeState.RUNNING, 1);
      remote.nodeUpdated(new NodeStatus(recorder, running.host(), running.type(), running.state(), running.requested(), running.mode(),
          false, 0, null, null, 1.0, null, 4242L, "running", running.since(), running.seq(), 1, "none"));
      expectOk();

      Instant beforeLeaving = Instant.now();
      otherCluster.manager().tell(Leave.create(otherCluster.selfMember().address()));
      // The group moves to the least loaded live host (daq1 by id), with its node's requested state.
      assertEquals(floating, daq1.expect(HostProtocol.CreateGroup.class).group());
      daq1.groupCreated(floating);
      HostProtocol.CreateNode moved = daq1.expect(HostProtocol.CreateNode.class);
      assertEquals(fft, moved.path());
      assertEquals(3, moved.previousIncarnation(), "the moved node counts its runs on from its last one on the lost host");
      assertEquals(NodeState.RUNNING, moved.requested());
      ClusterStatus status = status();
      assertEquals("DOWN", status.hosts().stream().filter(h -> h.id().equals("a-remote")).findFirst().orElseThrow().status());
      assertEquals("daq1", status.groups().stream().filter(g -> g.path().equals(floating)).findFirst().orElseThrow().host());
      NodeStatus lost = status.nodes().stream().filter(n -> n.path().equals(recorder)).findFirst().orElseThrow();
      assertEquals(NodeState.LOST, lost.state());
      assertNull(lost.pid(), "a LOST node shows no process");
      assertEquals("lost with its host", lost.exit());
      assertEquals("wait", lost.nextAction(), "it waits for its host");
      assertFalse(lost.since().isBefore(beforeLeaving), "lost since its host went down: " + lost.since());
      daq2.probe.expectNoMessage(Duration.ofMillis(100));
    } finally {
      other.terminate();
    }
  }
}
