package io.shepherd.manager.internal;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import io.shepherd.protocol.Checkpoint;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The Manager's door to its store: each write numbered, its continuation run with the store's answer. A probe plays the store. */
class DesiredStateTest {

  static final ActorTestKit KIT = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  final TestProbe<DesiredStore.Command> store = KIT.createTestProbe();
  final TestProbe<DesiredStore.Stored> replies = KIT.createTestProbe();
  final DesiredState desired = new DesiredState(store.getRef(), replies.getRef());

  @Test
  void eachWriteRunsItsOwnContinuationWithTheStoresAnswerInWhateverOrderTheyCome() {
    Registry registry = Fixtures.registry(List.of("daq1/acq"), List.of("daq1/acq/a"));
    NodeEntry node = registry.node(NodePath.parse("daq1/acq/a"));
    List<String> done = new ArrayList<>();
    desired.put(node, replicated -> done.add("node " + replicated));
    node.request(NodeState.STOPPED);
    desired.put(registry.group(GroupPath.parse("daq1/acq")), replicated -> done.add("group " + replicated));

    DesiredStore.PutNode put = store.expectMessageClass(DesiredStore.PutNode.class);
    assertEquals(NodeState.RUNNING, put.node().requested(), "the node as it was when written, not as it is now");
    assertEquals(replies.getRef(), put.replyTo());
    DesiredStore.PutGroup group = store.expectMessageClass(DesiredStore.PutGroup.class);
    assertNotEquals(put.op(), group.op());

    desired.stored(new DesiredStore.Stored(group.op(), false));
    desired.stored(new DesiredStore.Stored(put.op(), true));
    desired.stored(new DesiredStore.Stored(put.op(), true));
    desired.stored(new DesiredStore.Stored(12345, true));
    assertEquals(List.of("group false", "node true"), done, "once each; an unknown or repeated answer runs nothing");
  }

  @Test
  void aCheckpointIsDeletedOnlyIfTheNodeHasOne() {
    Registry registry = Fixtures.registry(List.of("daq1/acq"), List.of("daq1/acq/a"));
    NodeEntry node = registry.node(NodePath.parse("daq1/acq/a"));
    desired.deleteCheckpoint(node);
    node.checkpointed(new Checkpoint(new byte[] {3}, Instant.EPOCH));
    desired.putCheckpoint(node);
    assertEquals(node.checkpoint(), store.expectMessageClass(DesiredStore.PutCheckpoint.class).checkpoint(), "no delete before it");
    desired.deleteCheckpoint(node);
    assertEquals(node.path(), store.expectMessageClass(DesiredStore.DeleteCheckpoint.class).path());
  }
}
