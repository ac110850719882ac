package io.shepherd.manager.internal;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.ChildFailed;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.cluster.ddata.Key;
import akka.cluster.ddata.LWWMap;
import akka.cluster.ddata.SelfUniqueAddress;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.ddata.typed.javadsl.Replicator;
import akka.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import io.shepherd.protocol.Checkpoint;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.NodePath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The Manager's desired state in Distributed Data, replicated to every manager member: groups in
 * one LWW map, nodes and their checkpoints spread over {@code desired-shards} LWW maps each by
 * path, and the Manager epoch in a G-Counter (see {@link DesiredKeys}). Writes go to a majority of
 * manager members; a load, for a new Manager, is a {@link DesiredLoad} child.
 *
 * <p>Supervision: none; it fails if its load fails, and its parent, watching, fails with it.
 */
public final class DesiredStore extends AbstractBehavior<DesiredStore.Command> {

  public sealed interface Command extends NoSerializationVerificationNeeded {}

  /** Take the next epoch and read everything; answered with {@link Loaded}. */
  public record Load(ActorRef<Loaded> replyTo) implements Command {}

  public record Loaded(long epoch, Map<GroupPath, DesiredGroup> groups, Map<NodePath, DesiredNode> nodes,
                       Map<NodePath, Checkpoint> checkpoints) implements NoSerializationVerificationNeeded {}

  public record PutGroup(DesiredGroup group, long op, ActorRef<Stored> replyTo) implements Command {}

  public record DeleteGroup(GroupPath path, long op, ActorRef<Stored> replyTo) implements Command {}

  public record PutNode(DesiredNode node, long op, ActorRef<Stored> replyTo) implements Command {}

  public record DeleteNode(NodePath path, long op, ActorRef<Stored> replyTo) implements Command {}

  public record PutCheckpoint(NodePath path, Checkpoint checkpoint, long op, ActorRef<Stored> replyTo) implements Command {}

  public record DeleteCheckpoint(NodePath path, long op, ActorRef<Stored> replyTo) implements Command {}

  /** A write finished: {@code replicated} if a majority of manager members has it. */
  public record Stored(long op, boolean replicated) implements NoSerializationVerificationNeeded {}

  /** The writes of one batch reached a majority of manager members ({@code replicated}), or only this member. */
  private record Written(List<Write> writes, boolean replicated) implements Command {}

  /** Writes queued since the last flush go out: one update per key. */
  private enum Flush implements Command { INSTANCE }

  private record Write(long op, ActorRef<Stored> replyTo) {}

  /** The writes to one key waiting for the next flush, with their changes composed in arrival order. */
  private static final class Batch<V> {
    final ReplicatorMessageAdapter<Command, LWWMap<String, V>> maps;
    final Key<LWWMap<String, V>> key;
    final List<Write> writes = new ArrayList<>();
    Function<LWWMap<String, V>, LWWMap<String, V>> modify = Function.identity();

    Batch(ReplicatorMessageAdapter<Command, LWWMap<String, V>> maps, Key<LWWMap<String, V>> key) {
      this.maps = maps;
      this.key = key;
    }
  }

  private final Settings settings;
  private final SelfUniqueAddress self;
  private final ReplicatorMessageAdapter<Command, LWWMap<String, DesiredGroup>> groupMaps;
  private final ReplicatorMessageAdapter<Command, LWWMap<String, DesiredNode>> nodeMaps;
  private final ReplicatorMessageAdapter<Command, LWWMap<String, Checkpoint>> checkpointMaps;
  private final Replicator.WriteConsistency writeMajority;
  /** Writes waiting for the flush that is already in this actor's mailbox, by key. */
  private final Map<Key<?>, Batch<?>> batches = new LinkedHashMap<>();

  /**
   * @param writeTimeout how long a write waits for a majority of manager members
   * @param readTimeout how long the load waits for a majority before it falls back to this member's copy
   * @param desiredShards how many keys the nodes (and checkpoints) are spread over
   */
  public record Settings(Duration writeTimeout, Duration readTimeout, int desiredShards) {}

  public static Behavior<Command> create(Settings settings) {
    return Behaviors.setup(ctx -> new DesiredStore(ctx, settings));
  }

  private DesiredStore(ActorContext<Command> ctx, Settings settings) {
    super(ctx);
    this.settings = settings;
    DistributedData ddata = DistributedData.get(ctx.getSystem());
    this.self = ddata.selfUniqueAddress();
    Duration askTimeout = settings.writeTimeout().plus(settings.readTimeout()).plusSeconds(5);
    this.groupMaps = new ReplicatorMessageAdapter<>(ctx, ddata.replicator(), askTimeout);
    this.nodeMaps = new ReplicatorMessageAdapter<>(ctx, ddata.replicator(), askTimeout);
    this.checkpointMaps = new ReplicatorMessageAdapter<>(ctx, ddata.replicator(), askTimeout);
    this.writeMajority = new Replicator.WriteMajority(settings.writeTimeout());
  }

  private Key<LWWMap<String, DesiredNode>> nodeKey(NodePath path) {
    return DesiredKeys.nodes(DesiredKeys.shard(path.toString(), settings.desiredShards()));
  }

