package io.shepherd.manager.internal;

import akka.cluster.ddata.GCounter;
import akka.cluster.ddata.GCounterKey;
import akka.cluster.ddata.Key;
import akka.cluster.ddata.LWWMap;
import akka.cluster.ddata.LWWMapKey;
import akka.cluster.ddata.LWWRegister;
import akka.cluster.ddata.LWWRegisterKey;
import io.shepherd.protocol.Checkpoint;
import java.util.Set;

/**
 * Where the desired state lives in Distributed Data: the Manager epoch, the groups, and the nodes
 * and their checkpoints spread over {@code shepherd-nodes-N} and {@code shepherd-checkpoints-N} by
 * the hash of the node's path modulo the number of keys, which {@code shepherd-layout} records.
 */
final class DesiredKeys {

  static final Key<GCounter> EPOCH = GCounterKey.create("shepherd-epoch");
  static final Key<LWWMap<String, DesiredGroup>> GROUPS = LWWMapKey.create("shepherd-groups");
  /** The number of keys the nodes were last spread over; absent in stores written before it existed. */
  static final Key<LWWRegister<Integer>> LAYOUT = LWWRegisterKey.create("shepherd-layout");

  private static final String NODES = "shepherd-nodes-";

  private DesiredKeys() {}

  /** The shard of the node whose path is {@code path}, with the nodes spread over {@code shards} keys. */
  static int shard(String path, int shards) {
    return Math.floorMod(path.hashCode(), shards);
  }

  static Key<LWWMap<String, DesiredNode>> nodes(int shard) {
    return LWWMapKey.create(NODES + shard);
  }

  static Key<LWWMap<String, Checkpoint>> checkpoints(int shard) {
    return LWWMapKey.create("shepherd-checkpoints-" + shard);
  }

  /**
   * How many shards to read at a load: those of the configured number, and those of the number
   * the store was last written with ({@code recorded}, or null if it has no layout record: then
   * every node key the local replica holds).
   */
  static int shardsToRead(int configured, Integer recorded, Set<String> localKeyIds) {
    if (recorded != null) {
      return Math.max(configured, recorded);
    }
    int shards = configured;
    for (String id : localKeyIds) {
      if (id.startsWith(NODES)) {
        try {
          shards = Math.max(shards, Integer.parseInt(id.substring(NODES.length())) + 1);
        } catch (NumberFormatException notOurs) {
          // a key of another kind with the same prefix
        }
      }
    }
    return shards;
  }
}
