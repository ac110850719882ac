package io.shepherd.manager;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.StashBuffer;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import io.shepherd.manager.internal.DesiredStore;
import io.shepherd.manager.internal.GroupEntry;
import io.shepherd.manager.internal.HostEntry;
import io.shepherd.manager.internal.Leases;
import io.shepherd.manager.internal.ManagerEvents;
import io.shepherd.manager.internal.NodeEntry;
import io.shepherd.manager.internal.Phase;
import io.shepherd.manager.internal.Reconciler;
import io.shepherd.manager.internal.ReplyAggregator;
import io.shepherd.manager.internal.StatusView;
import io.shepherd.manager.internal.Waiter;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.Event;
import io.shepherd.protocol.Fault;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.HostProtocol;
import io.shepherd.protocol.Lifecycle;
import io.shepherd.protocol.LifecycleAction;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.ManagerProtocol.Reply;
import io.shepherd.protocol.Names;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * The Manager: one per cluster, a cluster singleton on the oldest manager member. It keeps the
 * registry of hosts, NodeGroups and nodes, routes every client call to the right host, and
 * reconciles what should run (desired state, replicated to every manager member by its
 * {@link DesiredStore}) with what runs (reported by the hosts as numbered events and snapshots).
 *
 * <p>Every incarnation takes a new, higher epoch, which fences it from hosts registered with an
 * older one. A call is answered only once its change is in desired state; a change that could not
 * reach a majority of manager members is answered {@code NOT_REPLICATED}.
 *
 * <p>Supervision: the member launcher restarts it with backoff; a restart is a new incarnation
 * (new epoch, desired state reloaded, hosts asked to register again).
 */
public final class Manager extends AbstractBehavior<ManagerProtocol.Command> {

  private record StoreLoaded(DesiredStore.Loaded loaded) implements ManagerProtocol.Command, NoSerializationVerificationNeeded {}

  private record StoreDone(DesiredStore.Stored stored) implements ManagerProtocol.Command, NoSerializationVerificationNeeded {}

  private record MemberChanged(ClusterEvent.MemberEvent event) implements ManagerProtocol.Command, NoSerializationVerificationNeeded {}

  private record ReachabilityChanged(ClusterEvent.ReachabilityEvent event)
      implements ManagerProtocol.Command, NoSerializationVerificationNeeded {}

  private record HostsListed(Receptionist.Listing listing) implements ManagerProtocol.Command, NoSerializationVerificationNeeded {}

  private enum Tick implements ManagerProtocol.Command, NoSerializationVerificationNeeded { INSTANCE }

  /** Send the events published since the last flush (see {@link ManagerEvents}). */
  private enum FlushEvents implements ManagerProtocol.Command, NoSerializationVerificationNeeded { INSTANCE }

  private record EventSubscriberGone(ActorRef<ManagerProtocol.EventBatch> subscriber)
      implements ManagerProtocol.Command, NoSerializationVerificationNeeded {}

  private record LogStatsReported(io.shepherd.protocol.LogProtocol.LogStats stats)
      implements ManagerProtocol.Command, NoSerializationVerificationNeeded {}

  /** The hosts' verdict on the node specs of a site file being applied. */
  record SiteChecked(ManagerProtocol.ApplySite apply, List<String> problems)
      implements ManagerProtocol.Command, NoSerializationVerificationNeeded {}

  /** How long hosts have to check the specs of a site file. */
  static final java.time.Duration SPEC_CHECK_TIMEOUT = java.time.Duration.ofSeconds(10);

  private static final int STASH_CAPACITY = 100_000;

  private final ManagerSettings settings;
  private final TimerScheduler<ManagerProtocol.Command> timers;
  private final ActorRef<DesiredStore.Command> store;
  final ActorRef<DesiredStore.Stored> storeReplies;
  private final Cluster cluster;
  final long epoch;
  final Reconciler reconciler;

  final Map<String, HostEntry> hosts = new HashMap<>();
  final Map<GroupPath, GroupEntry> groups = new HashMap<>();
  final Map<NodePath, NodeEntry> nodes = new HashMap<>();
  private final Map<Long, Consumer<Boolean>> pendingStores = new HashMap<>();
  private long nextOp;
  private io.shepherd.protocol.LogProtocol.LogStats logStats;
  final ManagerEvents events;
  private final Leases leases = new Leases();
  private final java.time.Instant startedAt = java.time.Instant.now();
  private final ManagerCalls calls = new ManagerCalls(this);

