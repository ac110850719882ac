package io.shepherd.manager.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.ddata.Key;
import akka.cluster.ddata.LWWMap;
import akka.cluster.ddata.LWWRegister;
import akka.cluster.ddata.ReplicatedData;
import akka.cluster.ddata.SelfUniqueAddress;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.ddata.typed.javadsl.Replicator;
import io.shepherd.protocol.Checkpoint;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A store whose number of keys ({@code desired-shards}) changes between loads: every node and
 * checkpoint is read, each ends in its own key only, the number is recorded, and nothing deleted
 * comes back. One test, as the changes build on each other in one cluster's replica.
 */
class DesiredReshardTest {

  static final Duration WAIT = Duration.ofSeconds(15);
  static final ActorTestKit KIT = OneMemberCluster.start("reshard", WAIT);
  static final SelfUniqueAddress SELF = DistributedData.get(KIT.system()).selfUniqueAddress();

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  static String path(int i) {
    return "daq" + (i % 3) + "/acq/n" + i;
  }

  static DesiredNode node(String path, NodeState requested) {
    return new DesiredNode(NodePath.parse(path), NodeSpec.of("noop", Map.of()), requested, 1, null, null);
  }

  static Checkpoint checkpoint(String path) {
    return new Checkpoint(path.getBytes(StandardCharsets.UTF_8), Instant.ofEpochSecond(1_700_000_000));
  }

  static <T extends ReplicatedData> T local(Key<T> key, T empty) {
    Replicator.GetResponse<T> response = AskPattern.<Replicator.Command, Replicator.GetResponse<T>>ask(
        DistributedData.get(KIT.system()).replicator(), r -> new Replicator.Get<>(key, Replicator.readLocal(), r), WAIT,
        KIT.system().scheduler()).toCompletableFuture().join();
    return response instanceof Replicator.GetSuccess<T> success ? success.get(key) : empty;
  }

  static <T extends ReplicatedData> void write(Key<T> key, T empty, Function<T, T> modify) {
    AskPattern.<Replicator.Command, Replicator.UpdateResponse<T>>ask(DistributedData.get(KIT.system()).replicator(),
        r -> new Replicator.Update<>(key, empty, Replicator.writeLocal(), r, modify), WAIT, KIT.system().scheduler())
        .toCompletableFuture().join();
  }

  static DesiredStore.Loaded load(ActorRef<DesiredStore.Command> store) {
    TestProbe<DesiredStore.Loaded> loaded = KIT.createTestProbe();
    store.tell(new DesiredStore.Load(loaded.getRef()));
    return loaded.expectMessageClass(DesiredStore.Loaded.class, WAIT);
  }

  static ActorRef<DesiredStore.Command> store(int shards) {
    return KIT.spawn(DesiredStore.create(new DesiredStore.Settings(Duration.ofSeconds(3), Duration.ofSeconds(3), shards)));
  }

  /** Every node of the replica by the shard of the key it sits in; fails if one sits in two keys. */
  static Map<String, Integer> placement(int keys) {
    Map<String, Integer> where = new HashMap<>();
    for (int shard = 0; shard < keys; shard++) {
      for (String path : local(DesiredKeys.nodes(shard), LWWMap.<String, DesiredNode>create()).getEntries().keySet()) {
        Integer before = where.put(path, shard);
        assertEquals(null, before, path + " in key " + before + " and key " + shard);
      }
    }
    return where;
  }

  static void assertAtHome(int shards, int keysToLook, Set<String> expected) {
    Map<String, Integer> where = placement(keysToLook);
    assertEquals(expected, new TreeSet<>(where.keySet()), "the nodes in the replica");
    where.forEach((path, shard) -> assertEquals(DesiredKeys.shard(path, shards), shard, path + " in its own key of " + shards));
    for (int shard = 0; shard < keysToLook; shard++) {
      for (String path : local(DesiredKeys.checkpoints(shard), LWWMap.<String, Checkpoint>create()).getEntries().keySet()) {
        assertEquals(DesiredKeys.shard(path, shards), shard, "checkpoint of " + path + " in its own key of " + shards);
      }
    }
    assertEquals(shards, local(DesiredKeys.LAYOUT, LWWRegister.create(SELF, -1)).getValue(), "the number of keys recorded");
  }

  static Set<String> paths(DesiredStore.Loaded loaded) {
    Set<String> paths = new TreeSet<>();
    loaded.nodes().keySet().forEach(p -> paths.add(p.toString()));
    return paths;
  }

  @Test
  void changingTheNumberOfKeysMovesEveryEntryToItsOwnKeyAndLosesOrRevivesNothing() {
    // A store written before the layout record existed, over 10 keys.
    Set<String> expected = new TreeSet<>();
    for (int i = 0; i < 40; i++) {
      String path = path(i);
      expected.add(path);
      write(DesiredKeys.nodes(DesiredKeys.shard(path, 10)), LWWMap.create(), m -> m.put(SELF, path, node(path, NodeState.RUNNING)));
      if (i % 4 == 0) {
        write(DesiredKeys.checkpoints(DesiredKeys.shard(path, 10)), LWWMap.create(), m -> m.put(SELF, path, checkpoint(path)));
      }
    }

    DesiredStore.Loaded first = load(store(4));
    assertEquals(expected, paths(first), "every node of the 10 keys, read with 4 configured");
    assertEquals(10, first.checkpoints().size(), "every checkpoint");
    assertEquals(checkpoint(path(8)), first.checkpoints().get(NodePath.parse(path(8))));
    assertAtHome(4, 10, expected);

    // Changes with 4 keys, then a load with 7: the deleted node stays deleted, the new one is there.
    ActorRef<DesiredStore.Command> four = store(4);
    TestProbe<DesiredStore.Stored> stored = KIT.createTestProbe();
    four.tell(new DesiredStore.DeleteNode(NodePath.parse(path(5)), 1, stored.getRef()));
    four.tell(new DesiredStore.PutNode(node("daq9/acq/late", NodeState.STOPPED), 2, stored.getRef()));
    stored.expectMessageClass(DesiredStore.Stored.class, WAIT);
    stored.expectMessageClass(DesiredStore.Stored.class, WAIT);
    expected.remove(path(5));
    expected.add("daq9/acq/late");

    DesiredStore.Loaded second = load(store(7));
    assertEquals(expected, paths(second));
    assertEquals(NodeState.STOPPED, second.nodes().get(NodePath.parse("daq9/acq/late")).requested());
    assertEquals(10, second.checkpoints().size());
    assertAtHome(7, 10, expected);

    // Back to 4: the keys 4, 5 and 6 are read because 7 is recorded.
    assertEquals(expected, paths(load(store(4))));
    assertAtHome(4, 10, expected);

    // A move that a crash cut short: the node is in its own key and still in an old one.
    String path = path(3);
    int other = (DesiredKeys.shard(path, 4) + 1) % 4;
    write(DesiredKeys.nodes(other), LWWMap.create(), m -> m.put(SELF, path, node(path, NodeState.FAILED)));
    write(DesiredKeys.nodes(DesiredKeys.shard(path, 4)), LWWMap.create(), m -> m.put(SELF, path, node(path, NodeState.STOPPED)));
    DesiredStore.Loaded fourth = load(store(4));
    assertEquals(NodeState.STOPPED, fourth.nodes().get(NodePath.parse(path)).requested(), "the copy in its own key wins");
    assertAtHome(4, 10, expected);
    assertTrue(fourth.epoch() > first.epoch(), "every load takes the next epoch");
  }
}
