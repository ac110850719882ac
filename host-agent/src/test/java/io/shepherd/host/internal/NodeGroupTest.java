package io.shepherd.host.internal;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import io.shepherd.host.HostSettings;
import io.shepherd.host.NodeTypes;
import io.shepherd.host.testnodes.RecordingNode;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.testing.TestConfig;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class NodeGroupTest {

  static final ActorTestKit kit = ActorTestKit.create("group", ConfigFactory.parseString("""
      shepherd.host.id = daq1
      shepherd.host.allowed-packages = ["io.shepherd.host.testnodes"]
      """).withFallback(TestConfig.local()));
  static final HostSettings settings = HostSettings.create(kit.system());
  static final Duration WAIT = Duration.ofSeconds(10);

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  final TestProbe<NodeEvent> events = kit.createTestProbe();

  ActorRef<NodeGroup.Command> group(String name) {
    return kit.spawn(NodeGroup.create(GroupPath.parse("daq1/" + name),
        new HostEnvironment(settings, NodeTypes.create(settings), events.getRef())));
  }

  <T extends NodeEvent> T await(Class<T> type, Predicate<T> condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      NodeEvent event = events.receiveMessage(Duration.ofNanos(deadline - System.nanoTime()));
      if (type.isInstance(event) && condition.test(type.cast(event))) {
        return type.cast(event);
      }
    }
    throw new AssertionError("no matching " + type.getSimpleName());
  }

  @Test
  void aNodeRemovedAndCreatedAgainAtOnceGetsANewRunner() {
    ActorRef<NodeGroup.Command> group = group("again");
    NodePath path = NodePath.parse("daq1/again/n");
    NodeSpec slowClose = NodeSpec.of(RecordingNode.class.getName(), Map.of("block-in", "close", "block-ms", "300"));
    group.tell(new NodeGroup.CreateNode(path, slowClose, NodeState.RUNNING, 1, null, 0));
    await(NodeEvent.StatusChanged.class, e -> e.status().state() == NodeState.RUNNING);
    group.tell(new NodeGroup.RemoveNode(path));
    // The old runner still holds the name while it closes: the new create waits for it.
    group.tell(new NodeGroup.CreateNode(path, NodeSpec.of("noop", Map.of()), NodeState.RUNNING, 1, null, 0));
    await(NodeEvent.Removed.class, e -> e.path().equals(path));
    NodeEvent.StatusChanged recreated = await(NodeEvent.StatusChanged.class, e -> e.status().state() == NodeState.RUNNING);
    assertEquals("noop", recreated.status().type());
  }

  @Test
  void removingTheGroupRemovesEveryNodeThenStops() {
    ActorRef<NodeGroup.Command> group = group("all");
    for (String name : new String[] {"a", "b", "c"}) {
      group.tell(new NodeGroup.CreateNode(NodePath.parse("daq1/all/" + name), NodeSpec.of("sine", Map.of()), NodeState.RUNNING, 1, null, 0));
    }
    Set<String> running = new HashSet<>();
    await(NodeEvent.StatusChanged.class, e -> {
      if (e.status().state() == NodeState.RUNNING) {
        running.add(e.status().path().node());
      }
      return running.size() == 3;
    });
    group.tell(NodeGroup.RemoveAll.INSTANCE);
    Set<String> removed = new HashSet<>();
    await(NodeEvent.Removed.class, e -> removed.add(e.path().node()) && removed.size() == 3);
    events.expectTerminated(group, WAIT);
  }

  @Test
  void aGroupBeingRemovedRefusesNewNodes() {
    ActorRef<NodeGroup.Command> group = group("closing");
    NodePath slow = NodePath.parse("daq1/closing/slow");
    group.tell(new NodeGroup.CreateNode(slow, NodeSpec.of(RecordingNode.class.getName(), Map.of("block-in", "stop", "block-ms", "500")),
        NodeState.RUNNING, 1, null, 0));
    await(NodeEvent.StatusChanged.class, e -> e.status().state() == NodeState.RUNNING);
    group.tell(NodeGroup.RemoveAll.INSTANCE);
    group.tell(new NodeGroup.CreateNode(NodePath.parse("daq1/closing/late"), NodeSpec.of("noop", Map.of()), NodeState.RUNNING, 1, null, 0));
    assertEquals(ErrorCode.BUSY, await(NodeEvent.Rejected.class, e -> true).code());
  }
}