  private Key<LWWMap<String, Checkpoint>> checkpointKey(NodePath path) {
    return DesiredKeys.checkpoints(DesiredKeys.shard(path.toString(), settings.desiredShards()));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Load.class, this::onLoad)
        .onMessage(PutCheckpoint.class, this::onPutCheckpoint)
        .onMessage(DeleteCheckpoint.class, this::onDeleteCheckpoint)
        .onMessage(PutGroup.class, this::onPutGroup)
        .onMessage(DeleteGroup.class, this::onDeleteGroup)
        .onMessage(PutNode.class, this::onPutNode)
        .onMessage(DeleteNode.class, this::onDeleteNode)
        .onMessage(Flush.class, m -> onFlush())
        .onMessage(Written.class, this::onWritten)
        .onSignal(ChildFailed.class, this::onLoadFailed)
        .onSignal(Terminated.class, loadDone -> this)
        .build();
  }

  // ---- loading ----------------------------------------------------------------------------------

  private Behavior<Command> onLoad(Load load) {
    getContext().watch(getContext().spawnAnonymous(DesiredLoad.create(settings, load.replyTo())));
    return this;
  }

  private Behavior<Command> onLoadFailed(ChildFailed failed) {
    throw new IllegalStateException("loading the desired state failed", failed.getCause());
  }

  // ---- writing ----------------------------------------------------------------------------------

  private Behavior<Command> onPutCheckpoint(PutCheckpoint put) {
    update(checkpointMaps, checkpointKey(put.path()), put.op(), put.replyTo(), m -> m.put(self, put.path().toString(), put.checkpoint()));
    return this;
  }

  private Behavior<Command> onDeleteCheckpoint(DeleteCheckpoint delete) {
    update(checkpointMaps, checkpointKey(delete.path()), delete.op(), delete.replyTo(), m -> m.remove(self, delete.path().toString()));
    return this;
  }

  private Behavior<Command> onPutGroup(PutGroup put) {
    updateGroups(put.op(), put.replyTo(), m -> m.put(self, put.group().path().toString(), put.group()));
    return this;
  }

  private Behavior<Command> onDeleteGroup(DeleteGroup delete) {
    updateGroups(delete.op(), delete.replyTo(), m -> m.remove(self, delete.path().toString()));
    return this;
  }

  private Behavior<Command> onPutNode(PutNode put) {
    updateNodes(nodeKey(put.node().path()), put.op(), put.replyTo(), m -> m.put(self, put.node().path().toString(), put.node()));
    return this;
  }

  private Behavior<Command> onDeleteNode(DeleteNode delete) {
    updateNodes(nodeKey(delete.path()), delete.op(), delete.replyTo(), m -> m.remove(self, delete.path().toString()));
    return this;
  }

  private void updateGroups(long op, ActorRef<Stored> replyTo,
                            Function<LWWMap<String, DesiredGroup>, LWWMap<String, DesiredGroup>> modify) {
    update(groupMaps, DesiredKeys.GROUPS, op, replyTo, modify);
  }

  private void updateNodes(Key<LWWMap<String, DesiredNode>> key, long op, ActorRef<Stored> replyTo,
                           Function<LWWMap<String, DesiredNode>, LWWMap<String, DesiredNode>> modify) {
    update(nodeMaps, key, op, replyTo, modify);
  }

  /**
   * Queues a write to {@code key}. Writes that arrive together (a site file's hundred nodes, a
   * burst of client calls) share one update of their key: the flush is sent to this actor when the
   * first write is queued, so it runs after every write already in the mailbox, and a lone write
   * waits for nothing. Each write is answered only once its batch has reached a majority.
   */
  @SuppressWarnings("unchecked")
  private <V> void update(ReplicatorMessageAdapter<Command, LWWMap<String, V>> maps, Key<LWWMap<String, V>> key, long op,
                          ActorRef<Stored> replyTo, Function<LWWMap<String, V>, LWWMap<String, V>> modify) {
    if (batches.isEmpty()) {
      getContext().getSelf().tell(Flush.INSTANCE);
    }
    Batch<V> batch = (Batch<V>) batches.computeIfAbsent(key, k -> new Batch<>(maps, key));
    batch.writes.add(new Write(op, replyTo));
    batch.modify = batch.modify.andThen(modify);
  }

  private Behavior<Command> onFlush() {
    batches.values().forEach(this::send);
    batches.clear();
    return this;
  }

  private <V> void send(Batch<V> batch) {
    List<Write> writes = List.copyOf(batch.writes);
    Function<LWWMap<String, V>, LWWMap<String, V>> modify = batch.modify;
    batch.maps.askUpdate(r -> new Replicator.Update<>(batch.key, LWWMap.create(), writeMajority, r, modify),
        response -> new Written(writes, response instanceof Replicator.UpdateSuccess));
  }

  private Behavior<Command> onWritten(Written written) {
    if (!written.replicated()) {
      getContext().getLog().warn("{} desired-state write(s) reached this manager member but not a majority within {} ms",
          written.writes().size(), settings.writeTimeout().toMillis());
    }
    written.writes().forEach(w -> w.replyTo().tell(new Stored(w.op(), written.replicated())));
    return this;
  }
}
