package io.shepherd.client;

import com.fasterxml.jackson.databind.JavaType;
import io.shepherd.protocol.Api;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.Event;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.HostRequest;
import io.shepherd.protocol.LifecycleAction;
import io.shepherd.protocol.LogFilter;
import io.shepherd.protocol.LogProtocol;
import io.shepherd.protocol.LogRecord;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.Names;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import io.shepherd.protocol.ProcessSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The Java API of Shepherd for acquisition applications, over the HTTP API of the cluster's
 * manager members (tried in turn). The client never joins the cluster: it costs the cluster
 * nothing to come and go, and can never sway a downing decision.
 *
 * <p>Every call returns a {@link CompletionStage} that completes within the client's call
 * timeout: with the result, or exceptionally with a {@link ShepherdException} subclass saying what
 * was wrong (a malformed argument fails the stage, it is never thrown). During a Manager failover a
 * call waits for the new Manager within its timeout, then fails with
 * {@link ShepherdException.NoManagerReachable}; it never hangs.
 *
 * <p>The groups the client creates belong to its session, a lease it renews in the background: they
 * are removed when it closes, or once its lease lapses if it dies or loses the network (pyacq:
 * closing the Manager closes its NodeGroups), unless created persistent. Thread-safe.
 *
 * <pre>{@code
 * try (ShepherdClient shepherd = ShepherdClient.connect(ClientSettings.create().withApi("https://10.0.0.11:8551"))) {
 *   shepherd.createGroup("daq1/acq").toCompletableFuture().join();
 *   shepherd.createNode("daq1/acq/sine", "sine", Map.of("frequency", "5")).toCompletableFuture().join();
 *   shepherd.requestAndAwait("daq1/acq/sine", NodeState.RUNNING).toCompletableFuture().join();
 * }
 * }</pre>
 */
public final class ShepherdClient implements AutoCloseable {

  private static final String V1 = Api.PREFIX;

  private final ClientSettings settings;
  private final Http http;
  private final Session session;
  private final List<AutoCloseable> streams = new CopyOnWriteArrayList<>();

  private ShepherdClient(ClientSettings settings, Http http) {
    this.settings = settings;
    this.http = http;
    this.session = new Session(http, settings);
  }

  /**
   * Connects to the API and waits until a Manager answers.
   *
   * @throws ShepherdException.NoManagerReachable if none answers within the connect timeout
   * @throws ShepherdException.InvalidArgument if the settings are unusable (no certificates for https)
   * @throws ShepherdException.Unauthorized if the API refuses the credentials
   */
  public static ShepherdClient connect(ClientSettings settings) {
    ShepherdClient client = open(settings);
    try {
      client.http.send("GET", V1 + "/manager", null, "application/json", settings.connectTimeout()).get();
      return client;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      client.terminate();
      throw new ShepherdException.NoManagerReachable("interrupted while connecting");
    } catch (ExecutionException e) {
      client.terminate();
      throw Http.unwrap(e) instanceof ShepherdException s ? s : new ShepherdException(ErrorCode.INTERNAL, Http.unwrap(e).toString());
    }
  }

  /**
   * A client that has not checked that a Manager answers: its first call does (the CLI, whose one
   * call should not wait twice).
   */
  public static ShepherdClient open(ClientSettings settings) {
    if (settings == null) {
      throw new ShepherdException.InvalidArgument("settings are required: ClientSettings.create()");
    }
    try {
      return new ShepherdClient(settings, new Http(settings.api(), settings.usesTls()
          ? Tls.context(settings.tlsDir(), settings.token() == null) : null,
          settings.token(), settings.connectTimeout(), settings.callTimeout()));
    } catch (IllegalArgumentException e) {
      throw new ShepherdException.InvalidArgument(e.getMessage());
    }
  }

  /**
   * This client's id: its session, the owner recorded on the groups it creates and the manager of
   * the nodes it takes in MANAGED mode. Opens the session if it is not open yet (waiting up to the
   * call timeout).
   */
  public String clientId() {
    return join(session.id());
  }

