package io.shepherd.manager;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.StashBuffer;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import io.shepherd.manager.internal.ClusterView;
import io.shepherd.manager.internal.DesiredState;
import io.shepherd.manager.internal.DesiredStore;
import io.shepherd.manager.internal.GroupEntry;
import io.shepherd.manager.internal.Groups;
import io.shepherd.manager.internal.HostEntry;
import io.shepherd.manager.internal.HostLink;
import io.shepherd.manager.internal.Hosts;
import io.shepherd.manager.internal.LogLevelCalls;
import io.shepherd.manager.internal.ManagerEvents;
import io.shepherd.manager.internal.ManagerParts;
import io.shepherd.manager.internal.Nodes;
import io.shepherd.manager.internal.Observations;
import io.shepherd.manager.internal.Registry;
import io.shepherd.manager.internal.Replies;
import io.shepherd.manager.internal.ReplyAggregator;
import io.shepherd.manager.internal.StatusView;
import io.shepherd.manager.internal.TargetCalls;
import io.shepherd.manager.internal.TypeRegistrations;
import io.shepherd.manager.logs.LogServer;
import io.shepherd.manager.site.SiteApply;
import io.shepherd.protocol.Api;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.Event;
import io.shepherd.protocol.HostProtocol;
import io.shepherd.protocol.LogProtocol;
import io.shepherd.protocol.ManagerProtocol.Reply;
import io.shepherd.protocol.ManagerProtocol;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The Manager: one per cluster, a cluster singleton on the oldest manager member. It keeps the
 * registry of hosts, NodeGroups and nodes, routes every client call to the right host, and
 * reconciles what should run (desired state, replicated to every manager member by its
 * {@link DesiredStore}) with what runs (reported by the hosts as numbered events and snapshots).
 * This class is the receive table and the glue; the work is done by its services, which own their
 * state (Flink's ResourceManager and its managers): {@link Hosts} (registration), {@link
 * Observations} (what hosts report), {@link Groups}, {@link Nodes}, {@link TargetCalls}, {@link
 * SiteApply}; commands reach hosts only through {@link HostLink}.
 *
 * <p>Every incarnation takes a new, higher epoch, which fences it from hosts registered with an
 * older one. A call is answered only once its change is in desired state; a change that could not
 * reach a majority of manager members is answered {@code NOT_REPLICATED}.
 *
 * <p>Supervision: the member launcher restarts it with backoff; a restart is a new incarnation
 * (new epoch, desired state reloaded, hosts asked to register again). It fails if its desired-state
 * store does.
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

  private record LogStatsReported(LogProtocol.LogStats stats) implements ManagerProtocol.Command, NoSerializationVerificationNeeded {}

  private static final int STASH_CAPACITY = 100_000;

  private final ManagerSettings settings;
  private final long epoch;
  private final Registry registry;
  private final DesiredState desired;
  private final ManagerEvents events;
  private final ManagerParts parts;
  private final ClusterView cluster;
  private final Hosts hosts;
  private final Groups groups;
  private final Nodes nodes;
  private final Observations observations;
  private final TargetCalls targets;
  private final LogLevelCalls logLevels;
  private final SiteApply site;
  private final TypeRegistrations types;
  private LogProtocol.LogStats logStats;

  /** The Manager behaviour: loads desired state and takes its epoch, then serves. */
  public static Behavior<ManagerProtocol.Command> create(ManagerSettings settings) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> Behaviors.withStash(STASH_CAPACITY, stash -> {
      ActorRef<DesiredStore.Command> store = ctx.spawn(DesiredStore.create(settings.store()), "desired-store");
      ctx.watch(store); // a store that failed (its load did) fails this incarnation: a DeathPactException
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
    this.epoch = loaded.epoch();
    this.registry = new Registry(loaded.groups().values(), loaded.nodes().values(), loaded.checkpoints());
    this.desired = new DesiredState(store, ctx.messageAdapter(DesiredStore.Stored.class, StoreDone::new));
    this.events = new ManagerEvents(epoch, settings.eventBuffer(), () -> ctx.getSelf().tell(FlushEvents.INSTANCE));
    this.parts = new ManagerParts(ctx, settings.parts(), registry, new HostLink(epoch), desired, events);
    parts.dependencies().regateAll(); // no host is known yet: nothing is sent, the holds are set before the first reconciliation
    Cluster akkaCluster = Cluster.get(ctx.getSystem());
    this.cluster = new ClusterView(akkaCluster, epoch);
    this.groups = new Groups(parts);
    this.nodes = new Nodes(parts);
    this.hosts = new Hosts(parts, groups, nodes, cluster);
    this.observations = new Observations(parts, hosts, groups, nodes, Instant.now());
    this.targets = new TargetCalls(parts);
    this.logLevels = new LogLevelCalls(parts);
    this.site = new SiteApply(parts, groups, nodes);
    this.types = new TypeRegistrations(parts);
    events.publish(ManagerEvents.event(Event.MANAGER).withAddress(akkaCluster.selfMember().address().toString())
        .withMessage("Manager incarnation with epoch " + epoch + " started: " + registry.groups().size() + " groups and "
            + registry.nodes().size() + " nodes in desired state"));
    // Clients renew their leases with whichever Manager runs; a new one gives them time to.
    registry.groups().stream().filter(g -> !g.persistent() && g.owner() != null && !g.declaredBySite())
        .forEach(g -> parts.grantLease(g.owner()));
    registry.nodes().stream().filter(n -> n.managedBy() != null && Api.isSession(n.managedBy()))
        .forEach(n -> parts.grantLease(n.managedBy()));

    ctx.getSystem().receptionist().tell(Receptionist.register(ManagerProtocol.SERVICE_KEY, ctx.getSelf()));
    ctx.getSystem().receptionist().tell(Receptionist.find(HostProtocol.SERVICE_KEY,
        ctx.messageAdapter(Receptionist.Listing.class, HostsListed::new)));
    akkaCluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(ClusterEvent.MemberEvent.class, MemberChanged::new),
        ClusterEvent.MemberEvent.class));
    akkaCluster.subscriptions().tell(Subscribe.create(
        ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new), ClusterEvent.ReachabilityEvent.class));
    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.reconcileInterval());
    ctx.spawn(LogServer.create(LogServer.Settings.fromConfig(ctx.getSystem().settings().config()),
            ctx.messageAdapter(LogProtocol.LogStats.class, LogStatsReported::new)),
        "log-server", DispatcherSelector.fromConfig(LogServer.Settings.DISPATCHER));
    ctx.getLog().info("Manager started with epoch {}: {} groups and {} nodes in desired state", epoch, registry.groups().size(),
        registry.nodes().size());
  }

  @Override
  public Receive<ManagerProtocol.Command> createReceive() {
    return newReceiveBuilder()
        // hosts
        .onMessage(ManagerProtocol.RegisterHost.class, m -> same(() -> hosts.register(m, getContext().getSelf())))
        .onMessage(ManagerProtocol.HostSnapshot.class, m -> same(() -> observations.onSnapshot(m)))
        .onMessage(ManagerProtocol.HostEvent.class, m -> same(() -> observations.onEvents(List.of(m))))
        .onMessage(ManagerProtocol.HostEvents.class, m -> same(() -> observations.onEvents(m.events())))
        // clients: groups and nodes
        .onMessage(ManagerProtocol.GetStatus.class, this::onGetStatus)
        .onMessage(ManagerProtocol.CreateGroup.class, m -> same(() -> groups.create(m)))
        .onMessage(ManagerProtocol.RemoveGroup.class, m -> same(() -> groups.remove(m)))
        .onMessage(ManagerProtocol.CreateNode.class, m -> same(() -> nodes.create(m)))
        .onMessage(ManagerProtocol.RemoveNode.class, m -> same(() -> nodes.remove(m)))
        .onMessage(ManagerProtocol.Perform.class, m -> same(() -> nodes.perform(m)))
        .onMessage(ManagerProtocol.Request.class, m -> same(() -> nodes.request(m)))
        .onMessage(ManagerProtocol.SetMode.class, m -> same(() -> nodes.setMode(m)))
        .onMessage(ManagerProtocol.Revive.class, m -> same(() -> nodes.revive(m)))
        .onMessage(ManagerProtocol.KillNode.class, m -> same(() -> nodes.kill(m)))
        .onMessage(ManagerProtocol.Purge.class, m -> same(() -> nodes.purge(m)))
        .onMessage(ManagerProtocol.SendInput.class, m -> same(() -> nodes.sendInput(m)))
        // clients: targets, hosts, site files
        .onMessage(ManagerProtocol.Update.class, m -> same(() -> targets.update(m)))
        .onMessage(ManagerProtocol.Restart.class, m -> same(() -> targets.restart(m)))
        .onMessage(ManagerProtocol.HostCall.class, m -> same(() -> targets.hostCall(m)))
        .onMessage(ManagerProtocol.SetLogLevel.class, m -> same(() -> logLevels.set(m)))
        .onMessage(LogLevelCalls.Answered.class, m -> same(() -> logLevels.answered(m)))
        .onMessage(ManagerProtocol.ApplySite.class, m -> same(() -> site.apply(m)))
        .onMessage(SiteApply.Checked.class, m -> same(() -> site.onChecked(m)))
        .onMessage(ManagerProtocol.RegisterType.class, m -> same(() -> types.register(m)))
        .onMessage(TypeRegistrations.Checked.class, m -> same(() -> types.onChecked(m)))
        // clients: sessions and events
        .onMessage(ManagerProtocol.ClientLeaving.class, this::onClientLeaving)
        .onMessage(ManagerProtocol.RenewLease.class, this::onRenewLease)
        .onMessage(ManagerProtocol.SubscribeEvents.class, this::onSubscribeEvents)
        .onMessage(ManagerProtocol.UnsubscribeEvents.class, m -> same(() -> events.unsubscribe(m.subscriber())))
        .onMessage(EventSubscriberGone.class, m -> same(() -> events.unsubscribe(m.subscriber())))
        .onMessage(FlushEvents.class, m -> same(events::flush))
        // internal
        .onMessage(LogStatsReported.class, m -> same(() -> logStats = m.stats()))
        .onMessage(StoreDone.class, m -> same(() -> desired.stored(m.stored())))
        .onMessage(MemberChanged.class, this::onMemberChanged)
        .onMessage(ReachabilityChanged.class, this::onReachabilityChanged)
        .onMessage(HostsListed.class, m -> same(() -> hosts.askToRegister(m.listing().getServiceInstances(HostProtocol.SERVICE_KEY),
            getContext().getSelf())))
        .onMessage(Tick.class, m -> onTick())
        .onMessage(StoreLoaded.class, m -> this)
        .build();
  }

  /** Runs a service's handler; the Manager stays as it is. */
  private Behavior<ManagerProtocol.Command> same(Runnable handler) {
    handler.run();
    return this;
  }

  private Behavior<ManagerProtocol.Command> onGetStatus(ManagerProtocol.GetStatus get) {
    List<ClusterStatus> statusParts = StatusView.parts(cluster.manager(), cluster.members(), cluster.converged(), logStats, registry,
        settings.statusPartSize());
    for (int i = 0; i < statusParts.size(); i++) {
      get.replyTo().tell(new ManagerProtocol.StatusPart(i, statusParts.size(), statusParts.get(i)));
    }
    return this;
  }

  // ---- sessions ---------------------------------------------------------------------------------------

  private Behavior<ManagerProtocol.Command> onClientLeaving(ManagerProtocol.ClientLeaving leaving) {
    parts.leases().end(leaving.clientId());
    nodes.releaseManagedBy(leaving.clientId());
    List<GroupEntry> owned = groups.ownedBy(leaving.clientId());
    if (owned.isEmpty()) {
      Replies.reply(leaving.replyTo(), new ManagerProtocol.Ok("the client owned no groups", null));
      return this;
    }
    ActorRef<Reply> aggregator = ReplyAggregator.spawn(getContext(), owned.size(), leaving.replyTo(),
        "removed " + owned.size() + " groups of the client", settings.callTimeout());
    owned.forEach(g -> groups.startRemoval(g, aggregator));
    return this;
  }

  private Behavior<ManagerProtocol.Command> onRenewLease(ManagerProtocol.RenewLease renew) {
    if (renew.clientId() == null || !Api.isSession(renew.clientId()) || renew.ttlMillis() < 1) {
      Replies.fail(renew.replyTo(), ErrorCode.INVALID_ARGUMENT, "a lease needs a session id starting with " + Api.SESSION_PREFIX
          + " and a positive time to live");
      return this;
    }
    boolean known = parts.leases().holds(renew.clientId());
    parts.leases().renew(renew.clientId(), Duration.ofMillis(renew.ttlMillis()).toNanos(), System.nanoTime());
    Replies.reply(renew.replyTo(), new ManagerProtocol.Ok((known ? "renewed" : "opened") + " the lease of " + renew.clientId()
        + " for " + renew.ttlMillis() + " ms", null));
    return this;
  }

  /** A session closed, or its lease lapsed: its groups go, and the nodes it managed recover by themselves again. */
  private void sessionEnded(String clientId) {
    parts.leases().end(clientId);
    nodes.releaseManagedBy(clientId);
    groups.sessionEnded(clientId);
  }

  private Behavior<ManagerProtocol.Command> onSubscribeEvents(ManagerProtocol.SubscribeEvents subscribe) {
    if (events.subscribe(subscribe.epoch(), subscribe.afterSeq(), subscribe.subscriber())) {
      getContext().watchWith(subscribe.subscriber(), new EventSubscriberGone(subscribe.subscriber()));
    }
    return this;
  }

  // ---- membership -------------------------------------------------------------------------------------

  private Behavior<ManagerProtocol.Command> onMemberChanged(MemberChanged changed) {
    ClusterEvent.MemberEvent event = changed.event();
    Member member = event.member();
    getContext().getLog().info("member {} ({}) is {}", member.address(), String.join(",", member.getRoles()), member.status());
    events.publish(ManagerEvents.event(Event.MEMBER).withAddress(member.address().toString()).withStatus(member.status().toString())
        .withMessage("roles " + String.join(",", ClusterView.roles(member))));
    if (event instanceof ClusterEvent.MemberDowned || event instanceof ClusterEvent.MemberRemoved
        || event instanceof ClusterEvent.MemberExited || event instanceof ClusterEvent.MemberLeft) {
      hostsOf(member).forEach(host -> hosts.down(host, "its member " + member.address() + " is " + member.status()));
    }
    return this;
  }

  private Behavior<ManagerProtocol.Command> onReachabilityChanged(ReachabilityChanged changed) {
    ClusterEvent.ReachabilityEvent event = changed.event();
    for (HostEntry host : hostsOf(event.member())) {
      if (event instanceof ClusterEvent.UnreachableMember) {
        hosts.unreachable(host);
      } else if (event instanceof ClusterEvent.ReachableMember) {
        hosts.reachable(host);
      }
    }
    return this;
  }

  private List<HostEntry> hostsOf(Member member) {
    return hosts.of(member.address().toString(), member.uniqueAddress().longUid());
  }

  // ---- the periodic pass ----------------------------------------------------------------------------

  private Behavior<ManagerProtocol.Command> onTick() {
    long now = System.nanoTime();
    groups.expireCreates(now);
    nodes.expireCreates(now);
    parts.requests().expire(now, settings.callTimeout());
    parts.leases().expire(now).forEach(clientId -> {
      getContext().getLog().info("the lease of client {} lapsed: it closed without saying so, died, or cannot reach the API", clientId);
      sessionEnded(clientId);
    });
    groups.placeFloating();
    hosts.tick(now);
    return this;
  }
}
