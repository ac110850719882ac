package io.shepherd.client;

import static io.shepherd.client.Calls.parse;

import com.fasterxml.jackson.databind.JavaType;
import io.shepherd.protocol.Api;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;

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
  private static final String NO_TARGETS = "no targets given; give node paths, group paths, host ids or all";

  private final ClientSettings settings;
  private final Http http;
  private final Session session;
  private final List<AutoCloseable> streams = new CopyOnWriteArrayList<>();
  private final EventCalls events;
  private final LogCalls logs;

  private ShepherdClient(ClientSettings settings, Http http) {
    this.settings = settings;
    this.http = http;
    this.session = new Session(http, settings);
    this.events = new EventCalls(http, settings, streams::add);
    this.logs = new LogCalls(http, settings, streams::add);
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
    return Calls.join(session.id(), settings.callTimeout());
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

  /**
   * Registers a node type in a group at run time (pyacq's {@code register_node_type_from_module}):
   * {@code name} then stands for {@code className} in the nodes created in the group. The group's
   * host checks the class first; a class it cannot run is refused with the reason, and nothing is
   * registered. Completes with the Manager's answer.
   */
  public CompletionStage<String> registerNodeType(String group, String name, String className) {
    return parse(() -> GroupPath.parse(group)).thenCompose(g -> http.call("POST", V1 + "/groups/" + g + "/types",
        new Api.RegisterType(name, className), Api.Answer.class)).thenApply(Api.Answer::message);
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
      return Calls.invalid("spec and requested state are required");
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
    return action == null ? Calls.invalid("action is required") : nodeCall(path, action.callName(), null);
  }

  /**
   * Requests a state (Guardian): the node is driven there through the lifecycle. Completes once the
   * request is recorded in desired state; the node arrives later (see {@link #requestAndAwait}).
   */
  public CompletionStage<Void> request(String path, NodeState state) {
    return request(path, state, null);
  }

  /** A request as {@code manager} (a NodeManager's own); null: as this client's principal. */
  CompletionStage<Void> request(String path, NodeState state, String manager) {
    return request(path, state, false, manager).thenApply(n -> null);
  }

  /** Requests a state and completes with the node's status once it has arrived there. */
  public CompletionStage<NodeStatus> requestAndAwait(String path, NodeState state) {
    return request(path, state, true, null);
  }

  private CompletionStage<NodeStatus> request(String path, NodeState state, boolean await, String manager) {
    return state == null ? Calls.invalid("state is required") : nodeCall(path, "request", new Api.RequestState(state, await, manager));
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
    return process == null ? Calls.invalid("a process spec is required") : createNode(path, NodeSpec.process(process), requested);
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
      return Calls.invalid("an input line must be at most " + Api.MAX_INPUT_LINE + " characters");
    }
    return nodeCall(path, "input", new Api.Input(line)).thenApply(n -> null);
  }

  /**
   * The calls to one host: ports ({@code bindTcp}, {@code release}, ...) and the environment of the
   * processes it starts ({@code setEnv}, ...). The id is checked by each call, whose stage fails if
   * it is malformed or names no registered host.
   */
  public HostCalls host(String hostId) {
    return new HostCalls(http, hostId);
  }

  // ---- site files and up/down (OCS) --------------------------------------------------------------

  /**
   * Applies a site file: the whole file is checked first (syntax, unknown keys, duplicates, unknown
   * hosts and types, refused executables) and on any error nothing changes and the stage fails with
   * every error. Otherwise new nodes are added with their target state, changed ones restarted with
   * their new spec, unchanged ones left alone, and removed ones driven down, then deleted.
   */
  public CompletionStage<ManagerProtocol.SiteApplied> apply(Path siteFile) {
    return SiteFiles.read(siteFile).thenCompose(text -> apply(text, siteFile.toString(), false));
  }

  /** What applying a site file would do, checked as {@link #apply} checks it; nothing changes. */
  public CompletionStage<ManagerProtocol.SiteApplied> dryRun(Path siteFile) {
    return SiteFiles.read(siteFile).thenCompose(text -> apply(text, siteFile.toString(), true));
  }

  /** Applies (or with {@code dryRun}, plans) the text of a site file named {@code source} in messages. */
  public CompletionStage<ManagerProtocol.SiteApplied> apply(String text, String source, boolean dryRun) {
    return SiteFiles.apply(http, settings.callTimeout(), text, source, dryRun);
  }

  /**
   * Requests up or down for targets, in order (OCS's {@code update}): a target is a node path, a
   * group path, a host id, a node name unique in the cluster (OCS's instance id) or {@code all},
   * and a later request wins, so {@code [(all, up), (x, down)]} leaves every node up but x. A
   * target that names nothing fails the call, and nothing changes. Completes once the requests are
   * recorded; with a message saying what was requested.
   */
  public CompletionStage<String> update(List<ManagerProtocol.TargetState> requests) {
    if (requests == null || requests.isEmpty()) {
      return Calls.invalid(NO_TARGETS);
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
        .thenCompose(list -> list.isEmpty() ? Calls.invalid(NO_TARGETS)
            : http.call("POST", V1 + call, new Api.Targets(list), Api.Answer.class))
        .thenApply(Api.Answer::message);
  }

  // ---- events and logs ---------------------------------------------------------------------------

  /** The cluster's events: {@code subscribe(...)} streams them, {@code recent(...)} reads them for callers that poll. */
  public EventCalls events() {
    return events;
  }

  /** The cluster's log records: {@code subscribe(...)} streams them in time order, {@code tail(...)} reads the newest. */
  public LogCalls logs() {
    return logs;
  }

  // ---- managed nodes (Guardian's NodeManager) ----------------------------------------------------

  /**
   * A {@link NodeManager} over these nodes: set them MANAGED, request states, revive stalled ones,
   * and check their faults. Its fault stream is connected when this returns.
   *
   * @throws ShepherdException.InvalidArgument if a path is malformed or none is given
   */
  public NodeManager nodeManager(String... paths) {
    List<NodePath> parsed;
    try {
      parsed = Arrays.stream(paths).map(NodePath::parse).toList();
    } catch (IllegalArgumentException e) {
      throw new ShepherdException.InvalidArgument(e.getMessage());
    }
    if (parsed.isEmpty()) {
      throw new ShepherdException.InvalidArgument("a NodeManager needs at least one node path");
    }
    NodeManager manager = new NodeManager(this, http, parsed, clientId());
    manager.attach(events.faults(manager::onEvent));
    return manager;
  }

  /**
   * Sets the mode of nodes, all or none, with {@code manager} (a name, e.g. an operator's) as the
   * manager of MANAGED nodes: they stay MANAGED until set AUTO, whatever becomes of this client. For
   * a client's own managed nodes, use {@link #nodeManager}.
   */
  public CompletionStage<String> setMode(List<String> paths, Mode mode, String manager) {
    if (paths == null || paths.isEmpty() || mode == null) {
      return Calls.invalid("give node paths and a mode");
    }
    return parse(() -> paths.stream().map(p -> NodePath.parse(p).toString()).toList())
        .thenCompose(checked -> http.call("POST", V1 + "/mode", new Api.SetMode(checked, mode, manager), Api.Answer.class))
        .thenApply(Api.Answer::message);
  }

  void forget(AutoCloseable stream) {
    streams.remove(stream);
  }

  // ---- plumbing ---------------------------------------------------------------------------------

  private <T> JavaType listOf(Class<T> type) {
    return http.json().getTypeFactory().constructCollectionType(List.class, type);
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
