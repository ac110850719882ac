package io.shepherd.manager.internal;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.cluster.ddata.GCounter;
import akka.cluster.ddata.Key;
import akka.cluster.ddata.LWWMap;
import akka.cluster.ddata.LWWRegister;
import akka.cluster.ddata.SelfUniqueAddress;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.ddata.typed.javadsl.Replicator;
import akka.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import akka.pattern.Patterns;
import io.shepherd.protocol.Checkpoint;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.NodePath;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * One load of the desired state for a new Manager: takes the next epoch, reads the groups and every
 * node and checkpoint key from a majority of manager members (or, if none answers in time, from
 * this member's replica), and answers {@link DesiredStore.Loaded}; then it stops.
 *
 * <p>If {@code desired-shards} is not the number the store was last written with, every entry that
 * sits in a key other than its own under the new number is moved before the answer: put into its
 * own key, and once every put has been written, removed from the old one, so a crash in between
 * leaves an entry in two keys, never in none (the next load keeps the copy in its own key and
 * removes the other). The number is recorded last. A store written before the record existed is
 * read over every node key this member's replica holds.
 *
 * <p>Supervision: none; a failure stops it, and its parent, watching, fails with it.
 */
final class DesiredLoad extends AbstractBehavior<DesiredLoad.Command> {

  sealed interface Command extends NoSerializationVerificationNeeded {}

  private enum EpochIncremented implements Command { INSTANCE }

  private record EpochRead(Replicator.GetResponse<GCounter> response) implements Command {}

  private record LayoutRead(Replicator.GetResponse<LWWRegister<Integer>> response, boolean local) implements Command {}

  private record KeyIds(Set<String> ids) implements Command {}

  private record GroupsRead(Replicator.GetResponse<LWWMap<String, DesiredGroup>> response, boolean local) implements Command {}

  private record ShardRead<V>(Shelf<V> shelf, int shard, Replicator.GetResponse<LWWMap<String, V>> response, boolean local)
      implements Command {}

  private record Written(boolean replicated) implements Command {}

  /** The writes of a load, in order: each starts once every write of the one before has been answered. */
  private enum Step { MOVE, REMOVE, RECORD }

  private final DesiredStore.Settings settings;
  private final ActorRef<DesiredStore.Loaded> replyTo;
  private final SelfUniqueAddress self;
  private final ReplicatorMessageAdapter<Command, GCounter> epochs;
  private final ReplicatorMessageAdapter<Command, LWWRegister<Integer>> layouts;
  private final ReplicatorMessageAdapter<Command, LWWMap<String, DesiredGroup>> groupMaps;
  private final Shelf<DesiredNode> nodes;
  private final Shelf<Checkpoint> checkpoints;
  private final Replicator.WriteConsistency writeMajority;
  private final Map<GroupPath, DesiredGroup> groups = new HashMap<>();
  private long epoch;
  /** The number of keys the store records it was written with, or null. */
  private Integer recorded;
  private int readsLeft;
  private Step step;
  private int writesLeft;

  static Behavior<Command> create(DesiredStore.Settings settings, ActorRef<DesiredStore.Loaded> replyTo) {
    return Behaviors.setup(ctx -> new DesiredLoad(ctx, settings, replyTo));
  }

  private DesiredLoad(ActorContext<Command> ctx, DesiredStore.Settings settings, ActorRef<DesiredStore.Loaded> replyTo) {
    super(ctx);
    this.settings = settings;
    this.replyTo = replyTo;
    DistributedData ddata = DistributedData.get(ctx.getSystem());
    this.self = ddata.selfUniqueAddress();
    Duration askTimeout = settings.writeTimeout().plus(settings.readTimeout()).plusSeconds(5);
    this.epochs = new ReplicatorMessageAdapter<>(ctx, ddata.replicator(), askTimeout);
    this.layouts = new ReplicatorMessageAdapter<>(ctx, ddata.replicator(), askTimeout);
    this.groupMaps = new ReplicatorMessageAdapter<>(ctx, ddata.replicator(), askTimeout);
    this.nodes = new Shelf<>(DesiredKeys::nodes, new ReplicatorMessageAdapter<>(ctx, ddata.replicator(), askTimeout));
    this.checkpoints = new Shelf<>(DesiredKeys::checkpoints, new ReplicatorMessageAdapter<>(ctx, ddata.replicator(), askTimeout));
    this.writeMajority = new Replicator.WriteMajority(settings.writeTimeout());
    // Whether or not a majority confirms in time, the local replica is incremented, and the
    // Split Brain Resolver guarantees there is no other Manager to race with.
    epochs.askUpdate(r -> new Replicator.Update<>(DesiredKeys.EPOCH, GCounter.create(), writeMajority, r, c -> c.increment(self, 1)),
        response -> EpochIncremented.INSTANCE);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(EpochIncremented.class, m -> onEpochIncremented())
        .onMessage(EpochRead.class, this::onEpochRead)
        .onMessage(LayoutRead.class, this::onLayoutRead)
        .onMessage(KeyIds.class, this::onKeyIds)
        .onMessage(GroupsRead.class, this::onGroupsRead)
        .onMessage(ShardRead.class, this::onShardRead)
        .onMessage(Written.class, this::onWritten)
        .build();
  }

  private Behavior<Command> onEpochIncremented() {
    epochs.askGet(r -> new Replicator.Get<>(DesiredKeys.EPOCH, Replicator.readLocal(), r), response -> new EpochRead(response));
    return this;
  }

  private Behavior<Command> onEpochRead(EpochRead read) {
    epoch = read.response() instanceof Replicator.GetSuccess<GCounter> success
        ? success.get(DesiredKeys.EPOCH).getValue().longValue()
        : 1;
    readLayout(false);
    return this;
  }

  private void readLayout(boolean local) {
    layouts.askGet(r -> new Replicator.Get<>(DesiredKeys.LAYOUT, consistency(local), r), response -> new LayoutRead(response, local));
  }

  private Behavior<Command> onLayoutRead(LayoutRead read) {
    if (read.response() instanceof Replicator.GetSuccess<LWWRegister<Integer>> success) {
      recorded = success.get(DesiredKeys.LAYOUT).getValue();
    } else if (read.response() instanceof Replicator.GetFailure<?> && !read.local()) {
      getContext().getLog().warn("no majority of manager members answered in time; reading the desired state locally");
      readLayout(true);
      return this;
    }
    // The keys this member's replica holds: only needed for a store without a layout record.
    getContext().pipeToSelf(Patterns.ask(akka.cluster.ddata.DistributedData.get(Adapter.toClassic(getContext().getSystem())).replicator(),
            akka.cluster.ddata.Replicator.GetKeyIds$.MODULE$, settings.readTimeout()),
        (answer, failure) -> new KeyIds(answer instanceof akka.cluster.ddata.Replicator.GetKeyIdsResult ids ? ids.getKeyIds() : Set.of()));
    return this;
  }

  private Behavior<Command> onKeyIds(KeyIds ids) {
    int shards = DesiredKeys.shardsToRead(settings.desiredShards(), recorded, ids.ids());
    readsLeft = 1 + 2 * shards;
    readGroups(false);
    for (int shard = 0; shard < shards; shard++) {
      nodes.read(shard, false);
      checkpoints.read(shard, false);
    }
    return this;
  }

  private void readGroups(boolean local) {
    groupMaps.askGet(r -> new Replicator.Get<>(DesiredKeys.GROUPS, consistency(local), r), response -> new GroupsRead(response, local));
  }

  private Behavior<Command> onGroupsRead(GroupsRead read) {
    if (read.response() instanceof Replicator.GetSuccess<LWWMap<String, DesiredGroup>> success) {
      success.get(DesiredKeys.GROUPS).getEntries().values().forEach(g -> groups.put(g.path(), g));
    } else if (read.response() instanceof Replicator.GetFailure<?> && !read.local()) {
      readGroups(true);
      return this;
    }
    return readDone();
  }

  private Behavior<Command> onShardRead(ShardRead<?> read) {
    return shardRead(read);
  }

  private <V> Behavior<Command> shardRead(ShardRead<V> read) {
    if (read.response() instanceof Replicator.GetSuccess<LWWMap<String, V>> success) {
      read.shelf().add(read.shard(), success.dataValue());
    } else if (read.response() instanceof Replicator.GetFailure<?> && !read.local()) {
      read.shelf().read(read.shard(), true);
      return this;
    }
    return readDone();
  }

  private Behavior<Command> readDone() {
    return --readsLeft > 0 ? this : next(0);
  }

  private Behavior<Command> onWritten(Written written) {
    if (!written.replicated()) {
      getContext().getLog().warn("a desired-state key was rewritten on this manager member but not on a majority within {} ms",
          settings.writeTimeout().toMillis());
    }
    return --writesLeft > 0 ? this : next(step.ordinal() + 1);
  }

  /** Starts the step numbered {@code from}, or the first after it with anything to write, or answers. */
  private Behavior<Command> next(int from) {
    for (int i = from; i < Step.values().length; i++) {
      step = Step.values()[i];
      writesLeft = switch (step) {
        case MOVE -> nodes.moveHome() + checkpoints.moveHome();
        case REMOVE -> nodes.removeStrays() + checkpoints.removeStrays();
        case RECORD -> recordLayout();
      };
      if (writesLeft > 0) {
        return this;
      }
    }
    return answer();
  }

  private int recordLayout() {
    int shards = settings.desiredShards();
    if (recorded != null && recorded == shards) {
      return 0;
    }
    layouts.askUpdate(r -> new Replicator.Update<>(DesiredKeys.LAYOUT, LWWRegister.create(self, shards), writeMajority, r,
        register -> register.withValue(self, shards)), response -> new Written(response instanceof Replicator.UpdateSuccess));
    return 1;
  }

  private Behavior<Command> answer() {
    if (nodes.moved + checkpoints.moved > 0) {
      getContext().getLog().info("desired-shards is {} (the store had {}): moved {} node(s) and {} checkpoint(s) to their keys",
          settings.desiredShards(), recorded == null ? "no record" : recorded, nodes.moved, checkpoints.moved);
    }
    Map<NodePath, DesiredNode> nodesByPath = new HashMap<>();
    nodes.entries.values().forEach(n -> nodesByPath.put(n.path(), n));
    Map<NodePath, Checkpoint> checkpointsByPath = new HashMap<>();
    checkpoints.entries.forEach((path, c) -> checkpointsByPath.put(NodePath.parse(path), c));
    replyTo.tell(new DesiredStore.Loaded(epoch, Map.copyOf(groups), Map.copyOf(nodesByPath), Map.copyOf(checkpointsByPath)));
    return Behaviors.stopped();
  }

  private Replicator.ReadConsistency consistency(boolean local) {
    return local ? Replicator.readLocal() : new Replicator.ReadMajority(settings.readTimeout());
  }

  /** The entries of one kind (nodes or checkpoints), by path, as read from every key. */
  private final class Shelf<V> {
    final IntFunction<Key<LWWMap<String, V>>> keys;
    final ReplicatorMessageAdapter<Command, LWWMap<String, V>> maps;
    final Map<String, V> entries = new HashMap<>();
    /** The entries found in their own key under the configured number. */
    final Set<String> home = new HashSet<>();
    /** The entries found in another key, by that key's shard. */
    final Map<Integer, Set<String>> strays = new TreeMap<>();
    int moved;

    Shelf(IntFunction<Key<LWWMap<String, V>>> keys, ReplicatorMessageAdapter<Command, LWWMap<String, V>> maps) {
      this.keys = keys;
      this.maps = maps;
    }

    void read(int shard, boolean local) {
      maps.askGet(r -> new Replicator.Get<>(keys.apply(shard), consistency(local), r), response -> new ShardRead<>(this, shard, response, local));
    }

    /** Keeps what one key holds; an entry found in two keys is kept from its own one. */
    void add(int shard, LWWMap<String, V> map) {
      map.getEntries().forEach((path, value) -> {
        if (DesiredKeys.shard(path, settings.desiredShards()) == shard) {
          entries.put(path, value);
          home.add(path);
        } else {
          strays.computeIfAbsent(shard, s -> new HashSet<>()).add(path);
          if (!home.contains(path)) {
            entries.putIfAbsent(path, value);
          }
        }
      });
    }

    /** Puts every entry not found in its own key there; answers the number of updates sent. */
    int moveHome() {
      Map<Integer, Function<LWWMap<String, V>, LWWMap<String, V>>> puts = new TreeMap<>();
      entries.forEach((path, value) -> {
        if (!home.contains(path)) {
          moved++;
          puts.merge(DesiredKeys.shard(path, settings.desiredShards()), m -> m.put(self, path, value), Function::andThen);
        }
      });
      puts.forEach(this::update);
      return puts.size();
    }

    /** Removes every entry from the keys it does not belong in; answers the number of updates sent. */
    int removeStrays() {
      strays.forEach((shard, paths) -> update(shard, m -> {
        LWWMap<String, V> left = m;
        for (String path : paths) {
          left = left.remove(self, path);
        }
        return left;
      }));
      return strays.size();
    }

    private void update(int shard, Function<LWWMap<String, V>, LWWMap<String, V>> modify) {
      maps.askUpdate(r -> new Replicator.Update<>(keys.apply(shard), LWWMap.create(), writeMajority, r, modify),
          response -> new Written(response instanceof Replicator.UpdateSuccess));
    }
  }
}
