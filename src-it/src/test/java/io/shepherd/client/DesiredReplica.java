package io.shepherd.client;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.ddata.Key;
import akka.cluster.ddata.LWWMap;
import akka.cluster.ddata.LWWMapKey;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.ddata.typed.javadsl.Replicator;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The desired state as a manager member's replica holds it (Distributed Data, read locally): every
 * group and every node with its spec (type, params, process, mode, policy), requested state, request
 * number and manager. What the API shows of a node is its status; its params are only here.
 */
final class DesiredReplica {

  private DesiredReplica() {}

  /** Entries by key ({@code shepherd-groups}, {@code shepherd-nodes-N}), then by path. */
  static Map<String, Map<String, Object>> read(ActorSystem<?> system) {
    int shards = system.settings().config().getInt("shepherd.manager.desired-shards");
    Map<String, Map<String, Object>> all = new TreeMap<>();
    all.put("shepherd-groups", entries(system, LWWMapKey.create("shepherd-groups")));
    for (int shard = 0; shard < shards; shard++) {
      all.put("shepherd-nodes-" + shard, entries(system, LWWMapKey.create("shepherd-nodes-" + shard)));
    }
    return all;
  }

  private static Map<String, Object> entries(ActorSystem<?> system, Key<LWWMap<String, Object>> key) {
    ActorRef<Replicator.Command> replicator = DistributedData.get(system).replicator();
    Replicator.GetResponse<LWWMap<String, Object>> response = AskPattern.<Replicator.Command, Replicator.GetResponse<LWWMap<String, Object>>>ask(
        replicator, replyTo -> new Replicator.Get<>(key, Replicator.readLocal(), replyTo), Duration.ofSeconds(10), system.scheduler())
        .toCompletableFuture().join();
    if (response instanceof Replicator.GetSuccess<LWWMap<String, Object>> success) {
      return new TreeMap<>(success.get(key).getEntries());
    }
    if (response instanceof Replicator.NotFound<LWWMap<String, Object>>) {
      return Map.of();
    }
    throw new AssertionError("the local replica did not answer " + key + ": " + response);
  }
}
