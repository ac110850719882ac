package io.shepherd.manager.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The desired state in Distributed Data, in a one-member cluster: writes that arrive together
 * share one update of their key, each is answered once, and they apply in the order they came.
 */
class DesiredStoreTest {

  static final Duration WAIT = Duration.ofSeconds(15);
  static final ActorTestKit KIT = OneMemberCluster.start("desired", WAIT);

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  static int stores;

  final ActorRef<DesiredStore.Command> store = KIT.spawn(DesiredStore.create(new DesiredStore.Settings(Duration.ofSeconds(3),
      Duration.ofSeconds(3), 4)), "store-" + (++stores));
  final TestProbe<DesiredStore.Stored> replies = KIT.createTestProbe();

  static DesiredNode node(String path, NodeState requested) {
    return new DesiredNode(NodePath.parse(path), NodeSpec.of("noop", Map.of()), requested, 1, null, null);
  }

  DesiredStore.Loaded load() {
    TestProbe<DesiredStore.Loaded> loaded = KIT.createTestProbe();
    store.tell(new DesiredStore.Load(loaded.getRef()));
    return loaded.expectMessageClass(DesiredStore.Loaded.class, WAIT);
  }

  @Test
  void aBurstOfWritesIsAnsweredOnceEachAndEveryOneIsStored() {
    for (int i = 0; i < 500; i++) {
      store.tell(new DesiredStore.PutNode(node("daq1/acq/n" + i, NodeState.RUNNING), i, replies.getRef()));
    }
    Set<Long> answered = new HashSet<>();
    for (int i = 0; i < 500; i++) {
      DesiredStore.Stored stored = replies.expectMessageClass(DesiredStore.Stored.class, WAIT);
      assertTrue(stored.replicated(), "a one-member cluster is its own majority");
      assertTrue(answered.add(stored.op()), "op " + stored.op() + " answered once");
    }
    replies.expectNoMessage(Duration.ofMillis(200));
    Map<NodePath, DesiredNode> nodes = load().nodes();
    for (int i = 0; i < 500; i++) {
      assertEquals(NodeState.RUNNING, nodes.get(NodePath.parse("daq1/acq/n" + i)).requested());
    }
  }

  @Test
  void writesToOneNodeInOneBurstApplyInTheOrderTheyCame() {
    store.tell(new DesiredStore.PutNode(node("daq2/acq/gone", NodeState.RUNNING), 1, replies.getRef()));
    store.tell(new DesiredStore.DeleteNode(NodePath.parse("daq2/acq/gone"), 2, replies.getRef()));
    store.tell(new DesiredStore.DeleteNode(NodePath.parse("daq2/acq/back"), 3, replies.getRef()));
    store.tell(new DesiredStore.PutNode(node("daq2/acq/back", NodeState.STOPPED), 4, replies.getRef()));
    store.tell(new DesiredStore.PutNode(node("daq2/acq/back", NodeState.RUNNING), 5, replies.getRef()));
    for (int i = 0; i < 5; i++) {
      replies.expectMessageClass(DesiredStore.Stored.class, WAIT);
    }
    Map<NodePath, DesiredNode> nodes = load().nodes();
    assertTrue(!nodes.containsKey(NodePath.parse("daq2/acq/gone")), "put, then deleted");
    assertEquals(NodeState.RUNNING, nodes.get(NodePath.parse("daq2/acq/back")).requested(), "the last write wins");
  }
}
