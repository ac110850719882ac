package io.shepherd.host.agent;

import akka.Done;
import akka.actor.ExtendedActorSystem;
import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import akka.remote.AddressUidExtension;
import akka.remote.RemoteActorRefProvider;
import io.shepherd.host.HostSettings;
import io.shepherd.host.NodeTypes;
import io.shepherd.host.internal.HostEnvironment;
import io.shepherd.host.internal.ManagerConnection;
import io.shepherd.host.internal.NodeEvent;
import io.shepherd.host.internal.NodeGroup;
import io.shepherd.host.internal.process.HostCalls;
import io.shepherd.host.internal.process.ProcessHost;
import io.shepherd.host.logs.LogLevels;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.HostInfo;
import io.shepherd.protocol.HostProtocol.ManagerCommand;
import io.shepherd.protocol.HostProtocol;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongFunction;

/**
 * The host agent of one machine ({@code /user/host}): registers with the Manager, runs the
 * NodeGroups the Manager asks for (children {@code group-<placement>~<name>}), and reports every
 * change of every node to the Manager as a numbered event.
 *
 * <p>Registration: the agent follows the Manager through the Receptionist and registers with every
 * Manager it sees ({@link ManagerProtocol.RegisterHost}), retrying with backoff until answered
 * {@code Registered} or {@code Declined}. It then sends a full snapshot. Commands carry the
 * Manager's epoch; those from an older epoch than the registered one are dropped.
 *
 * <p>Supervision: a NodeGroup that fails is stopped, and reported removed, so that the Manager's
 * reconciliation recreates it. Node code never fails a NodeGroup: its runner contains it.
 */
public final class HostAgent extends AbstractBehavior<HostProtocol.Command> {

  /** Stop every node of this host and reply once all are gone; used at member shutdown. */
  public record Shutdown(ActorRef<Done> replyTo) implements HostProtocol.Command, NoSerializationVerificationNeeded {}

  /**
   * Tells {@code subscriber} whether the agent is registered with a Manager, now and at every
   * change; asking again answers again (a liveness check of the agent, the member's watchdog).
   */
  public record WatchRegistration(ActorRef<Registration> subscriber) implements HostProtocol.Command,
      NoSerializationVerificationNeeded {}

  /** Registered with the Manager of {@code epoch}, or not ({@code registered} false, epoch of the last one or 0). */
  public record Registration(boolean registered, long epoch) implements NoSerializationVerificationNeeded {}

  private record RunnerEvent(NodeEvent event) implements HostProtocol.Command, NoSerializationVerificationNeeded {}

  /** The events waiting in the outbox go to the Manager. */
  private enum FlushEvents implements HostProtocol.Command, NoSerializationVerificationNeeded { INSTANCE }

  private record GroupTerminated(GroupPath group) implements HostProtocol.Command, NoSerializationVerificationNeeded {}

  /** The process host has started: this host can say how it contains processes, and register. */
  private record ProcessesReady(HostInfo info) implements HostProtocol.Command, NoSerializationVerificationNeeded {}

  private record InitialStateAnswer(ManagerProtocol.Reply reply) implements HostProtocol.Command, NoSerializationVerificationNeeded {}

  private final HostSettings settings;
  private final HostEnvironment env;
  private final Executor blocking;
  private final HostCalls hostCalls;
  private final LogLevels logLevels = new LogLevels();
  private final ManagerConnection connection;

  private final HostInventory inventory = new HostInventory();

  private final EventOutbox outbox;
  private final List<ActorRef<Done>> shutdownWaiters = new ArrayList<>();
  private final Set<ActorRef<Registration>> registrationWatchers = new HashSet<>();
  private final InitialState initialState;
  private final ActorRef<ManagerProtocol.Reply> initialStateAnswers;
  private boolean shuttingDown;

  public static Behavior<HostProtocol.Command> create(HostSettings settings) {
    return create(settings, NodeTypes.create(settings));
  }