  public ClientSettings settings() {
    return settings;
  }

  // ---- status -----------------------------------------------------------------------------------

  /** A snapshot of the whole cluster: Manager, members, hosts, groups and nodes. */
  public CompletionStage<ClusterStatus> status() {
    return http.call("GET", V1 + "/status", null, ClusterStatus.class);
  }

  /** The status as the API's own JSON text: what {@code GET /api/v1/status} answers. */
  public CompletionStage<String> statusJson() {
    return http.send("GET", V1 + "/status", null, "application/json", settings.callTimeout())
        .thenApply(body -> new String(body, StandardCharsets.UTF_8));
  }

  /** The registered hosts. */
  public CompletionStage<List<ClusterStatus.Host>> hosts() {
    return http.call("GET", V1 + "/hosts", null, listOf(ClusterStatus.Host.class));
  }

  /** The status of one node. */
  public CompletionStage<NodeStatus> nodeStatus(String path) {
    return parse(() -> NodePath.parse(path)).thenCompose(p -> http.call("GET", V1 + "/nodes/" + p, null, NodeStatus.class));
  }

  // ---- groups -----------------------------------------------------------------------------------

  /** Creates a NodeGroup owned by this client: {@code host/group}, or {@code any/group} to let Shepherd place it. */
  public CompletionStage<GroupPath> createGroup(String path) {
    return createGroup(path, false);
  }

  /**
   * Creates a NodeGroup.
   *
   * @param persistent if true, the group outlives this client; otherwise it is removed when the client closes or its lease lapses
   */
  public CompletionStage<GroupPath> createGroup(String path, boolean persistent) {
    return parse(() -> GroupPath.parse(path)).thenCompose(p -> (persistent ? CompletableFuture.<String>completedFuture(null) : session.id())
        .thenCompose(owner -> http.call("POST", V1 + "/groups", new Api.CreateGroup(p.toString(), persistent, owner), Api.Answer.class))
        .thenApply(answer -> p));
  }

  /** Removes a NodeGroup with all its nodes (each is stopped and closed first). */
  public CompletionStage<Void> removeGroup(String path) {
    return parse(() -> GroupPath.parse(path)).thenCompose(p -> http.call("DELETE", V1 + "/groups/" + p, null, Void.class));
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
    return parse(() -> NodePath.parse(path)).thenCompose(p -> http.call("POST", V1 + "/nodes",
        new Api.CreateNode(p.toString(), spec, requested), Api.Answer.class)).thenApply(Api.Answer::node);
  }

  /** Creates a node in MANAGED or AUTO mode. */
  public CompletionStage<NodeStatus> createNode(String path, String type, Map<String, String> params, Mode mode) {
    return parse(() -> NodeSpec.of(type, params).withMode(mode)).thenCompose(spec -> createNode(path, spec, NodeState.CREATED));
  }

  /** Stops, closes and removes a node. */
  public CompletionStage<Void> removeNode(String path) {
    return parse(() -> NodePath.parse(path)).thenCompose(p -> http.call("DELETE", V1 + "/nodes/" + p, null, Void.class));
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
    return nodeCall(path, action.callName(), null);
  }

