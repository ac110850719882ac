package io.shepherd.client;

import io.shepherd.protocol.Api;
import io.shepherd.protocol.Event;
import io.shepherd.protocol.Fault;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A set of nodes a client manages (LIGO Guardian's NodeManager). After {@link #setManaged()},
 * this client is recorded as their manager: a node that crashes holds where it landed (stalled)
 * instead of being restarted, and every fault of these nodes comes to this object: node errors,
 * the loss of a node's host, notifications raised by nodes, and mode changes (another client took a
 * node over, or set it AUTO), and requests of their state by anyone else (another client, a site
 * file, a host's {@code --initial-state}). Its own requests go as their manager's: once another
 * client has taken a node over, they are refused until it takes the node back with
 * {@link #setManaged()}. {@link #check()} returns them; {@link #subscribe} pushes them;
 * {@link #check(NodeState)} also acts on them, as Guardian's {@code checker(fail_return=...)}.
 * The faults arrive as {@value Event#FAULT} events of the API, for this client's session.
 *
 * <p>If the client closes, or its session's lease lapses, its managed nodes return to AUTO.
 * Thread-safe. Close it to stop receiving faults (the nodes stay as they are).
 */
public final class NodeManager implements AutoCloseable {

  /**
   * What a check found and did: the faults since the last check, oldest first, the state it then
   * requested of the nodes of the set (null when it found no fault, or was not told to act), and
   * why a node refused it, by path (one another manager took over refuses this one).
   */
  public record Checked(List<Fault> faults, NodeState requested, Map<NodePath, String> refused) {
    public Checked {
      faults = List.copyOf(faults);
      refused = Map.copyOf(refused);
    }

    /** True if the check acted on faults (Guardian's jump). */
    public boolean jumped() {
      return requested != null;
    }
  }

  private final ShepherdClient client;
  private final Http http;
  private final List<NodePath> paths;
  private final String manager;
  private final Queue<Fault> faults = new ConcurrentLinkedQueue<>();
  private final List<Consumer<Fault>> subscribers = new CopyOnWriteArrayList<>();
  private EventSubscription stream;

  NodeManager(ShepherdClient client, Http http, List<NodePath> paths, String manager) {
    this.client = client;
    this.http = http;
    this.paths = List.copyOf(paths);
    this.manager = manager;
  }

  void attach(EventSubscription events) {
    this.stream = events;
  }

  /** A fault event for this client and one of these nodes becomes a fault. */
  void onEvent(Event event) {
    if (!Event.FAULT.equals(event.type()) || !manager.equals(event.manager())) {
      return;
    }
    Fault fault = event.fault();
    if (fault == null || !paths.contains(fault.path())) {
      return;
    }
    faults.add(fault);
    subscribers.forEach(s -> s.accept(fault));
  }

  /** The managed nodes. */
  public List<NodePath> paths() {
    return paths;
  }

  /** Takes every node of the set in MANAGED mode, with this client as manager. */
  public CompletionStage<Void> setManaged() {
    return setMode(Mode.MANAGED);
  }

  /** Returns every node of the set to AUTO mode. */
  public CompletionStage<Void> setAuto() {
    return setMode(Mode.AUTO);
  }

  /** Requests a state of one node of the set (a new request also revives it if stalled). */
  public CompletionStage<Void> request(String path, NodeState state) {
    return member(path).thenCompose(p -> client.request(p.toString(), state, manager));
  }

  /** Requests a state of every node of the set. */
  public CompletionStage<Void> requestAll(NodeState state) {
    return CompletableFuture.allOf(paths.stream().map(p -> client.request(p.toString(), state, manager).toCompletableFuture())
        .toArray(CompletableFuture[]::new));
  }

  /** True if every node of the set is in its requested state. */
  public CompletionStage<Boolean> arrived() {
    return statuses().thenApply(list -> list.size() == paths.size() && list.stream().allMatch(NodeStatus::arrived));
  }

  /** The nodes of the set that crashed and hold, stalled, waiting for a request or a revive. */
  public CompletionStage<List<NodePath>> stalledNodes() {
    return statuses().thenApply(list -> list.stream().filter(NodeStatus::stalled).map(NodeStatus::path).toList());
  }

  /** The status of every node of the set. */
  public CompletionStage<List<NodeStatus>> statuses() {
    return client.status().thenApply(status -> status.nodes().stream().filter(n -> paths.contains(n.path())).toList());
  }

  /** Re-requests the last requested state of these nodes of the set: stalled ones start again. */
  public CompletionStage<Void> revive(String... nodes) {
    List<NodePath> chosen = new ArrayList<>();
    for (String node : nodes) {
      try {
        NodePath path = NodePath.parse(node);
        if (!paths.contains(path)) {
          return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument(path + " is not managed by this NodeManager"));
        }
        chosen.add(path);
      } catch (IllegalArgumentException e) {
        return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument(e.getMessage()));
      }
    }
    return revive(chosen);
  }

  /** Revives every stalled node of the set. */
  public CompletionStage<Void> reviveStalled() {
    return stalledNodes().thenCompose(this::revive);
  }

  /** The faults of these nodes since the last check, oldest first (Guardian's node checker). */
  public List<Fault> check() {
    List<Fault> drained = new ArrayList<>();
    for (Fault fault = faults.poll(); fault != null; fault = faults.poll()) {
      drained.add(fault);
    }
    return drained;
  }

  /**
   * Guardian's {@code checker(fail_return=STATE)}: the faults since the last check, as {@link
   * #check()}, and if there is any, {@code failReturn} requested of every node of the set (the
   * jump): once for these faults, since a check takes them. Completes once every node has
   * answered; the answer says what was found and done, and which nodes refused.
   */
  public CompletionStage<Checked> check(NodeState failReturn) {
    if (failReturn == null) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("a fail_return state is needed; check() only reports"));
    }
    List<Fault> found = check();
    if (found.isEmpty()) {
      return CompletableFuture.completedFuture(new Checked(found, null, Map.of()));
    }
    Map<NodePath, String> refused = new ConcurrentHashMap<>();
    return CompletableFuture.allOf(paths.stream().map(p -> client.request(p.toString(), failReturn, manager).toCompletableFuture()
            .exceptionally(e -> {
              refused.put(p, (e instanceof CompletionException && e.getCause() != null ? e.getCause() : e).getMessage());
              return null;
            }))
        .toArray(CompletableFuture[]::new)).thenApply(done -> new Checked(found, failReturn, refused));
  }

  /**
   * Pushes every future fault to {@code subscriber}, on the event stream's thread: it must not
   * block for long. The faults are also kept for {@link #check()}.
   */
  public void subscribe(Consumer<Fault> subscriber) {
    subscribers.add(subscriber);
  }

  public void unsubscribe(Consumer<Fault> subscriber) {
    subscribers.remove(subscriber);
  }

  private CompletionStage<Void> setMode(Mode mode) {
    return http.call("POST", Api.PREFIX + "/mode", new Api.SetMode(paths.stream().map(NodePath::toString).toList(), mode,
        mode == Mode.MANAGED ? manager : null), Api.Answer.class).thenApply(a -> null);
  }

  private CompletionStage<Void> revive(List<NodePath> chosen) {
    if (chosen.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return http.call("POST", Api.PREFIX + "/revive", new Api.Paths(chosen.stream().map(NodePath::toString).toList()), Api.Answer.class)
        .thenApply(a -> null);
  }

  private CompletableFuture<NodePath> member(String path) {
    try {
      NodePath parsed = NodePath.parse(path);
      return paths.contains(parsed) ? CompletableFuture.completedFuture(parsed)
          : CompletableFuture.failedFuture(new ShepherdException.InvalidArgument(parsed + " is not managed by this NodeManager"));
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument(e.getMessage()));
    }
  }

  /** Stops receiving faults; the nodes keep their mode. */
  @Override
  public void close() {
    if (stream != null) {
      stream.close();
      client.forget(stream);
    }
  }
}