  public static Behavior<HostProtocol.Command> create(HostSettings settings, NodeTypes types) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new HostAgent(ctx, timers, settings, types, new ProcessHost(settings))));
  }

  /** A host agent that runs its process nodes with {@code processes} (a test's, made of files). */
  public static Behavior<HostProtocol.Command> create(HostSettings settings, NodeTypes types, ProcessHost processes) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new HostAgent(ctx, timers, settings, types, processes)));
  }

  private HostAgent(ActorContext<HostProtocol.Command> ctx, TimerScheduler<HostProtocol.Command> timers,
                    HostSettings settings, NodeTypes types, ProcessHost processes) {
    super(ctx);
    this.settings = settings;
    this.env = new HostEnvironment(settings, types, processes, ctx.messageAdapter(NodeEvent.class, RunnerEvent::new));
    this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(HostSettings.BLOCKING_DISPATCHER));
    this.hostCalls = new HostCalls(processes, logLevels);
    this.outbox = new EventOutbox(() -> ctx.getSelf().tell(FlushEvents.INSTANCE), settings.snapshotPartSize());
    this.initialState = new InitialState(settings, ctx.getLog());
    this.initialStateAnswers = ctx.messageAdapter(ManagerProtocol.Reply.class, InitialStateAnswer::new);
    this.connection = new ManagerConnection(ctx, timers, settings, new ManagerConnection.Listener() {
      @Override
      public void connected(ActorRef<ManagerProtocol.Command> manager, long epoch) {
        sendSnapshot();
        initialState.request(manager, initialStateAnswers);
        registrationWatchers.forEach(watcher -> watcher.tell(new Registration(true, epoch)));
      }

      @Override
      public void lost() {
        // Events wait: the snapshot after the next registration carries the state.
        registrationWatchers.forEach(watcher -> watcher.tell(new Registration(false, connection.epoch())));
      }

      @Override
      public void noManagerFor(Duration timeout) {
        deadManSwitch(timeout);
      }
    });
    // The host registers once it knows how it contains processes (its cgroups are made, or found unusable, at start).
    String address = ctx.getSystem().address().toString();
    long memberUid = memberUid(ctx.getSystem());
    long incarnation = ThreadLocalRandom.current().nextLong(Long.MAX_VALUE);
    ctx.pipeToSelf(processes.start(blocking), (done, error) -> new ProcessesReady(new HostInfo(settings.hostId(), address, memberUid,
        types.names(), types.allowedPackages(), incarnation, processes.allowedExecutables(), processes.containment())));
    ctx.getSystem().receptionist().tell(Receptionist.register(HostProtocol.SERVICE_KEY, ctx.getSelf()));
    ctx.getLog().info("host agent {} started; looking for the Manager", settings.hostId());
  }

  @Override
  public Receive<HostProtocol.Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ProcessesReady.class, m -> same(() -> connection.ready(m.info())))
        .onMessage(ManagerConnection.Listing.class, m -> same(() -> connection.onListing(m)))
        .onMessage(ManagerConnection.RetryRegistration.class, m -> same(connection::onRetry))
        .onMessage(HostProtocol.Registered.class, m -> same(() -> connection.onRegistered(m)))
        .onMessage(HostProtocol.Declined.class, m -> same(() -> connection.onDeclined(m)))
        .onMessage(HostProtocol.Reconnect.class, m -> same(() -> connection.onReconnect(m)))
        .onMessage(ManagerConnection.ManagerTerminated.class, m -> same(() -> connection.onTerminated(m)))
        .onMessage(ManagerConnection.LossTimeout.class, m -> same(connection::onLossTimeout))
        .onMessage(ManagerCommand.class, connection::isStale, this::onStaleCommand)
        .onMessage(HostProtocol.CreateGroup.class, this::onCreateGroup)
        .onMessage(HostProtocol.RemoveGroup.class, this::onRemoveGroup)
        .onMessage(HostProtocol.CreateNode.class, this::onCreateNode)
        .onMessage(HostProtocol.RemoveNode.class, this::onRemoveNode)
        .onMessage(HostProtocol.RequestState.class, this::onRequestState)
        .onMessage(HostProtocol.SetMode.class, this::onSetMode)
        .onMessage(HostProtocol.SendSnapshot.class, m -> onSendSnapshot())
        .onMessage(InitialStateAnswer.class, m -> same(() -> initialState.onAnswer(m.reply())))
        .onMessage(HostProtocol.KillNode.class, this::onKillNode)
        .onMessage(HostProtocol.SendInput.class, this::onSendInput)
        .onMessage(HostProtocol.HostCall.class, this::onHostCall)
        .onMessage(HostProtocol.CheckSpecs.class, this::onCheckSpecs)
        .onMessage(RunnerEvent.class, this::onRunnerEvent)
        .onMessage(FlushEvents.class, m -> same(() -> outbox.flush(connection.manager())))
        .onMessage(GroupTerminated.class, this::onGroupTerminated)
        .onMessage(Shutdown.class, this::onShutdown)
        .onMessage(WatchRegistration.class, this::onWatchRegistration)
        .build();
  }

  private Behavior<HostProtocol.Command> onWatchRegistration(WatchRegistration watch) {
    registrationWatchers.add(watch.subscriber());
    watch.subscriber().tell(new Registration(connection.manager() != null, connection.epoch()));
    return this;
  }

  /** Runs a handler; the agent stays as it is. */
  private Behavior<HostProtocol.Command> same(Runnable handler) {
    handler.run();
    return this;
  }

  // ---- the Manager ------------------------------------------------------------------------------

  /** The dead-man switch (the Architect): no Manager for manager-loss-timeout. */
  private void deadManSwitch(Duration timeout) {
    if (settings.managerLossAction() == HostSettings.ManagerLossAction.KEEP_RUNNING) {
      getContext().getLog().warn("no Manager for {} s; nodes keep running (shepherd.host.manager-loss-action = keep-running)",
          timeout.toSeconds());
      return;
    }
    getContext().getLog().warn("no Manager for {} s; stopping every running node (shepherd.host.manager-loss-action = stop-nodes)",
        timeout.toSeconds());
    for (NodeStatus status : inventory.statuses()) {
      ActorRef<NodeGroup.Command> group = inventory.group(status.path().groupPath());
      if (group != null && status.requested() == NodeState.RUNNING) {
        // The same request number: the next Manager's request for the node wins over this one.
        group.tell(new NodeGroup.RequestState(status.path(), NodeState.STOPPED, status.seq()));
      }
    }
  }

  private Behavior<HostProtocol.Command> onStaleCommand(ManagerCommand command) {
    getContext().getLog().warn("dropped {} from Manager epoch {}: registered with epoch {}",
        command.getClass().getSimpleName(), command.epoch(), connection.epoch());
    return this;
  }

  // ---- commands ---------------------------------------------------------------------------------

  private Behavior<HostProtocol.Command> onCreateGroup(HostProtocol.CreateGroup create) {
    GroupPath group = create.group();
    if (inventory.isRemoving(group)) {
      inventory.recreateAfterRemoval(group);
    } else if (inventory.group(group) != null) {
      send(s -> new ManagerProtocol.GroupCreated(settings.hostId(), s, group));
    } else if (!shuttingDown) {
      spawnGroup(group);
    }
    return this;
  }

  private void spawnGroup(GroupPath group) {
    ActorRef<NodeGroup.Command> ref = getContext().spawn(NodeGroup.create(group, env), NodeGroup.actorName(group));
    getContext().watchWith(ref, new GroupTerminated(group));
    inventory.groupAdded(group, ref);
    send(s -> new ManagerProtocol.GroupCreated(settings.hostId(), s, group));
  }

  private Behavior<HostProtocol.Command> onRemoveGroup(HostProtocol.RemoveGroup remove) {
    GroupPath group = remove.group();
    ActorRef<NodeGroup.Command> ref = inventory.group(group);
    if (ref == null) {
      send(s -> new ManagerProtocol.GroupRemoved(settings.hostId(), s, group));
    } else if (inventory.startRemoving(group)) {
      ref.tell(NodeGroup.RemoveAll.INSTANCE);
    }
    return this;
  }

  private Behavior<HostProtocol.Command> onCreateNode(HostProtocol.CreateNode create) {
    NodePath path = create.path();
    ActorRef<NodeGroup.Command> group = inventory.group(path.groupPath());
    if (group == null || inventory.isRemoving(path.groupPath()) || shuttingDown) {
      String why = shuttingDown ? "host " + settings.hostId() + " is shutting down"
          : group == null ? "no group " + path.groupPath() + " on host " + settings.hostId()
          : "group " + path.groupPath() + " is being removed";
      send(s -> new ManagerProtocol.NodeRejected(settings.hostId(), s, path,
          group == null && !shuttingDown ? ErrorCode.NO_SUCH_GROUP : ErrorCode.BUSY, why));
      return this;
    }
    Optional<NodeStatus> existing = inventory.status(path);
    if (existing.isPresent()) {
      // A repeat (reconciliation): report what exists, and pass on a newer request if any.
      send(s -> new ManagerProtocol.NodeUpdated(settings.hostId(), s, existing.get()));
      group.tell(new NodeGroup.RequestState(path, create.requested(), create.seq()));
    } else if (inventory.startCreating(path)) {
      group.tell(new NodeGroup.CreateNode(path, create.spec(), create.requested(), create.seq(), create.checkpoint(),
          create.previousIncarnation()));
    }
    return this;
  }

  private Behavior<HostProtocol.Command> onRemoveNode(HostProtocol.RemoveNode remove) {
    NodePath path = remove.path();
    ActorRef<NodeGroup.Command> group = inventory.group(path.groupPath());
    if (group == null || !inventory.hasNode(path)) {
      send(s -> new ManagerProtocol.NodeRemoved(settings.hostId(), s, path));
    } else {
      group.tell(new NodeGroup.RemoveNode(path));
    }
    return this;
  }

  private Behavior<HostProtocol.Command> onRequestState(HostProtocol.RequestState request) {
    NodePath path = request.path();
    ActorRef<NodeGroup.Command> group = inventory.group(path.groupPath());
    if (group == null || !inventory.hasNode(path)) {
      // The Manager believes in a node this host does not have: say so, and it will reconcile.
      send(s -> new ManagerProtocol.NodeRemoved(settings.hostId(), s, path));
    } else {
      group.tell(new NodeGroup.RequestState(path, request.requested(), request.seq()));
    }
    return this;
  }

  private Behavior<HostProtocol.Command> onSetMode(HostProtocol.SetMode set) {
    ActorRef<NodeGroup.Command> group = inventory.group(set.path().groupPath());
    if (group != null) {
      group.tell(new NodeGroup.SetMode(set.path(), set.mode()));
    }
    return this;
  }

  private Behavior<HostProtocol.Command> onKillNode(HostProtocol.KillNode kill) {
    ActorRef<NodeGroup.Command> group = inventory.group(kill.path().groupPath());
    if (group != null) {
      group.tell(new NodeGroup.KillNode(kill.path()));
    }
    return this;
  }

  private Behavior<HostProtocol.Command> onSendInput(HostProtocol.SendInput send) {
    ActorRef<NodeGroup.Command> group = inventory.group(send.path().groupPath());
    if (group == null || inventory.status(send.path()).isEmpty()) {
      send.replyTo().tell(new ManagerProtocol.Failed(ErrorCode.NO_SUCH_NODE, "no node " + send.path() + " on host " + settings.hostId()));
    } else {
      group.tell(new NodeGroup.SendInput(send.path(), send.line(), send.replyTo()));
    }
    return this;
  }

  /** Ports and environment: quick, but file and socket work, so on the blocking dispatcher; the answer goes straight back. */
  private Behavior<HostProtocol.Command> onHostCall(HostProtocol.HostCall call) {
    CompletableFuture.supplyAsync(() -> hostCalls.answer(call.request()), blocking)
        .thenAccept(call.replyTo()::tell);
    return this;
  }

  /** Loads classes and looks up executables: on the blocking dispatcher; the answer goes straight back. */
  private Behavior<HostProtocol.Command> onCheckSpecs(HostProtocol.CheckSpecs check) {
    HostEnvironment environment = env;
    CompletableFuture.supplyAsync(() -> environment.checkAll(check.specs()), blocking).thenAccept(check.replyTo()::tell);
    return this;
  }

  private Behavior<HostProtocol.Command> onSendSnapshot() {
    sendSnapshot();
    return this;
  }

  // ---- events -----------------------------------------------------------------------------------

  private Behavior<HostProtocol.Command> onRunnerEvent(RunnerEvent message) {
    NodeEvent event = message.event();
    if (event instanceof NodeEvent.StatusChanged changed) {
      inventory.observed(changed.status());
      send(s -> new ManagerProtocol.NodeUpdated(settings.hostId(), s, changed.status()));
    } else if (event instanceof NodeEvent.Rejected rejected) {
      inventory.gone(rejected.path());
      send(s -> new ManagerProtocol.NodeRejected(settings.hostId(), s, rejected.path(), rejected.code(), rejected.message()));
    } else if (event instanceof NodeEvent.Notified notified) {
      send(s -> new ManagerProtocol.NodeNotified(settings.hostId(), s, notified.path(), notified.message(), notified.at()));
    } else if (event instanceof NodeEvent.Checkpointed checkpointed) {
      send(s -> new ManagerProtocol.NodeCheckpointed(settings.hostId(), s, checkpointed.path(), checkpointed.checkpoint()));
    } else if (event instanceof NodeEvent.Removed removed) {
      inventory.gone(removed.path());
      send(s -> new ManagerProtocol.NodeRemoved(settings.hostId(), s, removed.path()));
    }
    return this;
  }

  private Behavior<HostProtocol.Command> onGroupTerminated(GroupTerminated terminated) {
    GroupPath group = terminated.group();
    boolean recreate = inventory.groupGone(group);
    send(s -> new ManagerProtocol.GroupRemoved(settings.hostId(), s, group));
    if (recreate && !shuttingDown) {
      spawnGroup(group);
    }
    if (shuttingDown && !inventory.hasGroups()) {
      shutdownDone();
    }
    return this;
  }

  private Behavior<HostProtocol.Command> onShutdown(Shutdown shutdown) {
    shuttingDown = true;
    shutdownWaiters.add(shutdown.replyTo());
    if (!inventory.hasGroups()) {
      shutdownDone();
      return this;
    }
    getContext().getLog().info("shutting down: stopping {} nodes in {} groups", inventory.nodeCount(), inventory.groupCount());
    inventory.removeEveryGroup((group, ref) -> ref.tell(NodeGroup.RemoveAll.INSTANCE));
    return this;
  }

  /** Every node has stopped: the process watchdog may go, and the member with it. */
  private void shutdownDone() {
    env.processes().close();
    shutdownWaiters.forEach(w -> w.tell(Done.getInstance()));
    shutdownWaiters.clear();
  }

  /**
   * Sends an event, made from the next sequence number, to the Manager, with the others of its
   * burst. Without a Manager nothing is sent: the snapshot after the next registration carries the
   * state instead.
   */
  private void send(LongFunction<ManagerProtocol.HostEvent> event) {
    if (connection.manager() != null) {
      outbox.add(event);
    }
  }

  private void sendSnapshot() {
    ActorRef<ManagerProtocol.Command> manager = connection.manager();
    if (manager == null) {
      return;
    }
    outbox.clear();
    List<NodeStatus> all = inventory.statuses();
    int size = settings.snapshotPartSize();
    int parts = Math.max(1, (all.size() + size - 1) / size);
    List<GroupPath> groupList = inventory.groupPaths();
    for (int part = 0; part < parts; part++) {
      List<NodeStatus> slice = all.subList(part * size, Math.min(all.size(), (part + 1) * size));
      manager.tell(new ManagerProtocol.HostSnapshot(settings.hostId(), connection.epoch(), outbox.seq(), part, parts,
          part == 0 ? groupList : List.of(), new ArrayList<>(slice), part == 0 ? logLevels.current() : Map.of()));
    }
  }

  /** The uid of this member's incarnation; 0 without remoting (a local actor system). */
  private static long memberUid(ActorSystem<?> system) {
    ExtendedActorSystem classic = (ExtendedActorSystem) Adapter.toClassic(system);
    return classic.provider() instanceof RemoteActorRefProvider ? AddressUidExtension.get(classic).longAddressUid() : 0L;
  }
}