  /**
   * Requests a state (Guardian): the node is driven there through the lifecycle. Completes once the
   * request is recorded in desired state; the node arrives later (see {@link #requestAndAwait}).
   */
  public CompletionStage<Void> request(String path, NodeState state) {
    if (state == null) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("state is required"));
    }
    return nodeCall(path, "request", new Api.RequestState(state, false)).thenApply(n -> null);
  }

  /** Requests a state and completes with the node's status once it has arrived there. */
  public CompletionStage<NodeStatus> requestAndAwait(String path, NodeState state) {
    if (state == null) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("state is required"));
    }
    return nodeCall(path, "request", new Api.RequestState(state, true));
  }

  private CompletionStage<NodeStatus> nodeCall(String path, String call, Object body) {
    return parse(() -> NodePath.parse(path)).thenCompose(p -> http.call("POST", V1 + "/nodes/" + p + "/" + call, body, Api.Answer.class))
        .thenApply(Api.Answer::node);
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
    return nodeCall(path, "kill", null);
  }

  /** Removes a node that does not run (the Architect's purge); a running one is refused, and stays. */
  public CompletionStage<Void> purge(String path) {
    return nodeCall(path, "purge", null).thenApply(n -> null);
  }

  /** Writes a line to the stdin of a process node created with stdin on. */
  public CompletionStage<Void> sendInput(String path, String line) {
    if (line == null || line.length() > Api.MAX_INPUT_LINE) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("an input line must be at most " + Api.MAX_INPUT_LINE
          + " characters"));
    }
    return nodeCall(path, "input", new Api.Input(line)).thenApply(n -> null);
  }

  /** Reserves {@code count} free TCP ports on a host until released. */
  public CompletionStage<List<Integer>> bindTcp(String hostId, int count) {
    return hostCall(hostId, "POST", "/ports", () -> new HostRequest.BindPorts(false, count), new Api.BindPorts("tcp", count))
        .thenApply(Api.HostAnswer::ports);
  }

  /** Reserves {@code count} free UDP ports on a host until released. */
  public CompletionStage<List<Integer>> bindUdp(String hostId, int count) {
    return hostCall(hostId, "POST", "/ports", () -> new HostRequest.BindPorts(true, count), new Api.BindPorts("udp", count))
        .thenApply(Api.HostAnswer::ports);
  }

  /** Releases ports reserved with {@link #bindTcp} ({@code udp} false) or {@link #bindUdp}; completes with those released. */
  public CompletionStage<List<Integer>> release(String hostId, boolean udp, List<Integer> ports) {
    return hostCall(hostId, "POST", "/ports/release", () -> new HostRequest.ReleasePorts(udp, ports),
        new Api.ReleasePorts(udp ? "udp" : "tcp", ports)).thenApply(Api.HostAnswer::ports);
  }

  /** The ports reserved on a host ({@code udp} false: TCP), in ascending order: by clients, and the named ports of its nodes. */
  public CompletionStage<List<Integer>> reservedPorts(String hostId, boolean udp) {
    return hostCall(hostId, "GET", "/ports?protocol=" + (udp ? "udp" : "tcp"), () -> new HostRequest.ListPorts(udp), null)
        .thenApply(Api.HostAnswer::ports);
  }

  /** The value a host sets for an environment variable of the processes it starts, if it sets one. */
  public CompletionStage<Optional<String>> getEnv(String hostId, String name) {
    if (name == null) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("a variable name is required"));
    }
    return environment(hostId).thenCompose(env -> parse(() -> new HostRequest.GetEnv(name)).thenApply(r -> Optional.ofNullable(env.get(name))));
  }

  /** Every variable a host sets for the processes it starts. */
  public CompletionStage<Map<String, String>> environment(String hostId) {
    return hostCall(hostId, "GET", "/env", () -> new HostRequest.GetEnv(null), null).thenApply(Api.HostAnswer::env);
  }

  /** Sets ({@code value} null: removes) a variable for the processes a host starts from now on. */
  public CompletionStage<Void> setEnv(String hostId, String name, String value) {
    return parse(() -> new HostRequest.SetEnv(name, value)).thenCompose(checked -> value == null
        ? hostCall(hostId, "DELETE", "/env/" + name, () -> checked, null)
        : hostCall(hostId, "PUT", "/env/" + name, () -> checked, new Api.EnvValue(value))).thenApply(a -> null);
  }

  private CompletionStage<Api.HostAnswer> hostCall(String hostId, String method, String path, Supplier<HostRequest> check, Object body) {
    return parse(() -> Names.checkHostId(hostId)).thenCompose(id -> parse(check))
        .thenCompose(checked -> http.call(method, V1 + "/hosts/" + hostId + path, body, Api.HostAnswer.class));
  }

  // ---- site files and up/down (OCS) --------------------------------------------------------------

  /**
   * Applies a site file: the whole file is checked first (syntax, unknown keys, duplicates, unknown
   * hosts and types, refused executables) and on any error nothing changes and the stage fails with
   * every error. Otherwise new nodes are added with their target state, changed ones restarted with
   * their new spec, unchanged ones left alone, and removed ones driven down, then deleted.
   */
  public CompletionStage<ManagerProtocol.SiteApplied> apply(Path siteFile) {
    return site(siteFile, false);
  }

  /** What applying a site file would do, checked as {@link #apply} checks it; nothing changes. */
  public CompletionStage<ManagerProtocol.SiteApplied> dryRun(Path siteFile) {
    return site(siteFile, true);
  }

  /** Applies (or with {@code dryRun}, plans) the text of a site file named {@code source} in messages. */
  public CompletionStage<ManagerProtocol.SiteApplied> apply(String text, String source, boolean dryRun) {
    if (text == null || source == null) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("a site file's text and name are required"));
    }
    String query = "?source=" + URLEncoder.encode(source, StandardCharsets.UTF_8) + (dryRun ? "&dry-run=true" : "");
    return http.send("POST", V1 + "/site" + query, text.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8",
            settings.callTimeout())
        .thenApply(body -> read(body, Api.SitePlan.class))
        .thenApply(plan -> new ManagerProtocol.SiteApplied(plan.added(), plan.changed(), plan.removed(), plan.unchanged()));
  }

  private CompletionStage<ManagerProtocol.SiteApplied> site(Path file, boolean dryRun) {
    if (file == null) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("a site file is required"));
    }
    String text;
    try {
      if (Files.isDirectory(file)) {
        throw new ShepherdException.InvalidArgument("site file " + file + " is a directory, not a site file");
      }
      if (!Files.isRegularFile(file)) {
        throw new ShepherdException.InvalidArgument("site file " + file + ": no such file");
      }
      text = Files.readString(file);
    } catch (CharacterCodingException | UncheckedIOException e) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("site file " + file + " is not a UTF-8 text file; "
          + "a site file is HOCON text"));
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("site file " + file + " cannot be read: "
          + e.getMessage()));
    } catch (ShepherdException e) {
      return CompletableFuture.failedFuture(e);
    }
    return apply(text, file.toString(), dryRun);
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
    return http.call("POST", V1 + "/update", new Api.Update(requests), Api.Answer.class).thenApply(Api.Answer::message);
  }

  /** Requests up (RUNNING) for every target; see {@link #update}. */
  public CompletionStage<String> up(String... targets) {
    return targets("/up", targets);
  }

  /** Requests down for every target (STOPPED, or INITIALIZED for a node never started); see {@link #update}. */
  public CompletionStage<String> down(String... targets) {
    return targets("/down", targets);
  }

  /**
   * Restarts the nodes of targets (same forms as {@link #up}): every one down, then up once all are
   * down. Completes once they all run again, with a message saying how many.
   */
  public CompletionStage<String> restart(String... targets) {
    return targets("/restart", targets);
  }

  private CompletionStage<String> targets(String call, String... targets) {
    return parse(() -> Arrays.stream(targets).map(t -> new ManagerProtocol.TargetState(t, NodeState.RUNNING).target()).toList())
        .thenCompose(list -> list.isEmpty() ? CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("no targets given; "
            + "give node paths, group paths, host ids or all")) : http.call("POST", V1 + call, new Api.Targets(list), Api.Answer.class))
        .thenApply(Api.Answer::message);
  }

  // ---- events and logs ---------------------------------------------------------------------------

  /**
   * Streams the cluster's events to {@code consumer}, from now on, on a thread of the
   * subscription's own: node state changes, crashes, stalls, notifications, modes, hosts, members,
   * groups, Manager epochs, faults of managed nodes. Returns once the stream is connected (within
   * the call timeout). Across a reconnection it resumes where it left off; a {@value Event#RESYNC}
   * event says events were missed (a Manager failover): read the status again.
   *
   * @param types the event types wanted (see {@link Event}), or null for all
   * @param node a glob over node paths ({@code daq1/acq/*}, {@code **}/recorder), or null for all
   */
  public EventSubscription subscribeEvents(Set<String> types, String node, Consumer<Event> consumer) {
    if (consumer == null) {
      throw new ShepherdException.InvalidArgument("a consumer is required");
    }
    try {
      if (types != null) {
        Event.parseTypes(String.join(",", types));
      }
      if (node != null) {
        new LogFilter(node, null, null);
      }
    } catch (IllegalArgumentException e) {
      throw new ShepherdException.InvalidArgument(e.getMessage());
    }
    String query = query(Map.of("types", types == null ? "" : String.join(",", types), "node", node == null ? "" : node));
    EventSubscription subscription = new EventSubscription(http, V1 + "/events" + query, consumer);
    streams.add(subscription);
    subscription.awaitConnected(settings.callTimeout());
    return subscription;
  }

  /** Every event; see {@link #subscribeEvents(Set, String, Consumer)}. */
  public EventSubscription subscribeEvents(Consumer<Event> consumer) {
    return subscribeEvents(null, null, consumer);
  }

  /** The events after {@code afterId} (null: every one the API member keeps), for callers that poll. */
  public CompletionStage<Api.RecentEvents> recentEvents(String afterId, int limit) {
    return http.call("GET", V1 + "/events/recent" + query(Map.of("after", afterId == null ? "" : afterId, "limit",
        Integer.toString(limit))), null, Api.RecentEvents.class);
  }

  /**
   * Streams the cluster's log records that match {@code filter} to {@code consumer}, in time order:
   * first those the log server still holds from the filter's {@code since}, then each new one. The
   * consumer is called on a thread of the subscription's own, one record at a time, each record
   * once, across a reconnection and a Manager failover too. Returns once the stream is connected
   * (within the call timeout): every record from then on arrives.
   *
   * @return the subscription: close it to stop
   */
  public LogSubscription subscribeLogs(LogFilter filter, Consumer<LogRecord> consumer) {
    return subscribeLogs(filter, consumer, null, null);
  }

  /**
   * Like {@link #subscribeLogs(LogFilter, Consumer)}; {@code onFailed} hears once the subscription
   * gives up: the API refused it, or no log server answered for {@code giveUpAfter} (null: never give up).
   */
  public LogSubscription subscribeLogs(LogFilter filter, Consumer<LogRecord> consumer, Duration giveUpAfter,
                                       Consumer<ShepherdException> onFailed) {
    if (filter == null || consumer == null) {
      throw new ShepherdException.InvalidArgument("a filter (LogFilter.all() for everything) and a consumer are required");
    }
    LogSubscription subscription = new LogSubscription(http, filter, consumer, giveUpAfter, onFailed);
    streams.add(subscription);
    subscription.awaitConnected(settings.callTimeout());
    return subscription;
  }

  /** The newest records the log server holds that match {@code filter}, at most {@code limit} (1 to 10,000), oldest first. */
  public CompletionStage<LogProtocol.Tail> tailLogs(LogFilter filter, int limit) {
    if (filter == null) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("a filter is required; LogFilter.all() for everything"));
    }
    if (limit < 1 || limit > LogProtocol.QueryTail.MAX_LIMIT) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("a tail has 1 to "
          + LogProtocol.QueryTail.MAX_LIMIT + " records, not " + limit));
    }
    return http.call("GET", V1 + "/logs" + LogSubscription.query(filter, filter.sinceMicros()) + "&limit=" + limit, null,
        LogProtocol.Tail.class);
  }

  // ---- managed nodes (Guardian's NodeManager) ----------------------------------------------------

  /**
   * A {@link NodeManager} over these nodes: set them MANAGED, request states, revive stalled ones,
   * and check their faults. Its fault stream is connected when this returns.
   *
   * @throws ShepherdException.InvalidArgument if a path is malformed or none is given
   */
  public NodeManager nodeManager(String... paths) {
    List<NodePath> parsed = new ArrayList<>();
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
    String id = clientId();
    NodeManager manager = new NodeManager(this, parsed, id);
    EventSubscription faults = new EventSubscription(http, V1 + "/events?types=" + Event.FAULT, manager::onEvent);
    manager.attach(faults);
    streams.add(faults);
    faults.awaitConnected(settings.callTimeout());
    return manager;
  }

  /**
   * Sets the mode of nodes, all or none, with {@code manager} (a name, e.g. an operator's) as the
   * manager of MANAGED nodes: they stay MANAGED until set AUTO, whatever becomes of this client. For
   * a client's own managed nodes, use {@link #nodeManager}.
   */
  public CompletionStage<String> setMode(List<String> paths, Mode mode, String manager) {
    if (paths == null || paths.isEmpty() || mode == null) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("give node paths and a mode"));
    }
    return parse(() -> paths.stream().map(p -> NodePath.parse(p).toString()).toList())
        .thenCompose(checked -> http.call("POST", V1 + "/mode", new Api.SetMode(checked, mode, manager), Api.Answer.class))
        .thenApply(Api.Answer::message);
  }

  CompletionStage<Void> setMode(List<NodePath> paths, Mode mode) {
    return (mode == Mode.MANAGED ? session.id() : CompletableFuture.completedFuture((String) null))
        .thenCompose(id -> http.call("POST", V1 + "/mode", new Api.SetMode(paths.stream().map(NodePath::toString).toList(), mode, id),
            Api.Answer.class))
        .thenApply(a -> null);
  }

  CompletionStage<Void> revive(List<NodePath> paths) {
    if (paths.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return http.call("POST", V1 + "/revive", new Api.Paths(paths.stream().map(NodePath::toString).toList()), Api.Answer.class)
        .thenApply(a -> null);
  }

  void forget(AutoCloseable stream) {
    streams.remove(stream);
  }

  // ---- plumbing ---------------------------------------------------------------------------------

  private <T> JavaType listOf(Class<T> type) {
    return http.json().getTypeFactory().constructCollectionType(List.class, type);
  }

  private <T> T read(byte[] body, Class<T> type) {
    try {
      return http.json().readValue(body, type);
    } catch (IOException e) {
      throw new CompletionException(new ShepherdException(ErrorCode.INTERNAL, "cannot read the API's answer: " + e.getMessage()));
    }
  }

  /** A query string of the parameters that are not empty. */
  static String query(Map<String, String> params) {
    String query = new TreeMap<>(params).entrySet().stream().filter(e -> !e.getValue().isEmpty())
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    return query.isEmpty() ? "" : "?" + query;
  }

  private <T> T join(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(settings.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ShepherdException.Timeout("interrupted");
    } catch (ExecutionException e) {
      throw Http.unwrap(e) instanceof ShepherdException s ? s : new ShepherdException(ErrorCode.INTERNAL, Http.unwrap(e).toString());
    } catch (TimeoutException e) {
      throw new ShepherdException.Timeout("no answer within " + settings.callTimeout().toMillis() + " ms");
    }
  }

  private static <T> CompletableFuture<T> parse(Supplier<T> parser) {
    try {
      return CompletableFuture.completedFuture(parser.get());
    } catch (IllegalArgumentException | NullPointerException e) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument(String.valueOf(e.getMessage())));
    }
  }

  /**
   * Closes the client's streams, and its session: the groups it owns (unless persistent) are
   * removed and the nodes it manages return to AUTO. Waits at most the call timeout for that; if
   * the API cannot be reached, the session's lease lapses by itself.
   */
  @Override
  public void close() {
    if (!session.stop()) {
      return;
    }
    for (AutoCloseable stream : streams) {
      try {
        stream.close();
      } catch (Exception e) {
        // closing anyway
      }
    }
    session.end();
    terminate();
  }

  private void terminate() {
    session.release();
    http.close();
  }
}
