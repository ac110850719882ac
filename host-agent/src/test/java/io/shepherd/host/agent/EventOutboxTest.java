package io.shepherd.host.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import io.shepherd.protocol.Checkpoint;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodePath;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A host's events on their way to the Manager: numbered in order, a burst as one message, nothing sent twice. */
class EventOutboxTest {

  static final ActorTestKit KIT = ActorTestKit.create();
  static final GroupPath GROUP = GroupPath.parse("daq1/acq");
  static final NodePath NODE = NodePath.parse("daq1/acq/sine");

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  final AtomicInteger flushesAsked = new AtomicInteger();
  final EventOutbox outbox = new EventOutbox(flushesAsked::incrementAndGet, 3);
  final TestProbe<ManagerProtocol.Command> manager = KIT.createTestProbe();

  @Test
  void aBurstGoesAsOneMessageInTheOrderItCame() {
    outbox.add(s -> new ManagerProtocol.GroupCreated("daq1", s, GROUP));
    outbox.add(s -> new ManagerProtocol.NodeRemoved("daq1", s, NODE));
    outbox.add(s -> new ManagerProtocol.GroupRemoved("daq1", s, GROUP));
    assertEquals(1, flushesAsked.get(), "one flush for the burst");
    outbox.flush(manager.getRef());
    ManagerProtocol.HostEvents batch = manager.expectMessageClass(ManagerProtocol.HostEvents.class);
    assertEquals(List.of(new ManagerProtocol.GroupCreated("daq1", 1, GROUP), new ManagerProtocol.NodeRemoved("daq1", 2, NODE),
        new ManagerProtocol.GroupRemoved("daq1", 3, GROUP)), batch.events());
    outbox.flush(manager.getRef());
    manager.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aLongBurstIsCutIntoMessagesOfAtMostTheirSizeAndACheckpointGoesAlone() {
    Checkpoint checkpoint = new Checkpoint(new byte[] {1, 2, 3}, Instant.parse("2026-12-02T10:00:00Z"));
    for (int i = 0; i < 4; i++) {
      outbox.add(s -> new ManagerProtocol.NodeRemoved("daq1", s, NODE));
    }
    outbox.add(s -> new ManagerProtocol.NodeCheckpointed("daq1", s, NODE, checkpoint));
    for (int i = 0; i < 3; i++) {
      outbox.add(s -> new ManagerProtocol.NodeRemoved("daq1", s, NODE));
    }
    outbox.flush(manager.getRef());
    List<Long> first = seqs(manager.expectMessageClass(ManagerProtocol.HostEvents.class));
    assertEquals(List.of(1L, 2L, 3L), first);
    assertEquals(4, manager.expectMessageClass(ManagerProtocol.NodeRemoved.class).seq(), "the rest before the checkpoint, alone");
    assertEquals(checkpoint, manager.expectMessageClass(ManagerProtocol.NodeCheckpointed.class).checkpoint());
    assertEquals(List.of(6L, 7L, 8L), seqs(manager.expectMessageClass(ManagerProtocol.HostEvents.class)));
    manager.expectNoMessage(Duration.ofMillis(100));
  }

  static List<Long> seqs(ManagerProtocol.HostEvents batch) {
    return batch.events().stream().map(ManagerProtocol.HostEvent::seq).toList();
  }

  @Test
  void aLoneEventGoesAloneAndTheNextBurstAsksForItsOwnFlush() {
    outbox.add(s -> new ManagerProtocol.NodeRemoved("daq1", s, NODE));
    outbox.flush(manager.getRef());
    assertEquals(new ManagerProtocol.NodeRemoved("daq1", 1, NODE), manager.expectMessageClass(ManagerProtocol.NodeRemoved.class));
    outbox.add(s -> new ManagerProtocol.NodeRemoved("daq1", s, NODE));
    assertEquals(2, flushesAsked.get());
    assertEquals(2, outbox.seq());
  }

  @Test
  void withoutAManagerOrBeforeASnapshotWhatWaitsIsDroppedAndTheNumbersGoOn() {
    outbox.add(s -> new ManagerProtocol.NodeRemoved("daq1", s, NODE));
    outbox.flush(null);
    outbox.add(s -> new ManagerProtocol.NodeRemoved("daq1", s, NODE));
    outbox.clear(); // a snapshot numbered 2 carries it
    outbox.flush(manager.getRef());
    manager.expectNoMessage(Duration.ofMillis(100));
    outbox.add(s -> new ManagerProtocol.NodeRemoved("daq1", s, NODE));
    outbox.flush(manager.getRef());
    assertEquals(3, manager.expectMessageClass(ManagerProtocol.NodeRemoved.class).seq(), "the event after the snapshot numbered 2");
  }
}
