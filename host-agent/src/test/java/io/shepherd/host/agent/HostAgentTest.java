package io.shepherd.host.agent;

import static org.junit.jupiter.api.Assertions.*;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.FishingOutcomes;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.Receptionist;
import com.typesafe.config.ConfigFactory;
import io.shepherd.host.HostSettings;
import io.shepherd.host.testnodes.RecordingNode;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.HostProtocol;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.testing.TestConfig;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The host agent against a Manager played by a probe. */
class HostAgentTest {

  static final Duration WAIT = Duration.ofSeconds(10);
  static final GroupPath GROUP = GroupPath.parse("daq1/acq");
  static final NodePath NODE = GROUP.node("n1");

  final ActorTestKit kit = ActorTestKit.create("host", ConfigFactory.parseString("""
      shepherd.host.id = daq1
      shepherd.host.registration { min-backoff = 50ms, max-backoff = 200ms, declined-backoff = 100ms }
      shepherd.host.snapshot-part-size = 2
      shepherd.host.manager-loss-timeout = 300ms
      shepherd.host.manager-loss-action = stop-nodes
      shepherd.host.allowed-packages = ["io.shepherd.host.testnodes"]
      """).withFallback(TestConfig.local()));
  final TestProbe<ManagerProtocol.Command> manager = kit.createTestProbe();
  final List<Long> seqs = new ArrayList<>();
  /** Events received in a batch and not yet looked at. */
  final Deque<ManagerProtocol.HostEvent> unread = new ArrayDeque<>();
  ActorRef<HostProtocol.Command> host;

  @AfterEach
  void shutdown() {
    kit.shutdownTestKit();
  }

  ActorRef<HostProtocol.Command> startRegistered(long epoch) {
    kit.system().receptionist().tell(Receptionist.register(ManagerProtocol.SERVICE_KEY, manager.getRef()));
    host = kit.spawn(HostAgent.create(HostSettings.create(kit.system())), "host");
    ManagerProtocol.RegisterHost register = manager.expectMessageClass(ManagerProtocol.RegisterHost.class, WAIT);
    assertEquals("daq1", register.info().hostId());
    assertTrue(register.info().nodeTypes().contains("sine"));
    register.host().tell(new HostProtocol.Registered(epoch, manager.getRef()));
    ManagerProtocol.HostSnapshot snapshot = manager.expectMessageClass(ManagerProtocol.HostSnapshot.class, WAIT);
    assertEquals(epoch, snapshot.epoch());
    return register.host();
  }

  /** The next host event that matches, alone or in a batch; checks that event numbers have no gaps. */
  @SuppressWarnings("unchecked")
  <T extends ManagerProtocol.HostEvent> T awaitEvent(Class<T> type, Predicate<T> condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      while (unread.isEmpty()) {
        ManagerProtocol.Command m = manager.receiveMessage(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        if (m instanceof ManagerProtocol.HostEvent event) {
          unread.add(event);
        } else if (m instanceof ManagerProtocol.HostEvents batch) {
          unread.addAll(batch.events());
        }
      }
      ManagerProtocol.HostEvent event = unread.poll();
      if (!seqs.isEmpty()) {
        assertEquals(seqs.get(seqs.size() - 1) + 1, event.seq(), "event numbers are consecutive");
      }
      seqs.add(event.seq());
      if (type.isInstance(event) && condition.test((T) event)) {
        return (T) event;
      }
    }
  }

  @Test
  void registersRetryingUntilAnsweredThenSendsASnapshot() {
    kit.system().receptionist().tell(Receptionist.register(ManagerProtocol.SERVICE_KEY, manager.getRef()));
    kit.spawn(HostAgent.create(HostSettings.create(kit.system())), "host");
    ManagerProtocol.RegisterHost first = manager.expectMessageClass(ManagerProtocol.RegisterHost.class, WAIT);
    ManagerProtocol.RegisterHost retry = manager.expectMessageClass(ManagerProtocol.RegisterHost.class, WAIT);
    assertEquals(first.info(), retry.info(), "an unanswered registration is repeated");
    retry.host().tell(new HostProtocol.Declined(1, "host id daq1 is taken"));
    ManagerProtocol.RegisterHost afterDecline = manager.expectMessageClass(ManagerProtocol.RegisterHost.class, WAIT);
    afterDecline.host().tell(new HostProtocol.Registered(1, manager.getRef()));
    ManagerProtocol.HostSnapshot snapshot = manager.expectMessageClass(ManagerProtocol.HostSnapshot.class, WAIT);
    assertEquals(1, snapshot.parts());
    assertTrue(snapshot.nodes().isEmpty());
  }