  /** The Manager behaviour: loads desired state and takes its epoch, then serves. */
  public static Behavior<ManagerProtocol.Command> create(ManagerSettings settings) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> Behaviors.withStash(STASH_CAPACITY, stash -> {
      ActorRef<DesiredStore.Command> store = ctx.spawn(DesiredStore.create(settings), "desired-store");
      store.tell(new DesiredStore.Load(ctx.messageAdapter(DesiredStore.Loaded.class, StoreLoaded::new)));
      return loading(ctx, timers, stash, store, settings);
    })));
  }

  private static Behavior<ManagerProtocol.Command> loading(ActorContext<ManagerProtocol.Command> ctx,
                                                         TimerScheduler<ManagerProtocol.Command> timers,
                                                         StashBuffer<ManagerProtocol.Command> stash,
                                                         ActorRef<DesiredStore.Command> store, ManagerSettings settings) {
    return Behaviors.receive(ManagerProtocol.Command.class)
        .onMessage(StoreLoaded.class, loaded -> stash.unstashAll(new Manager(ctx, timers, store, settings, loaded.loaded())))
        .onMessage(ManagerProtocol.Command.class, message -> {
          if (!stash.isFull()) {
            stash.stash(message);
          }
          return Behaviors.same();
        })
        .build();
  }

  private Manager(ActorContext<ManagerProtocol.Command> ctx, TimerScheduler<ManagerProtocol.Command> timers,
                  ActorRef<DesiredStore.Command> store, ManagerSettings settings, DesiredStore.Loaded loaded) {
    super(ctx);
    this.settings = settings;
    this.timers = timers;
    this.store = store;
    this.storeReplies = ctx.messageAdapter(DesiredStore.Stored.class, StoreDone::new);
    this.cluster = Cluster.get(ctx.getSystem());
    this.epoch = loaded.epoch();
    loaded.groups().values().forEach(g -> groups.put(g.path(), GroupEntry.of(g)));
    loaded.nodes().values().forEach(n -> nodes.put(n.path(), NodeEntry.of(n)));
    loaded.checkpoints().forEach((path, checkpoint) -> {
      NodeEntry node = nodes.get(path);
      if (node != null) {
        node.checkpoint = checkpoint;
      }
    });
    this.reconciler = new Reconciler(epoch, settings.resendAfter().toNanos(), hosts, groups, nodes);
    this.events = new ManagerEvents(epoch, settings.eventBuffer(), () -> ctx.getSelf().tell(FlushEvents.INSTANCE));
    events.publish(event(Event.MANAGER).withAddress(cluster.selfMember().address().toString())
        .withMessage("Manager incarnation with epoch " + epoch + " started: " + groups.size() + " groups and " + nodes.size()
            + " nodes in desired state"));
    // Clients renew their leases with whichever Manager runs; a new one gives them time to.
    long now = System.nanoTime();
    groups.values().stream().filter(g -> !g.persistent && g.owner != null && !io.shepherd.protocol.Site.OWNER.equals(g.owner))
        .forEach(g -> leases.grant(g.owner, settings.leaseGrace().toNanos(), now));
    nodes.values().stream().filter(n -> n.managedBy != null && io.shepherd.protocol.Api.isSession(n.managedBy))
        .forEach(n -> leases.grant(n.managedBy, settings.leaseGrace().toNanos(), now));

    ctx.getSystem().receptionist().tell(Receptionist.register(ManagerProtocol.SERVICE_KEY, ctx.getSelf()));
    ctx.getSystem().receptionist().tell(Receptionist.find(HostProtocol.SERVICE_KEY,
        ctx.messageAdapter(Receptionist.Listing.class, HostsListed::new)));
    cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(ClusterEvent.MemberEvent.class, MemberChanged::new),
        ClusterEvent.MemberEvent.class));
    cluster.subscriptions().tell(Subscribe.create(
        ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new), ClusterEvent.ReachabilityEvent.class));
    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.reconcileInterval());
    io.shepherd.manager.logs.LogServer.Settings logSettings = io.shepherd.manager.logs.LogServer.Settings.fromConfig(ctx.getSystem().settings().config());
    ctx.spawn(io.shepherd.manager.logs.LogServer.create(logSettings,
            ctx.messageAdapter(io.shepherd.protocol.LogProtocol.LogStats.class, LogStatsReported::new)),
        "log-server", akka.actor.typed.DispatcherSelector.fromConfig(io.shepherd.manager.logs.LogServer.Settings.DISPATCHER));
    ctx.getLog().info("Manager started with epoch {}: {} groups and {} nodes in desired state", epoch, groups.size(), nodes.size());
  }

  @Override
  public Receive<ManagerProtocol.Command> createReceive() {
    return newReceiveBuilder()
        // hosts
        .onMessage(ManagerProtocol.RegisterHost.class, this::onRegisterHost)
        .onMessage(ManagerProtocol.HostSnapshot.class, this::onHostSnapshot)
        .onMessage(ManagerProtocol.NodeUpdated.class, this::onNodeUpdated)
        .onMessage(ManagerProtocol.NodeRemoved.class, this::onNodeRemoved)
        .onMessage(ManagerProtocol.NodeRejected.class, this::onNodeRejected)
        .onMessage(ManagerProtocol.GroupCreated.class, this::onGroupCreated)
        .onMessage(ManagerProtocol.GroupRemoved.class, this::onGroupRemoved)
        .onMessage(ManagerProtocol.NodeNotified.class, this::onNodeNotified)
        .onMessage(ManagerProtocol.NodeCheckpointed.class, this::onNodeCheckpointed)
        // clients
        .onMessage(ManagerProtocol.GetStatus.class, this::onGetStatus)
        .onMessage(ManagerProtocol.CreateGroup.class, this::onCreateGroup)
        .onMessage(ManagerProtocol.RemoveGroup.class, this::onRemoveGroup)
        .onMessage(ManagerProtocol.CreateNode.class, this::onCreateNode)
        .onMessage(ManagerProtocol.RemoveNode.class, this::onRemoveNode)
        .onMessage(ManagerProtocol.Perform.class, this::onPerform)
        .onMessage(ManagerProtocol.Request.class, this::onRequest)
        .onMessage(ManagerProtocol.ClientLeaving.class, this::onClientLeaving)
        .onMessage(ManagerProtocol.RenewLease.class, this::onRenewLease)
        .onMessage(ManagerProtocol.Restart.class, calls::onRestart)
        .onMessage(ManagerProtocol.SubscribeEvents.class, this::onSubscribeEvents)
        .onMessage(ManagerProtocol.UnsubscribeEvents.class, m -> {
          events.unsubscribe(m.subscriber());
          return this;
        })
        .onMessage(FlushEvents.class, m -> {
          events.flush();
          return this;
        })
        .onMessage(EventSubscriberGone.class, m -> {
          events.unsubscribe(m.subscriber());
          return this;
        })
        .onMessage(ManagerProtocol.SetMode.class, this::onSetMode)
        .onMessage(ManagerProtocol.Revive.class, this::onRevive)
        .onMessage(ManagerProtocol.KillNode.class, calls::onKillNode)
        .onMessage(ManagerProtocol.Purge.class, calls::onPurge)
        .onMessage(ManagerProtocol.SendInput.class, calls::onSendInput)
        .onMessage(ManagerProtocol.HostCall.class, calls::onHostCall)
        .onMessage(ManagerProtocol.Update.class, calls::onUpdate)
        .onMessage(ManagerProtocol.ApplySite.class, calls::onApplySite)
        .onMessage(SiteChecked.class, calls::onSiteChecked)
        .onMessage(LogStatsReported.class, m -> {
          logStats = m.stats();
          return this;
        })
        // internal
        .onMessage(StoreDone.class, this::onStoreDone)
        .onMessage(MemberChanged.class, this::onMemberChanged)
        .onMessage(ReachabilityChanged.class, this::onReachabilityChanged)
        .onMessage(HostsListed.class, this::onHostsListed)
        .onMessage(Tick.class, m -> onTick())
        .onMessage(StoreLoaded.class, m -> this)
        .build();
  }

  // ---- host registration ------------------------------------------------------------------------

  private Behavior<ManagerProtocol.Command> onHostsListed(HostsListed listed) {
    // A new incarnation asks every host agent it can see to register now, rather than whenever
    // the host notices the change of Manager.
    listed.listing().getServiceInstances(HostProtocol.SERVICE_KEY)
        .forEach(host -> host.tell(new HostProtocol.Reconnect(epoch, getContext().getSelf())));
    return this;
  }

  private Behavior<ManagerProtocol.Command> onRegisterHost(ManagerProtocol.RegisterHost register) {
    String id = register.info().hostId();
    try {
      Names.checkHostId(id);
    } catch (IllegalArgumentException e) {
      register.host().tell(new HostProtocol.Declined(epoch, e.getMessage()));
      return this;
    }
    HostEntry host = hosts.get(id);
    boolean announce = host == null || host.state != HostEntry.State.UP || !host.ref.equals(register.host());
    if (host != null && !host.ref.equals(register.host())) {
      boolean sameMember = host.info.memberUid() == register.info().memberUid();
      if (!sameMember && host.up() && memberUp(host.address(), host.info.memberUid())) {
        getContext().getLog().error("declined host {} from {}: the id is held by the live member {}",
            id, register.info().address(), host.address());
        register.host().tell(new HostProtocol.Declined(epoch, "host id " + id + " is already registered by the member at "
            + host.address() + "; start this member with another --host-id"));
        return this;
      }
      // A new incarnation of the host agent: what the old one ran is gone with it.
      getContext().getLog().info("host {} registered again from {} (new incarnation)", id, register.info().address());
      host.ref = register.host();
      host.info = register.info();
      host.synced = false;
      reconciler.forgetObservedOn(id);
    } else if (host == null) {
      host = new HostEntry(id, register.host(), register.info());
      hosts.put(id, host);
      getContext().getLog().info("host {} registered from {}", id, register.info().address());
    } else {
      host.info = register.info();
    }
    if (announce) {
      events.publish(event(Event.HOST).withHost(id).withStatus(HostEntry.State.UP.name()).withAddress(register.info().address())
          .withMessage("host " + id + " registered"));
    }
    host.state = HostEntry.State.UP;
    host.snapshotRequestedAt = System.nanoTime();
    register.host().tell(new HostProtocol.Registered(epoch, getContext().getSelf()));
    return this;
  }

  private Behavior<ManagerProtocol.Command> onHostSnapshot(ManagerProtocol.HostSnapshot snapshot) {
    HostEntry host = hosts.get(snapshot.hostId());
    if (snapshot.epoch() != epoch || host == null) {
      return this;
    }
    if (host.state == HostEntry.State.DOWN) {
      return this;
    }
    if (!reconciler.addSnapshotPart(host, snapshot)) {
      return this;
    }
    Map<NodePath, NodeStatus> before = new HashMap<>();
    nodes.values().forEach(n -> {
      if (n.observed != null && host.id.equals(n.observed.host())) {
        before.put(n.path, n.observed);
      }
    });
    Reconciler.SnapshotResult result = reconciler.applySnapshot(host, snapshot.seq());
    result.created().forEach(n -> nodeObserved(n, before.get(n.path)));
    result.changed().forEach(n -> nodeObserved(n, before.get(n.path)));
    result.created().forEach(this::nodeCreatedOnHost);
    result.changed().forEach(this::resolveWaiters);
    result.removedNodes().forEach(n -> finishNodeRemoval(n, "removed " + n.path));
    result.removedGroups().forEach(this::finishGroupRemoval);
    reconciler.reconcileHost(host, System.nanoTime());
    // Groups whose creation the snapshot confirms.
    groups.values().stream().filter(g -> g.phase == Phase.CREATING && g.observed && host.id.equals(g.host) && g.createReply != null)
        .toList().forEach(this::groupCreatedOnHost);
    return this;
  }

  // ---- host events ------------------------------------------------------------------------------

  /** The host of an event, or empty if the event is to be ignored. Detects gaps in numbering. */
  private Optional<HostEntry> accept(ManagerProtocol.HostEvent event) {
    HostEntry host = hosts.get(event.hostId());
    if (host == null || host.state == HostEntry.State.DOWN) {
      return Optional.empty();
    }
    if (host.synced) {
      if (event.seq() < host.nextSeq) {
        return Optional.empty();
      }
      if (event.seq() > host.nextSeq) {
        getContext().getLog().warn("events {} to {} from host {} were lost; asking for a snapshot",
            host.nextSeq, event.seq() - 1, host.id);
        requestSnapshot(host);
      }
      host.nextSeq = event.seq() + 1;
    }
    return Optional.of(host);
  }

  private void requestSnapshot(HostEntry host) {
    host.synced = false;
    host.snapshotRequestedAt = System.nanoTime();
    host.ref.tell(new HostProtocol.SendSnapshot(epoch));
  }

  private Behavior<ManagerProtocol.Command> onNodeUpdated(ManagerProtocol.NodeUpdated updated) {
    accept(updated).ifPresent(host -> {
      NodeEntry known = nodes.get(updated.status().path());
      NodeStatus before = known == null ? null : known.observed;
      NodeEntry node = reconciler.observe(host, updated.status());
      if (node == null) {
        return;
      }
      nodeObserved(node, before);
      if (node.phase == Phase.CREATING) {
        nodeCreatedOnHost(node);
      }
      resolveWaiters(node);
    });
    return this;
  }

  /** Publishes what changed between a node's previous and current observed status; reports a crash to its manager. */
  private void nodeObserved(NodeEntry node, NodeStatus before) {
    NodeStatus after = node.observed;
    if (after == null) {
      return;
    }
    if (before == null || before.state() != after.state() || before.requested() != after.requested() || before.mode() != after.mode()
        || before.stalled() != after.stalled()) {
      events.publish(event(Event.NODE).withNode(after, before == null ? null : before.state()));
    }
    boolean newCrash = after.lastFailureAt() != null && (before == null ? after.lastFailureAt().isAfter(startedAt)
        : !after.lastFailureAt().equals(before.lastFailureAt()));
    if (newCrash) {
      events.publish(event(Event.CRASH).withNode(after, null).withReason(after.lastFailure())
          .withMessage(after.mode() == io.shepherd.protocol.Mode.MANAGED ? "stalls until a new request or a revive" : "restarted by Shepherd"));
      report(node, new Fault.NodeError(node.path, after.lastFailure(), after.lastFailureAt()));
    }
    if (after.stalled() && (before == null || !before.stalled())) {
      events.publish(event(Event.STALLED).withNode(after, null).withReason(after.lastFailure()));
    }
  }

  /** Tells the client that manages a node (if any) of a fault, as a {@value Event#FAULT} event for it. */
  void report(NodeEntry node, Fault fault) {
    if (node.managedBy != null) {
      events.publish(Event.ofFault(0, 0, fault, node.managedBy));
    }
  }

  /** A new event of {@code type}, stamped now; {@link ManagerEvents#publish} numbers it. */
  static Event event(String type) {
    return Event.of(0, 0, java.time.Instant.now(), type);
  }

  private Behavior<ManagerProtocol.Command> onNodeRemoved(ManagerProtocol.NodeRemoved removed) {
    accept(removed).ifPresent(host -> {
      NodeEntry node = nodes.get(removed.path());
      if (node == null || !host.id.equals(hostOf(node))) {
        return;
      }
      node.observed = null;
      switch (node.phase) {
        case REMOVING -> finishNodeRemoval(node, "removed " + node.path);
        case CREATING -> {
          nodes.remove(node.path);
          reply(node.createReply, new ManagerProtocol.Failed(ErrorCode.BUSY,
              "node " + node.path + " was removed while it was being created; try again"));
        }
        case PRESENT -> {
          failWaiters(node, ErrorCode.NODE_FAILED, "node " + node.path + " disappeared from host " + host.id + "; recreating it");
          node.lastSent = 0;
          reconciler.reconcileHost(host, System.nanoTime());
        }
      }
    });
    return this;
  }

  private Behavior<ManagerProtocol.Command> onNodeRejected(ManagerProtocol.NodeRejected rejected) {
    accept(rejected).ifPresent(host -> {
      NodeEntry node = nodes.get(rejected.path());
      if (node == null) {
        return;
      }
      if (node.phase == Phase.CREATING) {
        nodes.remove(node.path);
        reply(node.createReply, new ManagerProtocol.Failed(rejected.code(), rejected.message()));
      } else {
        getContext().getLog().error("host {} could not recreate node {}: {}", host.id, node.path, rejected.message());
        node.observed = null;
        node.placementError = rejected.message();
        failWaiters(node, rejected.code(), rejected.message());
      }
    });
    return this;
  }

  private Behavior<ManagerProtocol.Command> onNodeNotified(ManagerProtocol.NodeNotified notified) {
    accept(notified).ifPresent(host -> {
      NodeEntry node = nodes.get(notified.path());
      if (node != null) {
        getContext().getLog().info("node {} notifies: {}", node.path, notified.message());
        events.publish(event(Event.NOTIFICATION).withPath(node.path.toString()).withHost(host.id).withMessage(notified.message()));
        report(node, new Fault.Notification(node.path, notified.message(), notified.at()));
      }
    });
    return this;
  }

  private Behavior<ManagerProtocol.Command> onNodeCheckpointed(ManagerProtocol.NodeCheckpointed checkpointed) {
    accept(checkpointed).ifPresent(host -> {
      NodeEntry node = nodes.get(checkpointed.path());
      if (node != null && node.phase != Phase.REMOVING) {
        node.checkpoint = checkpointed.checkpoint();
        store(op -> new DesiredStore.PutCheckpoint(node.path, checkpointed.checkpoint(), op, storeReplies), replicated -> {});
      }
    });
    return this;
  }

  private Behavior<ManagerProtocol.Command> onGroupCreated(ManagerProtocol.GroupCreated created) {
    accept(created).ifPresent(host -> {
      GroupEntry group = groups.get(created.group());
      if (group == null || !host.id.equals(group.host)) {
        // Not ours (any more): the host runs a group nobody wants there.
        host.ref.tell(new HostProtocol.RemoveGroup(epoch, created.group()));
        return;
      }
      group.observed = true;
      if (group.phase == Phase.CREATING) {
        groupCreatedOnHost(group);
      } else if (group.phase == Phase.PRESENT) {
        reconciler.reconcileHost(host, System.nanoTime());
      }
    });
    return this;
  }

  private Behavior<ManagerProtocol.Command> onGroupRemoved(ManagerProtocol.GroupRemoved removed) {
    accept(removed).ifPresent(host -> {
      GroupEntry group = groups.get(removed.group());
      if (group == null || !host.id.equals(group.host)) {
        return;
      }
      group.observed = false;
      reconciler.nodesOf(group.path).forEach(n -> n.observed = null);
      switch (group.phase) {
        case REMOVING -> finishGroupRemoval(group);
        case CREATING -> {
          groups.remove(group.path);
          reply(group.createReply, new ManagerProtocol.Failed(ErrorCode.BUSY, "group " + group.path + " was removed while it was being created"));
        }
        case PRESENT -> reconciler.reconcileHost(host, System.nanoTime());
      }
    });
    return this;
  }

  // ---- client calls: groups ---------------------------------------------------------------------

  private Behavior<ManagerProtocol.Command> onCreateGroup(ManagerProtocol.CreateGroup create) {
    GroupPath path = create.path();
    GroupEntry existing = groups.get(path);
    if (existing != null) {
      return fail(create.replyTo(), existing.phase == Phase.PRESENT ? ErrorCode.DUPLICATE_NAME : ErrorCode.BUSY,
          existing.phase == Phase.PRESENT ? "group " + path + " already exists"
              : "group " + path + " is being " + (existing.phase == Phase.CREATING ? "created" : "removed") + "; try again");
    }
    String hostId;
    if (path.floating()) {
      hostId = reconciler.leastLoadedHost().orElse(null);
      if (hostId == null) {
        return fail(create.replyTo(), ErrorCode.HOST_UNAVAILABLE, "no host is up to place group " + path + " on");
      }
    } else {
      hostId = path.placement();
      Optional<String> problem = hostProblem(hostId, "group " + path);
      if (problem.isPresent()) {
        return fail(create.replyTo(), hosts.containsKey(hostId) ? ErrorCode.HOST_UNAVAILABLE : ErrorCode.NO_SUCH_HOST, problem.get());
      }
    }
    GroupEntry group = new GroupEntry(path, hostId, create.persistent(), create.persistent() ? null : create.owner(), Phase.CREATING);
    if (group.owner != null) {
      // A client that never renews loses its groups all the same.
      leases.grant(group.owner, settings.leaseGrace().toNanos(), System.nanoTime());
    }
    group.createdAt = System.nanoTime();
    group.lastSent = group.createdAt;
    group.createReply = create.replyTo();
    groups.put(path, group);
    hosts.get(hostId).ref.tell(new HostProtocol.CreateGroup(epoch, path));
    return this;
  }

  private void groupCreatedOnHost(GroupEntry group) {
    ActorRef<Reply> replyTo = group.createReply;
    group.createReply = null;
    store(op -> new DesiredStore.PutGroup(group.desired(), op, storeReplies), replicated -> {
      group.phase = Phase.PRESENT;
      events.publish(event(Event.GROUP).withPath(group.path.toString()).withHost(group.host).withStatus("UP")
          .withMessage("group " + group.path + " created on host " + group.host));
      reply(replyTo, replicated
          ? new ManagerProtocol.Ok("created group " + group.path + " on host " + group.host, null)
          : notReplicated("group " + group.path + " was created"));
    });
  }

  private Behavior<ManagerProtocol.Command> onRemoveGroup(ManagerProtocol.RemoveGroup remove) {
    GroupEntry group = groups.get(remove.path());
    if (group == null) {
      return fail(remove.replyTo(), ErrorCode.NO_SUCH_GROUP, "no group " + remove.path() + groupsHint());
    }
    if (group.phase == Phase.CREATING) {
      return fail(remove.replyTo(), ErrorCode.BUSY, "group " + group.path + " is being created; try again");
    }
    startGroupRemoval(group, remove.replyTo());
    return this;
  }

  void startGroupRemoval(GroupEntry group, ActorRef<Reply> replyTo) {
    if (replyTo != null) {
      group.removeReplies.add(replyTo);
    }
    if (group.phase == Phase.REMOVING) {
      return;
    }
    group.phase = Phase.REMOVING;
    List<NodeEntry> members = reconciler.nodesOf(group.path);
    for (NodeEntry node : members) {
      node.phase = Phase.REMOVING;
      failWaiters(node, ErrorCode.SUPERSEDED, "group " + group.path + " is being removed");
      store(op -> new DesiredStore.DeleteNode(node.path, op, storeReplies), replicated -> {});
    }
    store(op -> new DesiredStore.DeleteGroup(group.path, op, storeReplies), replicated -> {
      HostEntry host = group.host == null ? null : hosts.get(group.host);
      if (host != null && host.up() && group.observed) {
        group.lastSent = System.nanoTime();
        host.ref.tell(new HostProtocol.RemoveGroup(epoch, group.path));
      } else {
        finishGroupRemoval(group);
      }
    });
  }

  private void finishGroupRemoval(GroupEntry group) {
    if (groups.remove(group.path) != null) {
      events.publish(event(Event.GROUP).withPath(group.path.toString()).withHost(group.host).withStatus("REMOVED")
          .withMessage("group " + group.path + " removed"));
    }
    reconciler.nodesOf(group.path).forEach(n -> {
      nodes.remove(n.path);
      if (n.checkpoint != null) {
        store(op -> new DesiredStore.DeleteCheckpoint(n.path, op, storeReplies), replicated -> {});
      }
    });
    group.removeReplies.forEach(r -> reply(r, new ManagerProtocol.Ok("removed group " + group.path, null)));
    group.removeReplies.clear();
  }

  private Behavior<ManagerProtocol.Command> onClientLeaving(ManagerProtocol.ClientLeaving leaving) {
    leases.end(leaving.clientId());
    releaseManagedNodes(leaving.clientId());
    List<GroupEntry> owned = groups.values().stream()
        .filter(g -> !g.persistent && leaving.clientId().equals(g.owner) && g.phase != Phase.CREATING)
        .toList();
    if (owned.isEmpty()) {
      reply(leaving.replyTo(), new ManagerProtocol.Ok("the client owned no groups", null));
      return this;
    }
    ActorRef<Object> aggregator = getContext().spawnAnonymous(ReplyAggregator.create(owned.size(), leaving.replyTo(),
        "removed " + owned.size() + " groups of the client", settings.callTimeout()));
    owned.forEach(g -> startGroupRemoval(g, aggregator.narrow()));
    return this;
  }

  // ---- client calls: nodes ----------------------------------------------------------------------

  private Behavior<ManagerProtocol.Command> onCreateNode(ManagerProtocol.CreateNode create) {
    NodePath path = create.path();
    GroupEntry group = groups.get(path.groupPath());
    if (group == null) {
      return fail(create.replyTo(), ErrorCode.NO_SUCH_GROUP, "no group " + path.groupPath() + " for node " + path + "; create the group first");
    }
    if (group.phase != Phase.PRESENT) {
      return fail(create.replyTo(), ErrorCode.BUSY, "group " + group.path + " is being "
          + (group.phase == Phase.CREATING ? "created" : "removed") + "; try again");
    }
    if (io.shepherd.protocol.Site.OWNER.equals(group.owner)) {
      return fail(create.replyTo(), ErrorCode.NOT_ALLOWED, "group " + group.path + " is declared by the site file; declare node "
          + path.node() + " there and apply the file, or create it in a group of your own");
    }
    NodeEntry existing = nodes.get(path);
    if (existing != null) {
      return fail(create.replyTo(), existing.phase == Phase.PRESENT ? ErrorCode.DUPLICATE_NAME : ErrorCode.BUSY,
          existing.phase == Phase.PRESENT ? "node " + path + " already exists"
              : "node " + path + " is being " + (existing.phase == Phase.CREATING ? "created" : "removed") + "; try again");
    }
    if (create.requested() != NodeState.CREATED && !create.requested().requestable()) {
      return fail(create.replyTo(), ErrorCode.INVALID_ARGUMENT, "a new node can be requested to be CREATED, CONFIGURED, "
          + "INITIALIZED, RUNNING, STOPPED or CLOSED, not " + create.requested());
    }
    Optional<String> problem = hostProblem(group.host, "group " + group.path);
    if (problem.isPresent()) {
      return fail(create.replyTo(), ErrorCode.HOST_UNAVAILABLE, problem.get());
    }
    HostEntry host = hosts.get(group.host);
    String type = create.spec().type();
    if (!host.info.mayHaveType(type)) {
      boolean className = type.contains(".");
      return fail(create.replyTo(), className ? ErrorCode.NOT_ALLOWED : ErrorCode.UNKNOWN_TYPE, className
          ? "node class " + type + " is not allowed on host " + host.id + ": its package is not in shepherd.host.allowed-packages "
              + host.info.allowedPackages()
          : "unknown node type '" + Names.abbreviate(type) + "' on host " + host.id + "; its types are " + host.info.nodeTypes()
              + (host.info.allowedPackages().isEmpty() ? "" : ", or a class in " + host.info.allowedPackages()));
    }
    NodeEntry node = new NodeEntry(path, create.spec(), create.requested(), 1, null, Phase.CREATING);
    node.createdAt = System.nanoTime();
    node.lastSent = node.createdAt;
    node.createReply = create.replyTo();
    nodes.put(path, node);
    host.ref.tell(new HostProtocol.CreateNode(epoch, path, node.spec, node.requested, node.seq, null));
    return this;
  }

  private void nodeCreatedOnHost(NodeEntry node) {
    ActorRef<Reply> replyTo = node.createReply;
    if (replyTo == null) {
      return; // already being stored
    }
    node.createReply = null;
    store(op -> new DesiredStore.PutNode(node.desired(), op, storeReplies), replicated -> {
      if (node.phase == Phase.CREATING) {
        node.phase = Phase.PRESENT;
      }
      reply(replyTo, replicated
          ? new ManagerProtocol.Ok("created node " + node.path, reportedStatus(node))
          : notReplicated("node " + node.path + " was created"));
      resolveWaiters(node);
    });
  }

  private Behavior<ManagerProtocol.Command> onRemoveNode(ManagerProtocol.RemoveNode remove) {
    NodeEntry node = nodes.get(remove.path());
    if (node == null) {
      return fail(remove.replyTo(), ErrorCode.NO_SUCH_NODE, "no node " + remove.path());
    }
    if (node.phase == Phase.CREATING) {
      return fail(remove.replyTo(), ErrorCode.BUSY, "node " + node.path + " is being created; try again");
    }
    startNodeRemoval(node, remove.replyTo());
    return this;
  }

  /** Stops, closes and removes a node: out of desired state first, then off its host. */
  void startNodeRemoval(NodeEntry node, ActorRef<Reply> replyTo) {
    if (replyTo != null) {
      node.removeReplies.add(replyTo);
    }
    if (node.phase == Phase.REMOVING) {
      return;
    }
    node.phase = Phase.REMOVING;
    failWaiters(node, ErrorCode.SUPERSEDED, "node " + node.path + " is being removed");
    store(op -> new DesiredStore.DeleteNode(node.path, op, storeReplies), replicated -> {
      HostEntry host = hosts.get(hostOf(node));
      if (host != null && host.up() && node.observed != null) {
        node.lastSent = System.nanoTime();
        host.ref.tell(new HostProtocol.RemoveNode(epoch, node.path));
      } else {
        finishNodeRemoval(node, "removed " + node.path + (host == null || !host.up() ? " (its host is not up)" : ""));
      }
    });
  }

  private void finishNodeRemoval(NodeEntry node, String message) {
    if (nodes.remove(node.path) != null) {
      events.publish(event(Event.NODE_REMOVED).withPath(node.path.toString()).withHost(hostOf(node)).withMessage(message));
    }
    if (node.checkpoint != null) {
      store(op -> new DesiredStore.DeleteCheckpoint(node.path, op, storeReplies), replicated -> {});
    }
    node.removeReplies.forEach(r -> reply(r, new ManagerProtocol.Ok(message, null)));
    node.removeReplies.clear();
  }

  private Behavior<ManagerProtocol.Command> onPerform(ManagerProtocol.Perform perform) {
    NodeEntry node = nodes.get(perform.path());
    Optional<ManagerProtocol.Failed> problem = nodeProblem(perform.path(), node, true);
    if (problem.isPresent()) {
      return reply(perform.replyTo(), problem.get());
    }
    LifecycleAction action = perform.action();
    NodeState from = node.current() == NodeState.FAILED ? NodeState.FAILED : node.requested;
    if (!Lifecycle.isAllowed(from, action)) {
      String allowed = Lifecycle.allowed(from).stream().map(LifecycleAction::callName).collect(Collectors.joining(", "));
      String state = from == node.current() ? "it is " + from : "it is " + node.current() + " and heading to " + from;
      return fail(perform.replyTo(), ErrorCode.INVALID_TRANSITION, "cannot " + action.callName() + " " + node.path + ": " + state
          + "; from " + from + (allowed.isEmpty() ? " no call is allowed" : " only " + allowed + " " + (allowed.contains(",") ? "are" : "is") + " allowed"));
    }
    setRequested(node, action.target(), new Waiter(action.target(), true, perform.replyTo(), action.callName(), deadline()));
    return this;
  }

  private Behavior<ManagerProtocol.Command> onRequest(ManagerProtocol.Request request) {
    NodeEntry node = nodes.get(request.path());
    Optional<ManagerProtocol.Failed> problem = nodeProblem(request.path(), node, request.await());
    if (problem.isPresent()) {
      return reply(request.replyTo(), problem.get());
    }
    Optional<String> invalid = Lifecycle.checkRequest(node.current(), node.requested, request.state());
    if (invalid.isPresent()) {
      return fail(request.replyTo(), ErrorCode.INVALID_TRANSITION, "cannot request " + request.state() + " of " + node.path + ": "
          + invalid.get());
    }
    setRequested(node, request.state(),
        new Waiter(request.state(), request.await(), request.replyTo(), "request " + request.state(), deadline()));
    return this;
  }

  /**
   * Sets the mode of nodes, all or none: a path that does not name a node fails the call and
   * changes nothing. A client taking over a managed node is reported to its previous manager.
   */
  private Behavior<ManagerProtocol.Command> onSetMode(ManagerProtocol.SetMode set) {
    List<NodeEntry> targets = new ArrayList<>();
    for (NodePath path : set.paths()) {
      Optional<ManagerProtocol.Failed> problem = nodeProblem(path, nodes.get(path), false);
      if (problem.isPresent()) {
        return reply(set.replyTo(), problem.get());
      }
      targets.add(nodes.get(path));
    }
    if (targets.isEmpty()) {
      return fail(set.replyTo(), ErrorCode.INVALID_ARGUMENT, "no nodes given");
    }
    ActorRef<Object> aggregator = getContext().spawnAnonymous(ReplyAggregator.create(targets.size(), set.replyTo(),
        targets.size() + " nodes set " + set.mode(), settings.callTimeout()));
    java.time.Instant now = java.time.Instant.now();
    for (NodeEntry node : targets) {
      boolean takenOver = node.managedBy != null && !node.managedBy.equals(set.clientId());
      if (takenOver || (node.managedBy != null && set.mode() == io.shepherd.protocol.Mode.AUTO)) {
        report(node, new Fault.ModeChanged(node.path, set.mode(), set.clientId(), now));
        getContext().getLog().info("node {} was managed by {}; now {} by {}", node.path, node.managedBy, set.mode(), set.clientId());
      }
      applyMode(node, set.mode(), set.mode() == io.shepherd.protocol.Mode.MANAGED ? set.clientId() : null, set.clientId(),
          aggregator.narrow());
    }
    return this;
  }

  private void applyMode(NodeEntry node, io.shepherd.protocol.Mode mode, String managedBy, String by, ActorRef<Reply> replyTo) {
    node.spec = node.spec.withMode(mode);
    node.managedBy = managedBy;
    if (managedBy != null && io.shepherd.protocol.Api.isSession(managedBy)) {
      leases.grant(managedBy, settings.leaseGrace().toNanos(), System.nanoTime());
    }
    events.publish(event(Event.MODE).withPath(node.path.toString()).withHost(hostOf(node)).withMode(mode).withBy(by)
        .withManager(managedBy));
    store(op -> new DesiredStore.PutNode(node.desired(), op, storeReplies), replicated -> reply(replyTo, replicated
        ? new ManagerProtocol.Ok("node " + node.path + " is " + mode, reportedStatus(node))
        : notReplicated("the mode of node " + node.path + " was set")));
    HostEntry host = hosts.get(hostOf(node));
    if (host != null && host.up()) {
      host.ref.tell(new HostProtocol.SetMode(epoch, node.path, mode));
    }
  }

  /** Re-requests the last requested state of nodes (Guardian's revive); all or none. */
  private Behavior<ManagerProtocol.Command> onRevive(ManagerProtocol.Revive revive) {
    List<NodeEntry> targets = new ArrayList<>();
    for (NodePath path : revive.paths()) {
      Optional<ManagerProtocol.Failed> problem = nodeProblem(path, nodes.get(path), false);
      if (problem.isPresent()) {
        return reply(revive.replyTo(), problem.get());
      }
      targets.add(nodes.get(path));
    }
    if (targets.isEmpty()) {
      return reply(revive.replyTo(), new ManagerProtocol.Ok("nothing to revive", null));
    }
    ActorRef<Object> aggregator = getContext().spawnAnonymous(ReplyAggregator.create(targets.size(), revive.replyTo(),
        "revived " + targets.size() + " nodes", settings.callTimeout()));
    for (NodeEntry node : targets) {
      setRequested(node, node.requested, new Waiter(node.requested, false, aggregator.narrow(), "revive", deadline()));
    }
    return this;
  }

  /** Why a call on a node cannot proceed, if it cannot. */
  Optional<ManagerProtocol.Failed> nodeProblem(NodePath path, NodeEntry node, boolean needsHost) {
    if (node == null) {
      return Optional.of(new ManagerProtocol.Failed(ErrorCode.NO_SUCH_NODE, "no node " + path));
    }
    if (node.phase != Phase.PRESENT) {
      return Optional.of(new ManagerProtocol.Failed(ErrorCode.BUSY, "node " + path + " is being "
          + (node.phase == Phase.CREATING ? "created; wait for createNode to finish" : "removed")));
    }
    if (needsHost) {
      Optional<String> problem = hostProblem(hostOf(node), "node " + path);
      if (problem.isPresent()) {
        return Optional.of(new ManagerProtocol.Failed(ErrorCode.HOST_UNAVAILABLE, problem.get()));
      }
    }
    return Optional.empty();
  }

  void setRequested(NodeEntry node, NodeState target, Waiter waiter) {
    List<NodeState> plan = Lifecycle.plan(node.current(), target).orElse(List.of());
    for (Iterator<Waiter> it = node.waiters.iterator(); it.hasNext(); ) {
      Waiter other = it.next();
      if (other.awaitArrival && !other.arrived && other.target != target && !plan.contains(other.target)) {
        it.remove();
        reply(other.replyTo, new ManagerProtocol.Failed(ErrorCode.SUPERSEDED,
            other.what + " of " + node.path + " was superseded by a request for " + target));
      }
    }
    node.requested = target;
    node.seq++;
    waiter.seq = node.seq;
    node.waiters.add(waiter);
    store(op -> new DesiredStore.PutNode(node.desired(), op, storeReplies), replicated -> {
      waiter.stored = true;
      waiter.replicated = replicated;
      resolveWaiters(node);
    });
    HostEntry host = hosts.get(hostOf(node));
    if (host != null && host.up() && node.observed != null) {
      node.lastSent = System.nanoTime();
      host.ref.tell(new HostProtocol.RequestState(epoch, node.path, target, node.seq));
    }
  }

  /** Answers the waiters of a node whose calls are done, or failed. */
  private void resolveWaiters(NodeEntry node) {
    NodeStatus status = node.observed;
    for (Iterator<Waiter> it = node.waiters.iterator(); it.hasNext(); ) {
      Waiter waiter = it.next();
      if (status != null && status.seq() >= waiter.seq && waiter.awaitArrival && !waiter.arrived) {
        if (status.state() == waiter.target) {
          waiter.arrived = true;
        } else if (status.state() == NodeState.FAILED) {
          it.remove();
          reply(waiter.replyTo, new ManagerProtocol.Failed(ErrorCode.NODE_FAILED, waiter.what + " of " + node.path + " failed: "
              + status.lastFailure()));
          continue;
        }
      }
      if (waiter.done()) {
        it.remove();
        reply(waiter.replyTo, waiter.replicated
            ? new ManagerProtocol.Ok(waiter.what + " of " + node.path + " done", reportedStatus(node))
            : notReplicated(waiter.what + " of " + node.path + " was recorded"));
      }
    }
  }

  void failWaiters(NodeEntry node, ErrorCode code, String message) {
    node.waiters.forEach(w -> reply(w.replyTo, new ManagerProtocol.Failed(code, message)));
    node.waiters.clear();
  }

  // ---- status -----------------------------------------------------------------------------------

  private Behavior<ManagerProtocol.Command> onGetStatus(ManagerProtocol.GetStatus get) {
    List<ClusterStatus> parts = StatusView.parts(managerStatus(), members(), converged(), logStats, hosts, groups.values(), nodes.values(),
        settings.statusPartSize());
    for (int i = 0; i < parts.size(); i++) {
      get.replyTo().tell(new ManagerProtocol.StatusPart(i, parts.size(), parts.get(i)));
    }
    return this;
  }

  private ClusterStatus.Manager managerStatus() {
    Member self = cluster.selfMember();
    String backup = StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .filter(m -> m.hasRole("manager") && m.status() == MemberStatus.up() && !m.equals(self))
        .sorted((a, b) -> a.isOlderThan(b) ? -1 : b.isOlderThan(a) ? 1 : 0)
        .map(m -> m.address().toString())
        .findFirst().orElse(null);
    return new ClusterStatus.Manager(self.address().toString(), epoch, backup);
  }

  /** True if every member has seen this member's current gossip: they agree on the membership. */
  private boolean converged() {
    akka.cluster.ClusterEvent.CurrentClusterState state = cluster.state();
    Set<akka.actor.Address> seenBy = state.getSeenBy();
    for (Member member : state.getMembers()) {
      if (!seenBy.contains(member.address()) || state.getUnreachable().contains(member)) {
        return false;
      }
    }
    return true;
  }

  private List<ClusterStatus.Member> members() {
    Set<Member> unreachable = cluster.state().getUnreachable();
    List<ClusterStatus.Member> list = new ArrayList<>();
    for (Member member : cluster.state().getMembers()) {
      List<String> roles = member.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().toList();
      list.add(new ClusterStatus.Member(member.address().toString(), roles, member.status().toString(), !unreachable.contains(member)));
    }
    list.sort(Comparator.comparing(ClusterStatus.Member::address));
    return list;
  }

  private NodeStatus reportedStatus(NodeEntry node) {
    String hostId = hostOf(node);
    return StatusView.nodeStatus(node, hostId, hostId == null ? null : hosts.get(hostId));
  }

  // ---- membership -------------------------------------------------------------------------------

  private Behavior<ManagerProtocol.Command> onMemberChanged(MemberChanged changed) {
    ClusterEvent.MemberEvent event = changed.event();
    Member member = event.member();
    getContext().getLog().info("member {} ({}) is {}", member.address(), String.join(",", member.getRoles()), member.status());
    List<String> roles = member.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().toList();
    events.publish(event(Event.MEMBER).withAddress(member.address().toString()).withStatus(member.status().toString())
        .withMessage("roles " + String.join(",", roles)));
    if (event instanceof ClusterEvent.MemberDowned || event instanceof ClusterEvent.MemberRemoved
        || event instanceof ClusterEvent.MemberExited || event instanceof ClusterEvent.MemberLeft) {
      hostsOf(member).forEach(host -> hostDown(host, "its member " + member.address() + " is " + member.status()));
    }
    return this;
  }

  private Behavior<ManagerProtocol.Command> onReachabilityChanged(ReachabilityChanged changed) {
    ClusterEvent.ReachabilityEvent event = changed.event();
    for (HostEntry host : hostsOf(event.member())) {
      if (event instanceof ClusterEvent.UnreachableMember && host.up()) {
        host.state = HostEntry.State.UNREACHABLE;
        getContext().getLog().warn("host {} is UNREACHABLE", host.id);
        publishHost(host, "host " + host.id + " is unreachable");
        reportConnectionLost(host, "host " + host.id + " is unreachable");
      } else if (event instanceof ClusterEvent.ReachableMember && host.state == HostEntry.State.UNREACHABLE) {
        host.state = HostEntry.State.UP;
        getContext().getLog().info("host {} is reachable again", host.id);
        publishHost(host, "host " + host.id + " is reachable again");
      }
    }
    return this;
  }

  private void hostDown(HostEntry host, String why) {
    if (host.state == HostEntry.State.DOWN) {
      return;
    }
    getContext().getLog().warn("host {} is DOWN: {}; its nodes are LOST", host.id, why);
    host.state = HostEntry.State.DOWN;
    publishHost(host, "host " + host.id + " is down: " + why + "; its nodes are LOST");
    reportConnectionLost(host, "host " + host.id + " is down: " + why);
    host.synced = false;
    for (NodeEntry node : nodes.values()) {
      if (host.id.equals(hostOf(node))) {
        failWaiters(node, ErrorCode.HOST_UNAVAILABLE, "host " + host.id + " of node " + node.path + " is down");
        if (node.phase == Phase.REMOVING) {
          finishNodeRemoval(node, "removed " + node.path + " (its host went down)");
        }
      }
    }
    groups.values().stream().filter(g -> host.id.equals(g.host) && g.phase == Phase.REMOVING).toList()
        .forEach(this::finishGroupRemoval);
    placeFloatingGroups();
  }

  /**
   * Moves every group placed {@code any} whose host is down to the least loaded host that is up;
   * its nodes are created there and driven to their requested states. Groups pinned to a host
   * wait for it. Only a DOWN host's groups move: an unreachable one may still run them.
   */
  private void placeFloatingGroups() {
    for (GroupEntry group : groups.values()) {
      HostEntry current = group.host == null ? null : hosts.get(group.host);
      if (!group.path.floating() || group.phase != Phase.PRESENT || (current != null && current.state != HostEntry.State.DOWN)) {
        continue;
      }
      Optional<String> target = reconciler.leastLoadedHost();
      if (target.isEmpty()) {
        continue;
      }
      getContext().getLog().info("moving group {} from host {} (down) to host {}", group.path, group.host, target.get());
      events.publish(event(Event.GROUP).withPath(group.path.toString()).withHost(target.get()).withStatus("MOVED")
          .withMessage("group " + group.path + " moved from host " + group.host + " (down) to host " + target.get()));
      group.host = target.get();
      group.observed = false;
      group.lastSent = 0;
      reconciler.nodesOf(group.path).forEach(n -> {
        n.observed = null;
        n.lastSent = 0;
      });
      store(op -> new DesiredStore.PutGroup(group.desired(), op, storeReplies), replicated -> {});
      reconciler.reconcileHost(hosts.get(group.host), System.nanoTime());
    }
  }

  private void publishHost(HostEntry host, String message) {
    events.publish(event(Event.HOST).withHost(host.id).withStatus(host.state.name()).withAddress(host.address()).withMessage(message));
  }

  private void reportConnectionLost(HostEntry host, String reason) {
    java.time.Instant now = java.time.Instant.now();
    for (NodeEntry node : nodes.values()) {
      if (node.managedBy != null && host.id.equals(hostOf(node))) {
        report(node, new Fault.ConnectionLost(node.path, host.id, reason, now));
      }
    }
  }

  /** A client closed, or its lease lapsed: its groups go, and the nodes it managed recover by themselves again. */
  private void clientGone(String clientId) {
    leases.end(clientId);
    releaseManagedNodes(clientId);
    groups.values().stream()
        .filter(g -> !g.persistent && clientId.equals(g.owner) && g.phase == Phase.PRESENT)
        .toList()
        .forEach(g -> {
          getContext().getLog().info("removing group {}: its client {} has left", g.path, clientId);
          startGroupRemoval(g, null);
        });
  }

  /** Nodes a client managed would stay stalled forever after a crash once it is gone: they recover by themselves again. */
  private void releaseManagedNodes(String clientId) {
    nodes.values().stream().filter(n -> clientId.equals(n.managedBy) && n.phase == Phase.PRESENT).toList().forEach(n -> {
      getContext().getLog().info("node {} is AUTO again: its managing client {} has left", n.path, clientId);
      applyMode(n, io.shepherd.protocol.Mode.AUTO, null, clientId, null);
    });
  }

  private Behavior<ManagerProtocol.Command> onRenewLease(ManagerProtocol.RenewLease renew) {
    if (renew.clientId() == null || !io.shepherd.protocol.Api.isSession(renew.clientId()) || renew.ttlMillis() < 1) {
      return fail(renew.replyTo(), ErrorCode.INVALID_ARGUMENT, "a lease needs a session id starting with "
          + io.shepherd.protocol.Api.SESSION_PREFIX + " and a positive time to live");
    }
    boolean known = leases.holds(renew.clientId());
    leases.renew(renew.clientId(), java.time.Duration.ofMillis(renew.ttlMillis()).toNanos(), System.nanoTime());
    return reply(renew.replyTo(), new ManagerProtocol.Ok((known ? "renewed" : "opened") + " the lease of " + renew.clientId()
        + " for " + renew.ttlMillis() + " ms", null));
  }

  private Behavior<ManagerProtocol.Command> onSubscribeEvents(ManagerProtocol.SubscribeEvents subscribe) {
    if (events.subscribe(subscribe.epoch(), subscribe.afterSeq(), subscribe.subscriber())) {
      getContext().watchWith(subscribe.subscriber(), new EventSubscriberGone(subscribe.subscriber()));
    }
    return this;
  }

  private List<HostEntry> hostsOf(Member member) {
    String address = member.address().toString();
    long uid = member.uniqueAddress().longUid();
    return hosts.values().stream().filter(h -> h.address().equals(address) && h.info.memberUid() == uid).toList();
  }

  private boolean memberUp(String address, long uid) {
    for (Member member : cluster.state().getMembers()) {
      if (member.address().toString().equals(address) && member.uniqueAddress().longUid() == uid) {
        return (member.status() == MemberStatus.up() || member.status() == MemberStatus.weaklyUp())
            && !cluster.state().getUnreachable().contains(member);
      }
    }
    return false;
  }

  // ---- reconciliation ---------------------------------------------------------------------------

  private Behavior<ManagerProtocol.Command> onTick() {
    long now = System.nanoTime();
    expireCreates(now);
    expireWaiters(now);
    leases.expire(now).forEach(clientId -> {
      getContext().getLog().info("the lease of client {} lapsed: it closed without saying so, died, or cannot reach the API", clientId);
      clientGone(clientId);
    });
    placeFloatingGroups();
    for (HostEntry host : hosts.values()) {
      if (host.up() && host.synced) {
        reconciler.reconcileHost(host, now);
      } else if (host.up() && now - host.snapshotRequestedAt > settings.resendAfter().toNanos()) {
        requestSnapshot(host);
      }
    }
    return this;
  }

  private void expireCreates(long now) {
    long limit = settings.createTimeout().toNanos();
    groups.values().stream().filter(g -> g.phase == Phase.CREATING && g.createReply != null && now - g.createdAt > limit)
        .toList().forEach(g -> {
          groups.remove(g.path);
          reply(g.createReply, new ManagerProtocol.Failed(ErrorCode.TIMEOUT, "host " + g.host + " did not create group " + g.path
              + " within " + settings.createTimeout().toSeconds() + " s"));
        });
    nodes.values().stream().filter(n -> n.phase == Phase.CREATING && n.createReply != null && now - n.createdAt > limit)
        .toList().forEach(n -> {
          nodes.remove(n.path);
          reply(n.createReply, new ManagerProtocol.Failed(ErrorCode.TIMEOUT, "host " + hostOf(n) + " did not create node " + n.path
              + " within " + settings.createTimeout().toSeconds() + " s"));
        });
  }

  private void expireWaiters(long now) {
    for (NodeEntry node : nodes.values()) {
      node.waiters.removeIf(w -> {
        if (now - w.deadline > 0) {
          reply(w.replyTo, new ManagerProtocol.Failed(ErrorCode.TIMEOUT, w.what + " of " + node.path + " did not finish within "
              + settings.callTimeout().toSeconds() + " s"));
          return true;
        }
        return false;
      });
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------

  Optional<String> hostProblem(String hostId, String what) {
    if (hostId == null) {
      return Optional.of(what + " is waiting for a host to run on");
    }
    HostEntry host = hosts.get(hostId);
    if (host == null) {
      return Optional.of("no host " + hostId + " is registered; hosts: "
          + (hosts.isEmpty() ? "none" : hosts.keySet().stream().sorted().collect(Collectors.joining(", "))));
    }
    if (!host.up()) {
      return Optional.of("host " + hostId + " of " + what + " is " + host.state);
    }
    return Optional.empty();
  }

  String hostOf(NodeEntry node) {
    return reconciler.hostOf(node);
  }

  private String groupsHint() {
    return groups.isEmpty() ? "; there are no groups" : "; groups: " + groups.keySet().stream().map(Object::toString).sorted()
        .limit(10).collect(Collectors.joining(", ")) + (groups.size() > 10 ? ", ..." : "");
  }

  long deadline() {
    return System.nanoTime() + settings.callTimeout().toNanos();
  }

  java.time.Duration callTimeout() {
    return settings.callTimeout();
  }

  void store(java.util.function.LongFunction<DesiredStore.Command> command, Consumer<Boolean> then) {
    long op = ++nextOp;
    pendingStores.put(op, then);
    store.tell(command.apply(op));
  }

  private Behavior<ManagerProtocol.Command> onStoreDone(StoreDone done) {
    Consumer<Boolean> then = pendingStores.remove(done.stored().op());
    if (then != null) {
      then.accept(done.stored().replicated());
    }
    return this;
  }

  static ManagerProtocol.Failed notReplicated(String what) {
    return new ManagerProtocol.Failed(ErrorCode.NOT_REPLICATED, what + " and recorded by this Manager, but not by a majority "
        + "of manager members in time; it may be lost if this Manager fails before they catch up");
  }

  Behavior<ManagerProtocol.Command> fail(ActorRef<Reply> replyTo, ErrorCode code, String message) {
    return reply(replyTo, new ManagerProtocol.Failed(code, message));
  }

  Behavior<ManagerProtocol.Command> reply(ActorRef<Reply> replyTo, Reply reply) {
    if (replyTo != null) {
      replyTo.tell(reply);
    }
    return this;
  }
}
