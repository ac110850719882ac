package io.shepherd.client;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.typed.Cluster;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.shepherd.client.internal.ClientGuardian;
import io.shepherd.client.internal.StatusCollector;
import io.shepherd.manager.ClientIds;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.LifecycleAction;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import io.shepherd.protocol.ProcessSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The Java API of Shepherd for acquisition applications, the CLI and tests.
 *
 * <p>A client joins the cluster as a member with role {@code client} and talks to the Manager,
 * wherever it runs. Every call returns a {@link CompletionStage} that completes within the
 * client's call timeout: with the result, or exceptionally with a {@link ShepherdException}
 * subclass saying what was wrong (a malformed argument fails the stage, it is never thrown).
 * During a Manager hand-over a call waits for the new Manager within its timeout, then fails with
 * {@link ShepherdException.NoManagerReachable}; it never hangs.
 *
 * <p>Groups the client creates are removed when it closes or its JVM leaves the cluster (pyacq:
 * closing the Manager closes its NodeGroups), unless created persistent. Thread-safe.
 *
 * <pre>{@code
 * try (ShepherdClient shepherd = ShepherdClient.connect(ClientSettings.create().withSeeds("127.0.0.1:2551"))) {
 *   shepherd.createGroup("daq1/acq").toCompletableFuture().join();
 *   shepherd.createNode("daq1/acq/sine", "sine", Map.of("frequency", "5")).toCompletableFuture().join();
 *   shepherd.requestAndAwait("daq1/acq/sine", NodeState.RUNNING).toCompletableFuture().join();
 * }
 * }</pre>
 */
public final class ShepherdClient implements AutoCloseable {

  private final ActorSystem<ClientGuardian.Command> system;
  private final ClientSettings settings;
  private final String clientId;
  private final InFlight inFlight;
  /** The current Manager as the guardian last saw it: calls take it without a hop through the guardian. */
  private final java.util.concurrent.atomic.AtomicReference<ActorRef<ManagerProtocol.Command>> currentManager;

  private ShepherdClient(ActorSystem<ClientGuardian.Command> system, ClientSettings settings, InFlight inFlight,
                         java.util.concurrent.atomic.AtomicReference<ActorRef<ManagerProtocol.Command>> currentManager) {
    this.system = system;
    this.settings = settings;
    this.inFlight = inFlight;
    this.currentManager = currentManager;
    this.clientId = ClientIds.of(Cluster.get(system).selfMember().uniqueAddress());
  }

  /** The calls in flight, by the Manager they were sent to: they fail at once if it goes. */
  private static final class InFlight {
    private final java.util.concurrent.ConcurrentHashMap<ActorRef<ManagerProtocol.Command>, java.util.Set<CompletableFuture<?>>> calls =
        new java.util.concurrent.ConcurrentHashMap<>();

    void add(ActorRef<ManagerProtocol.Command> manager, CompletableFuture<?> call) {
      calls.computeIfAbsent(manager, m -> java.util.concurrent.ConcurrentHashMap.newKeySet()).add(call);
      call.whenComplete((r, e) -> {
        java.util.Set<CompletableFuture<?>> set = calls.get(manager);
        if (set != null) {
          set.remove(call);
        }
      });
    }

    void managerGone(ActorRef<ManagerProtocol.Command> manager) {
      java.util.Set<CompletableFuture<?>> set = calls.remove(manager);
      if (set != null) {
        ShepherdException gone = new ShepherdException.NoManagerReachable("the Manager at " + manager.path().address()
            + " left the cluster while the call was in flight; it may or may not have taken effect; a new Manager takes over");
        set.forEach(call -> call.completeExceptionally(gone));
      }
    }
  }