  @Test
  void createsGroupsAndNodesAndReportsEveryChangeInOrder() {
    ActorRef<HostProtocol.Command> host = startRegistered(5);
    host.tell(new HostProtocol.CreateGroup(5, GROUP));
    awaitEvent(ManagerProtocol.GroupCreated.class, e -> e.group().equals(GROUP));
    host.tell(new HostProtocol.CreateNode(5, NODE, NodeSpec.of("noop", Map.of()), NodeState.RUNNING, 1, null, 0));
    ManagerProtocol.NodeUpdated running = awaitEvent(ManagerProtocol.NodeUpdated.class, e -> e.status().state() == NodeState.RUNNING);
    assertEquals(NODE, running.status().path());
    // Repeats are answered with what exists, and create nothing twice.
    host.tell(new HostProtocol.CreateGroup(5, GROUP));
    awaitEvent(ManagerProtocol.GroupCreated.class, e -> true);
    host.tell(new HostProtocol.CreateNode(5, NODE, NodeSpec.of("noop", Map.of()), NodeState.RUNNING, 1, null, 0));
    assertEquals(NodeState.RUNNING, awaitEvent(ManagerProtocol.NodeUpdated.class, e -> true).status().state());
    host.tell(new HostProtocol.RequestState(5, NODE, NodeState.STOPPED, 2));
    awaitEvent(ManagerProtocol.NodeUpdated.class, e -> e.status().state() == NodeState.STOPPED);
    host.tell(new HostProtocol.RemoveGroup(5, GROUP));
    awaitEvent(ManagerProtocol.NodeRemoved.class, e -> e.path().equals(NODE));
    awaitEvent(ManagerProtocol.GroupRemoved.class, e -> e.group().equals(GROUP));
  }

  @Test
  void dropsCommandsFromAStaleEpoch() {
    ActorRef<HostProtocol.Command> host = startRegistered(5);
    host.tell(new HostProtocol.CreateGroup(4, GroupPath.parse("daq1/stale")));
    host.tell(new HostProtocol.CreateGroup(5, GROUP));
    ManagerProtocol.GroupCreated created = awaitEvent(ManagerProtocol.GroupCreated.class, e -> true);
    assertEquals(GROUP, created.group(), "the command from epoch 4 was dropped");
    manager.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void refusesNodesOfUnknownTypesAndInMissingGroups() {
    ActorRef<HostProtocol.Command> host = startRegistered(1);
    host.tell(new HostProtocol.CreateNode(1, NODE, NodeSpec.of("noop", Map.of()), NodeState.RUNNING, 1, null, 0));
    assertEquals(ErrorCode.NO_SUCH_GROUP, awaitEvent(ManagerProtocol.NodeRejected.class, e -> true).code());
    host.tell(new HostProtocol.CreateGroup(1, GROUP));
    host.tell(new HostProtocol.CreateNode(1, NODE, NodeSpec.of("com.evil.Payload", Map.of()), NodeState.RUNNING, 1, null, 0));
    ManagerProtocol.NodeRejected refused = awaitEvent(ManagerProtocol.NodeRejected.class, e -> true);
    assertEquals(ErrorCode.NOT_ALLOWED, refused.code());
    // A node the host does not have is reported gone, so that the Manager reconciles.
    host.tell(new HostProtocol.RequestState(1, GROUP.node("ghost"), NodeState.RUNNING, 1));
    assertEquals(GROUP.node("ghost"), awaitEvent(ManagerProtocol.NodeRemoved.class, e -> true).path());
  }

  @Test
  void aNewRegistrationGetsAFullSnapshotInParts() {
    ActorRef<HostProtocol.Command> host = startRegistered(1);
    host.tell(new HostProtocol.CreateGroup(1, GROUP));
    for (int i = 1; i <= 3; i++) {
      host.tell(new HostProtocol.CreateNode(1, GROUP.node("n" + i), NodeSpec.of("noop", Map.of()), NodeState.RUNNING, 1, null, 0));
    }
    Set<String> arrived = new HashSet<>();
    awaitEvent(ManagerProtocol.NodeUpdated.class, e -> {
      if (e.status().arrived()) {
        arrived.add(e.status().path().node());
      }
      return arrived.size() == 3;
    });
    // A new Manager incarnation (epoch 2) registers the host again: the snapshot has everything.
    host.tell(new HostProtocol.Registered(2, manager.getRef()));
    List<ManagerProtocol.HostSnapshot> parts = new ArrayList<>();
    List<Long> eventsBefore = new ArrayList<>();
    manager.fishForMessage(WAIT, m -> {
      if (m instanceof ManagerProtocol.HostSnapshot part) {
        parts.add(part);
        return parts.size() == 2 ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore();
      }
      if (parts.isEmpty() && m instanceof ManagerProtocol.HostEvent event) {
        eventsBefore.add(event.seq()); // stability updates may still come in
      } else if (parts.isEmpty() && m instanceof ManagerProtocol.HostEvents batch) {
        batch.events().forEach(event -> eventsBefore.add(event.seq()));
      }
      return FishingOutcomes.continueAndIgnore();
    });
    ManagerProtocol.HostSnapshot part0 = parts.get(0);
    assertEquals(2, part0.parts());
    assertEquals(List.of(GROUP), part0.groups());
    assertEquals(3, part0.nodes().size() + parts.get(1).nodes().size());
    long lastEvent = eventsBefore.isEmpty() ? seqs.get(seqs.size() - 1) : eventsBefore.get(eventsBefore.size() - 1);
    assertEquals(lastEvent, part0.seq(), "the snapshot says which event it follows");
  }

  @Test
  void theDeadManSwitchStopsNodesWhenTheManagerIsGoneTooLong() throws InterruptedException {
    ActorRef<HostProtocol.Command> host = startRegistered(1);
    host.tell(new HostProtocol.CreateGroup(1, GROUP));
    NodeSpec recording = NodeSpec.of(RecordingNode.class.getName(), Map.of());
    host.tell(new HostProtocol.CreateNode(1, NODE, recording, NodeState.RUNNING, 1, null, 0));
    awaitEvent(ManagerProtocol.NodeUpdated.class, e -> e.status().state() == NodeState.RUNNING);
    kit.system().receptionist().tell(Receptionist.deregister(ManagerProtocol.SERVICE_KEY, manager.getRef()));
    // manager-loss-timeout is 300 ms here: then the node is stopped, with nobody to report to.
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!RecordingNode.callbacks(NODE.toString()).contains("stop")) {
      assertTrue(System.nanoTime() < deadline, "the dead-man switch did not stop the node");
      Thread.sleep(20);
    }
    // The next Manager learns it from the snapshot; the stop kept the request number, so the
    // Manager's own request for the node is not older than it and wins.
    TestProbe<ManagerProtocol.Command> next = kit.createTestProbe();
    host.tell(new HostProtocol.Registered(2, next.getRef()));
    ManagerProtocol.HostSnapshot snapshot = next.expectMessageClass(ManagerProtocol.HostSnapshot.class, WAIT);
    assertEquals(NodeState.STOPPED, snapshot.nodes().get(0).requested());
    assertEquals(1, snapshot.nodes().get(0).seq());
  }

