package io.shepherd.manager.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** How many keys a load reads: the recorded layout when there is one, else every node key held locally. */
class DesiredKeysTest {

  @Test
  void aRecordedLayoutIsReadAlongsideTheConfiguredOne() {
    assertEquals(16, DesiredKeys.shardsToRead(16, 16, Set.of()));
    assertEquals(128, DesiredKeys.shardsToRead(16, 128, Set.of("shepherd-nodes-3")));
    assertEquals(128, DesiredKeys.shardsToRead(128, 16, Set.of("shepherd-nodes-200")), "the record, not the replica's keys");
  }

  @Test
  void withoutARecordEveryNodeKeyOfTheReplicaIsRead() {
    assertEquals(4, DesiredKeys.shardsToRead(4, null, Set.of()));
    assertEquals(10, DesiredKeys.shardsToRead(4, null, Set.of("shepherd-groups", "shepherd-nodes-9", "shepherd-checkpoints-20")));
    assertEquals(4, DesiredKeys.shardsToRead(4, null, Set.of("shepherd-nodes-x", "shepherd-nodes-2")), "a key that is not a shard");
  }
}
