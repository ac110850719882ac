package io.shepherd.manager.internal;

import static io.shepherd.manager.internal.Fixtures.status;
import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.HostInfo;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeState;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A host's numbered events and snapshots in parts, at the Manager. */
class HostEntryTest {

  static HostEntry host() {
    return new HostEntry("daq1", null, new HostInfo("daq1", "akka://shepherd@127.0.0.1:1", 7, List.of("noop"), List.of(), 1, List.of()));
  }

  @Test
  void eventsCountOnlyOnceASnapshotHasArrivedAndAGapIsSeen() {
    HostEntry host = host();
    assertFalse(host.synced());
    assertEquals(HostEntry.Numbering.IN_ORDER, host.number(42), "before a snapshot any event is taken as it comes");
    assertNull(host.addSnapshotPart(0, 2, List.of(GroupPath.parse("daq1/a")), List.of(), 10), "one part of two");
    HostEntry.Snapshot snapshot = host.addSnapshotPart(1, 2, List.of(GroupPath.parse("daq1/b")),
        List.of(status("daq1/b/n", "daq1", NodeState.RUNNING, NodeState.RUNNING, 1)), 10);
    assertEquals(Set.of(GroupPath.parse("daq1/a"), GroupPath.parse("daq1/b")), snapshot.groups());
    assertEquals(Set.of(NodePath.parse("daq1/b/n")), snapshot.nodes().keySet());
    assertTrue(host.synced());
    assertEquals(11, host.nextSeq(), "the snapshot was taken at event 10");
    assertEquals(HostEntry.Numbering.OLD, host.number(10));
    assertEquals(HostEntry.Numbering.IN_ORDER, host.number(11));
    assertEquals(HostEntry.Numbering.AFTER_A_GAP, host.number(14), "12 and 13 were lost");
    assertEquals(15, host.nextSeq());
    host.snapshotRequested(100);
    assertFalse(host.synced(), "events wait for the snapshot asked for");
    assertFalse(host.snapshotOverdue(150, 100));
    assertTrue(host.snapshotOverdue(201, 100));
  }

  @Test
  void aSnapshotStartedAgainForgetsTheEarlierParts() {
    HostEntry host = host();
    host.addSnapshotPart(0, 2, List.of(GroupPath.parse("daq1/old")), List.of(), 3);
    host.addSnapshotPart(0, 2, List.of(GroupPath.parse("daq1/a")), List.of(), 5);
    HostEntry.Snapshot snapshot = host.addSnapshotPart(1, 2, List.of(), List.of(), 5);
    assertEquals(Set.of(GroupPath.parse("daq1/a")), snapshot.groups());
  }

  @Test
  void downUntilItRegistersAgain() {
    HostEntry host = host();
    host.registered(0);
    host.unreachable();
    assertEquals(HostEntry.State.UNREACHABLE, host.state());
    host.reachable();
    assertTrue(host.up());
    host.addSnapshotPart(0, 1, List.of(), List.of(), 0);
    assertNull(host.downSince());
    Instant at = Instant.parse("2026-12-01T10:00:00Z");
    host.down(at);
    assertEquals(HostEntry.State.DOWN, host.state());
    assertEquals(at, host.downSince(), "its LOST nodes are lost since then");
    assertFalse(host.synced(), "a host that comes back sends a snapshot first");
    host.registered(5);
    assertTrue(host.up());
    assertNull(host.downSince());
  }
}