  @Test
  void shutdownStopsEveryNode() {
    ActorRef<HostProtocol.Command> host = startRegistered(1);
    host.tell(new HostProtocol.CreateGroup(1, GROUP));
    host.tell(new HostProtocol.CreateNode(1, NODE, NodeSpec.of("sine", Map.of()), NodeState.RUNNING, 1, null, 0));
    awaitEvent(ManagerProtocol.NodeUpdated.class, e -> e.status().state() == NodeState.RUNNING);
    TestProbe<Done> done = kit.createTestProbe();
    host.tell(new HostAgent.Shutdown(done.getRef()));
    done.expectMessage(WAIT, Done.getInstance());
    awaitEvent(ManagerProtocol.GroupRemoved.class, e -> true);
  }

  @Test
  void withAnInitialStateTheHostAsksTheManagerOnceForItsNodesUpOrDown() {
    ActorTestKit initial = ActorTestKit.create("initial", ConfigFactory.parseString(
        "shepherd.host.id = daq9\nshepherd.host.initial-state = down\nshepherd.host.registration { min-backoff = 50ms, max-backoff = 200ms }\n")
        .withFallback(TestConfig.local()));
    try {
      TestProbe<ManagerProtocol.Command> probe = initial.createTestProbe();
      initial.system().receptionist().tell(Receptionist.register(ManagerProtocol.SERVICE_KEY, probe.getRef()));
      initial.spawn(HostAgent.create(HostSettings.create(initial.system())), "host");
      ManagerProtocol.RegisterHost register = probe.expectMessageClass(ManagerProtocol.RegisterHost.class, WAIT);
      register.host().tell(new HostProtocol.Registered(1, probe.getRef()));
      ManagerProtocol.Update update = (ManagerProtocol.Update) probe.fishForMessage(WAIT, m -> m instanceof ManagerProtocol.Update
          ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).get(0);
      assertEquals(List.of(new ManagerProtocol.TargetState("daq9", NodeState.STOPPED)), update.requests());
      update.replyTo().tell(new ManagerProtocol.Ok("requested up for 0 nodes and down for 3", null));
      // A new Manager incarnation: the host registers again, and does not ask again.
      register.host().tell(new HostProtocol.Reconnect(2, probe.getRef()));
      ManagerProtocol.RegisterHost again = probe.expectMessageClass(ManagerProtocol.RegisterHost.class, WAIT);
      again.host().tell(new HostProtocol.Registered(2, probe.getRef()));
      probe.expectMessageClass(ManagerProtocol.HostSnapshot.class, WAIT);
      boolean[] askedAgain = {false};
      assertThrows(AssertionError.class, () -> probe.fishForMessage(Duration.ofSeconds(1), m -> {
        askedAgain[0] |= m instanceof ManagerProtocol.Update;
        return FishingOutcomes.continueAndIgnore();
      }));
      assertFalse(askedAgain[0], "asked only once per start of the host agent");
    } finally {
      initial.shutdownTestKit();
    }
  }
}