  /**
   * Joins the cluster through the settings' seeds and waits for the Manager.
   *
   * @throws ShepherdException.NoManagerReachable if no Manager is found within the connect timeout
   * @throws ShepherdException.InvalidArgument if the settings are malformed
   */
  public static ShepherdClient connect(ClientSettings settings) {
    if (settings.seeds().isEmpty() && settings.config().getStringList("akka.cluster.seed-nodes").isEmpty()) {
      throw new ShepherdException.InvalidArgument("no seed nodes: give at least one HOST:PORT of a cluster member");
    }
    Config config = ConfigFactory.empty()
        .withValue("akka.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(0))
        .withValue("akka.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(settings.hostname()))
        .withValue("akka.cluster.roles", ConfigValueFactory.fromIterable(List.of("client")))
        .withValue("akka.coordinated-shutdown.exit-jvm", ConfigValueFactory.fromAnyRef("off"))
        .withValue("akka.coordinated-shutdown.run-by-jvm-shutdown-hook", ConfigValueFactory.fromAnyRef("off"));
    if (!settings.seeds().isEmpty()) {
      config = config.withValue("akka.cluster.seed-nodes",
          ConfigValueFactory.fromIterable(settings.seeds().stream().map(Seeds::parse).toList()));
    }
    InFlight inFlight = new InFlight();
    java.util.concurrent.atomic.AtomicReference<ActorRef<ManagerProtocol.Command>> current = new java.util.concurrent.atomic.AtomicReference<>();
    ActorSystem<ClientGuardian.Command> system = io.shepherd.protocol.CborLimits.actorSystem(ClientGuardian.create(inFlight::managerGone, current::set),
        Seeds.SYSTEM_NAME, config.withFallback(settings.config()).resolve());
    ShepherdClient client = new ShepherdClient(system, settings, inFlight, current);
    try {
      client.manager(settings.connectTimeout()).toCompletableFuture().get();
      return client;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      client.terminate();
      throw new ShepherdException.NoManagerReachable("interrupted while connecting");
    } catch (ExecutionException e) {
      client.terminate();
      throw e.getCause() instanceof ShepherdException s ? s : new ShepherdException(ErrorCode.INTERNAL, e.getCause().toString());
    }
  }

  /** This client's id: the owner recorded on the groups it creates. */
  public String clientId() {
    return clientId;
  }

  public ClientSettings settings() {
    return settings;
  }

  // ---- status -----------------------------------------------------------------------------------

  /** A snapshot of the whole cluster: Manager, members, hosts, groups and nodes. */
  public CompletionStage<ClusterStatus> status() {
    long deadline = System.nanoTime() + settings.callTimeout().toNanos();
    return manager(settings.callTimeout()).thenCompose(manager -> {
      CompletableFuture<ClusterStatus> result = new CompletableFuture<>();
      CompletableFuture<ActorRef<ManagerProtocol.StatusPart>> spawned = new CompletableFuture<>();
      system.tell(new ClientGuardian.Spawn<>(StatusCollector.create(result), spawned));
      inFlight.add(manager, result);
      return spawned.thenCompose(collector -> {
        manager.tell(new ManagerProtocol.GetStatus(collector));
        return result.orTimeout(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
            .exceptionallyCompose(e -> {
              collector.tell(new ManagerProtocol.StatusPart(0, 1, null));
              return CompletableFuture.failedFuture(mapError(e, "status"));
            });
      });
    });
  }

  /** The registered hosts. */
  public CompletionStage<List<ClusterStatus.Host>> hosts() {
    return status().thenApply(ClusterStatus::hosts);
  }

  /** The status of one node. */
  public CompletionStage<NodeStatus> nodeStatus(String path) {
    return parse(() -> NodePath.parse(path)).thenCompose(p -> status().thenApply(s -> s.nodes().stream()
        .filter(n -> n.path().equals(p)).findFirst()
        .orElseThrow(() -> new ShepherdException.NoSuchNode("no node " + p))));
  }

  // ---- groups -----------------------------------------------------------------------------------

  /** Creates a NodeGroup owned by this client: {@code host/group}, or {@code any/group} to let Shepherd place it. */
  public CompletionStage<GroupPath> createGroup(String path) {
    return createGroup(path, false);
  }

  /**
   * Creates a NodeGroup.
   *
   * @param persistent if true, the group outlives this client; otherwise it is removed when the client closes or leaves
   */
  public CompletionStage<GroupPath> createGroup(String path, boolean persistent) {
    return parse(() -> GroupPath.parse(path)).thenCompose(p -> call(r -> new ManagerProtocol.CreateGroup(p, persistent, clientId, r),
        ok -> p));
  }

  /** Removes a NodeGroup with all its nodes (each is stopped and closed first). */
  public CompletionStage<Void> removeGroup(String path) {
    return parse(() -> GroupPath.parse(path)).thenCompose(p -> call(r -> new ManagerProtocol.RemoveGroup(p, r), ok -> null));
  }

  // ---- nodes ------------------------------------------------------------------------------------

  /** Creates a node of a type with params, in state CREATED, in AUTO mode. */
  public CompletionStage<NodeStatus> createNode(String path, String type, Map<String, String> params) {
    return parse(() -> NodeSpec.of(type, params)).thenCompose(spec -> createNode(path, spec, NodeState.CREATED));
  }

  /**
   * Creates a node and drives it to {@code requested} (CREATED to stay as created). Completes once
   * the node exists on its host; use {@link #requestAndAwait} or the lifecycle calls to wait for a state.
   */
  public CompletionStage<NodeStatus> createNode(String path, NodeSpec spec, NodeState requested) {
    if (spec == null || requested == null) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("spec and requested state are required"));
    }
    return parse(() -> NodePath.parse(path)).thenCompose(p -> call(r -> new ManagerProtocol.CreateNode(p, spec, requested, r),
        ManagerProtocol.Ok::node));
  }

  /** Creates a node in MANAGED or AUTO mode. */
  public CompletionStage<NodeStatus> createNode(String path, String type, Map<String, String> params, Mode mode) {
    return parse(() -> NodeSpec.of(type, params).withMode(mode)).thenCompose(spec -> createNode(path, spec, NodeState.CREATED));
  }

  /** Stops, closes and removes a node. */
  public CompletionStage<Void> removeNode(String path) {
    return parse(() -> NodePath.parse(path)).thenCompose(p -> call(r -> new ManagerProtocol.RemoveNode(p, r), ok -> null));
  }

  public CompletionStage<NodeStatus> configure(String path) {
    return perform(path, LifecycleAction.CONFIGURE);
  }

  public CompletionStage<NodeStatus> initialize(String path) {
    return perform(path, LifecycleAction.INITIALIZE);
  }

  public CompletionStage<NodeStatus> start(String path) {
    return perform(path, LifecycleAction.START);
  }

  public CompletionStage<NodeStatus> stop(String path) {
    return perform(path, LifecycleAction.STOP);
  }

  public CompletionStage<NodeStatus> close(String path) {
    return perform(path, LifecycleAction.CLOSE);
  }

  /**
   * One lifecycle call. It must be one step from the state the node is in or heading to; if not,
   * the stage fails with {@link ShepherdException.InvalidTransition} naming both, and nothing changes.
   * Completes with the node's status once it has arrived.
   */
  public CompletionStage<NodeStatus> perform(String path, LifecycleAction action) {
    if (action == null) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("action is required"));
    }
    return parse(() -> NodePath.parse(path)).thenCompose(p -> call(r -> new ManagerProtocol.Perform(p, action, r),
        ManagerProtocol.Ok::node));
  }

  /**
   * Requests a state (Guardian): the node is driven there through the lifecycle. Completes once the
   * request is recorded in desired state; the node arrives later (see {@link #requestAndAwait}).
   */
  public CompletionStage<Void> request(String path, NodeState state) {
    return parse(() -> NodePath.parse(path)).thenCompose(p -> call(r -> new ManagerProtocol.Request(p, state, false, r), ok -> null));
  }

  /** Requests a state and completes with the node's status once it has arrived there. */
  public CompletionStage<NodeStatus> requestAndAwait(String path, NodeState state) {
    if (state == null) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("state is required"));
    }
    return parse(() -> NodePath.parse(path)).thenCompose(p -> call(r -> new ManagerProtocol.Request(p, state, true, r),
        ManagerProtocol.Ok::node));
  }

  // ---- process nodes and hosts (the Architect node) ----------------------------------------------

  /**
   * Creates an OS-process node (type {@code process}) and drives it to {@code requested}: RUNNING
   * starts the process, INITIALIZED gets it ready without starting it.
   */
  public CompletionStage<NodeStatus> createProcess(String path, ProcessSpec process, NodeState requested) {
    if (process == null) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("a process spec is required"));
    }
    return createNode(path, NodeSpec.process(process), requested);
  }

  /** SIGKILL to the whole session of a process node at once; it ends STOPPED (a requested exit, not a crash). */
  public CompletionStage<NodeStatus> kill(String path) {
    return parse(() -> NodePath.parse(path)).thenCompose(p -> call(r -> new ManagerProtocol.KillNode(p, r), ManagerProtocol.Ok::node));
  }

  /** Removes a node that does not run (the Architect's purge); a running one is refused, and stays. */
  public CompletionStage<Void> purge(String path) {
    return parse(() -> NodePath.parse(path)).thenCompose(p -> call(r -> new ManagerProtocol.Purge(p, r), ok -> null));
  }

  /** Writes a line to the stdin of a process node created with stdin on. */
  public CompletionStage<Void> sendInput(String path, String line) {
    return parse(() -> NodePath.parse(path)).thenCompose(p -> parse(() -> new ManagerProtocol.SendInput(p, line, null)))
        .thenCompose(checked -> call(r -> new ManagerProtocol.SendInput(checked.path(), line, r), ok -> null));
  }

  /** Reserves {@code count} free TCP ports on a host until released. */
  public CompletionStage<List<Integer>> bindTcp(String hostId, int count) {
    return hostCall(hostId, () -> new io.shepherd.protocol.HostRequest.BindPorts(false, count)).thenApply(ManagerProtocol.HostAnswer::ports);
  }

  /** Reserves {@code count} free UDP ports on a host until released. */
  public CompletionStage<List<Integer>> bindUdp(String hostId, int count) {
    return hostCall(hostId, () -> new io.shepherd.protocol.HostRequest.BindPorts(true, count)).thenApply(ManagerProtocol.HostAnswer::ports);
  }

  /** Releases ports reserved with {@link #bindTcp} ({@code udp} false) or {@link #bindUdp}; completes with those released. */
  public CompletionStage<List<Integer>> release(String hostId, boolean udp, List<Integer> ports) {
    return hostCall(hostId, () -> new io.shepherd.protocol.HostRequest.ReleasePorts(udp, ports)).thenApply(ManagerProtocol.HostAnswer::ports);
  }

  /** The value a host sets for an environment variable of the processes it starts, if it sets one. */
  public CompletionStage<java.util.Optional<String>> getEnv(String hostId, String name) {
    if (name == null) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("a variable name is required"));
    }
    return hostCall(hostId, () -> new io.shepherd.protocol.HostRequest.GetEnv(name))
        .thenApply(a -> java.util.Optional.ofNullable(a.env().get(name)));
  }

  /** Every variable a host sets for the processes it starts. */
  public CompletionStage<Map<String, String>> environment(String hostId) {
    return hostCall(hostId, () -> new io.shepherd.protocol.HostRequest.GetEnv(null)).thenApply(ManagerProtocol.HostAnswer::env);
  }

  /** Sets ({@code value} null: removes) a variable for the processes a host starts from now on. */
  public CompletionStage<Void> setEnv(String hostId, String name, String value) {
    return hostCall(hostId, () -> new io.shepherd.protocol.HostRequest.SetEnv(name, value)).thenApply(a -> null);
  }

  private CompletionStage<ManagerProtocol.HostAnswer> hostCall(String hostId, java.util.function.Supplier<io.shepherd.protocol.HostRequest> request) {
    return parse(() -> io.shepherd.protocol.Names.checkHostId(hostId)).thenCompose(id -> parse(request))
        .thenCompose(req -> call(r -> new ManagerProtocol.HostCall(hostId, req, r), ManagerProtocol.HostAnswer.class, a -> a));
  }

  // ---- site files and up/down (OCS) --------------------------------------------------------------

  /**
   * Applies a site file: the whole file is checked first (syntax, unknown keys, duplicates, unknown
   * hosts and types, refused executables) and on any error nothing changes and the stage fails with
   * every error. Otherwise new nodes are added with their target state, changed ones restarted with
   * their new spec, unchanged ones left alone, and removed ones driven down, then deleted.
   */
  public CompletionStage<ManagerProtocol.SiteApplied> apply(java.nio.file.Path siteFile) {
    io.shepherd.protocol.Site site;
    try {
      site = SiteFile.read(siteFile, settings.config());
    } catch (SiteFile.Invalid e) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument(e.getMessage()));
    }
    return apply(site);
  }

  /** Applies a parsed site file; see {@link #apply(java.nio.file.Path)}. */
  public CompletionStage<ManagerProtocol.SiteApplied> apply(io.shepherd.protocol.Site site) {
    if (site == null) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("a site is required"));
    }
    return call(r -> new ManagerProtocol.ApplySite(site, r), ManagerProtocol.SiteApplied.class, a -> a);
  }

  /**
   * Requests up or down for targets, in order (OCS's {@code update}): a target is a node path, a
   * group path, a host id or {@code all}, and a later request wins, so {@code [(all, up), (x, down)]}
   * leaves every node up but x. A target that names nothing fails the call, and nothing changes.
   * Completes once the requests are recorded; with a message saying what was requested.
   */
  public CompletionStage<String> update(List<ManagerProtocol.TargetState> requests) {
    if (requests == null || requests.isEmpty()) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("no targets given; give node paths, group paths, "
          + "host ids or all"));
    }
    return call(r -> new ManagerProtocol.Update(requests, r), ManagerProtocol.Ok::message);
  }

  /** Requests up (RUNNING) for every target; see {@link #update}. */
  public CompletionStage<String> up(String... targets) {
    return parse(() -> java.util.Arrays.stream(targets).map(t -> new ManagerProtocol.TargetState(t, NodeState.RUNNING)).toList())
        .thenCompose(this::update);
  }

  /** Requests down for every target (STOPPED, or INITIALIZED for a node never started); see {@link #update}. */
  public CompletionStage<String> down(String... targets) {
    return parse(() -> java.util.Arrays.stream(targets).map(t -> new ManagerProtocol.TargetState(t, NodeState.STOPPED)).toList())
        .thenCompose(this::update);
  }

  // ---- logs (the log server) ---------------------------------------------------------------------

  /**
   * Streams the cluster's log records that match {@code filter} to {@code consumer}, in time order:
   * first those the log server still holds from the filter's {@code since}, then each new one.
   * The consumer is called on a thread of the subscription's own, one record at a time.
   *
   * @return the subscription: close it to stop
   */
  public LogSubscription subscribeLogs(io.shepherd.protocol.LogFilter filter, java.util.function.Consumer<io.shepherd.protocol.LogRecord> consumer) {
    if (filter == null || consumer == null) {
      throw new ShepherdException.InvalidArgument("a filter (LogFilter.all() for everything) and a consumer are required");
    }
    CompletableFuture<ActorRef<Object>> subscriber = new CompletableFuture<>();
    system.tell(new ClientGuardian.Spawn<>(io.shepherd.client.internal.LogSubscriber.create(filter, consumer), LOG_DISPATCHER, subscriber));
    ActorRef<Object> ref = subscriber.join();
    return new LogSubscription(() -> system.tell(new ClientGuardian.StopChild(ref)));
  }

  /** The newest records the log server holds that match {@code filter}, at most {@code limit} (1 to 10,000), oldest first. */
  public CompletionStage<io.shepherd.protocol.LogProtocol.Tail> tailLogs(io.shepherd.protocol.LogFilter filter, int limit) {
    if (filter == null) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("a filter is required; LogFilter.all() for everything"));
    }
    if (limit < 1 || limit > io.shepherd.protocol.LogProtocol.QueryTail.MAX_LIMIT) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("a tail has 1 to "
          + io.shepherd.protocol.LogProtocol.QueryTail.MAX_LIMIT + " records, not " + limit));
    }
    Duration timeout = settings.callTimeout();
    return AskPattern.<akka.actor.typed.receptionist.Receptionist.Command, akka.actor.typed.receptionist.Receptionist.Listing>ask(
            system.receptionist(), r -> akka.actor.typed.receptionist.Receptionist.find(io.shepherd.protocol.LogProtocol.SERVICE_KEY, r),
            timeout, system.scheduler())
        .thenCompose(listing -> {
          var servers = listing.getServiceInstances(io.shepherd.protocol.LogProtocol.SERVICE_KEY);
          if (servers.isEmpty()) {
            return CompletableFuture.failedFuture(new ShepherdException.NoManagerReachable("no log server is reachable: it runs "
                + "with the Manager; is a member with role manager running?"));
          }
          return AskPattern.<io.shepherd.protocol.LogProtocol.Command, io.shepherd.protocol.LogProtocol.Tail>ask(servers.iterator().next(),
              r -> new io.shepherd.protocol.LogProtocol.QueryTail(filter, limit, r), timeout, system.scheduler());
        })
        .handle((tail, error) -> {
          if (error != null) {
            throw new CompletionException(mapError(error, "tail of the logs"));
          }
          return tail;
        });
  }

  private static final String LOG_DISPATCHER = "shepherd.client.log-dispatcher";

  // ---- managed nodes (Guardian's NodeManager) ----------------------------------------------------

  /**
   * A {@link NodeManager} over these nodes: set them MANAGED, request states, revive stalled ones,
   * and check their faults.
   *
   * @throws ShepherdException.InvalidArgument if a path is malformed or none is given
   */
  public NodeManager nodeManager(String... paths) {
    List<NodePath> parsed = new java.util.ArrayList<>();
    try {
      for (String path : paths) {
        parsed.add(NodePath.parse(path));
      }
    } catch (IllegalArgumentException e) {
      throw new ShepherdException.InvalidArgument(e.getMessage());
    }
    if (parsed.isEmpty()) {
      throw new ShepherdException.InvalidArgument("a NodeManager needs at least one node path");
    }
    java.util.Queue<io.shepherd.protocol.Fault> queue = NodeManager.newQueue();
    List<java.util.function.Consumer<io.shepherd.protocol.Fault>> subscribers = NodeManager.newSubscribers();
    CompletableFuture<ActorRef<io.shepherd.protocol.Fault>> listener = new CompletableFuture<>();
    system.tell(new ClientGuardian.Spawn<>(io.shepherd.client.internal.FaultListener.create(queue, subscribers), listener));
    return new NodeManager(this, parsed, listener.join(), queue, subscribers);
  }

  CompletionStage<Void> setMode(List<NodePath> paths, Mode mode, ActorRef<io.shepherd.protocol.Fault> faults) {
    return call(r -> new ManagerProtocol.SetMode(paths, mode, clientId, faults, r), ok -> null);
  }

  CompletionStage<Void> revive(List<NodePath> paths) {
    return call(r -> new ManagerProtocol.Revive(paths, r), ok -> null);
  }

  void stopListener(ActorRef<?> listener) {
    system.tell(new ClientGuardian.StopChild(listener));
  }

  // ---- plumbing ---------------------------------------------------------------------------------

  /** The current Manager, waiting up to {@code timeout} for one to appear. */
  private CompletableFuture<ActorRef<ManagerProtocol.Command>> manager(Duration timeout) {
    ActorRef<ManagerProtocol.Command> known = currentManager.get();
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    CompletableFuture<ActorRef<ManagerProtocol.Command>> manager = new CompletableFuture<>();
    system.tell(new ClientGuardian.WhenManager(manager));
    return manager.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS).exceptionallyCompose(e ->
        CompletableFuture.failedFuture(unwrap(e) instanceof TimeoutException
            ? new ShepherdException.NoManagerReachable("no Shepherd Manager reachable within " + timeout.toMillis() + " ms (seeds "
                + settings.seeds() + "); is a member with role manager running, and are the seeds right?")
            : unwrap(e)));
  }

  private <T> CompletionStage<T> call(Function<ActorRef<ManagerProtocol.Reply>, ManagerProtocol.Command> message,
                                      Function<ManagerProtocol.Ok, T> onOk) {
    return call(message, ManagerProtocol.Ok.class, onOk);
  }

  private <R extends ManagerProtocol.Reply, T> CompletionStage<T> call(
      Function<ActorRef<ManagerProtocol.Reply>, ManagerProtocol.Command> message, Class<R> answer, Function<R, T> onOk) {
    java.util.Optional<ShepherdException> tooLarge = checkSize(message.apply(system.ignoreRef()));
    if (tooLarge.isPresent()) {
      return CompletableFuture.failedFuture(tooLarge.get());
    }
    long deadline = System.nanoTime() + settings.callTimeout().toNanos();
    return manager(settings.callTimeout())
        .thenCompose(manager -> {
          CompletableFuture<ManagerProtocol.Reply> reply = new CompletableFuture<>();
          inFlight.add(manager, reply);
          AskPattern.ask(manager, message::apply, Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())),
              system.scheduler()).whenComplete((r, e) -> {
                if (e != null) {
                  reply.completeExceptionally(e);
                } else {
                  reply.complete(r);
                }
              });
          return reply;
        })
        .handle((reply, error) -> {
          if (error != null) {
            throw new CompletionException(mapError(error, "call"));
          }
          if (reply instanceof ManagerProtocol.Failed failed) {
            throw new CompletionException(ShepherdException.of(failed.code(), failed.message()));
          }
          if (!answer.isInstance(reply)) {
            throw new CompletionException(new ShepherdException(ErrorCode.INTERNAL, "unexpected answer " + reply));
          }
          return onOk.apply(answer.cast(reply));
        });
  }

  /**
   * A message larger than Artery's frame would be dropped on its way (and only logged there): the
   * calls that can carry much (site files, specs, input) are measured first and refused instead.
   */
  private java.util.Optional<ShepherdException> checkSize(ManagerProtocol.Command message) {
    if (!(message instanceof ManagerProtocol.ApplySite || message instanceof ManagerProtocol.CreateNode
        || message instanceof ManagerProtocol.SendInput || message instanceof ManagerProtocol.HostCall)) {
      return java.util.Optional.empty();
    }
    long limit = system.settings().config().getBytes("akka.remote.artery.advanced.maximum-frame-size") - 4096;
    akka.serialization.Serialization serialization = akka.serialization.SerializationExtension.get(
        akka.actor.typed.javadsl.Adapter.toClassic(system));
    byte[] bytes = serialization.serialize(message).get();
    if (bytes.length <= limit) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(new ShepherdException.InvalidArgument("the " + message.getClass().getSimpleName() + " call is "
        + bytes.length + " bytes once serialized, larger than the largest message members exchange ("
        + limit + " bytes, akka.remote.artery.advanced.maximum-frame-size); "
        + (message instanceof ManagerProtocol.ApplySite ? "split the site file, or raise the frame size on every member"
            : "make its params or input smaller")));
  }

  private ShepherdException mapError(Throwable error, String what) {
    Throwable cause = unwrap(error);
    if (cause instanceof ShepherdException shepherd) {
      return shepherd;
    }
    if (cause instanceof TimeoutException) {
      return new ShepherdException.Timeout("the Manager did not answer the " + what + " within "
          + settings.callTimeout().toMillis() + " ms; it may have failed over: the call may or may not have taken effect");
    }
    return new ShepherdException(ErrorCode.INTERNAL, what + " failed: " + cause);
  }

  private static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private static <T> CompletableFuture<T> parse(java.util.function.Supplier<T> parser) {
    try {
      return CompletableFuture.completedFuture(parser.get());
    } catch (IllegalArgumentException | NullPointerException e) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument(e.getMessage()));
    }
  }

  /**
   * Removes the groups this client owns (unless persistent), leaves the cluster and stops the
   * client's actor system. Waits at most the call timeout for the removal, then leaves regardless.
   */
  @Override
  public void close() {
    try {
      call(r -> new ManagerProtocol.ClientLeaving(clientId, r), ok -> null).toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      system.log().warn("could not remove this client's groups before leaving: {}; the Manager removes them once it sees "
          + "the client gone", unwrap(e).getMessage());
    } finally {
      terminate();
    }
  }

  private void terminate() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Leaving took too long; the Split Brain Resolver downs what did not leave.
    }
  }
}
