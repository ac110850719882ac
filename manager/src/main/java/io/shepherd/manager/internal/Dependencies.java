package io.shepherd.manager.internal;

import io.shepherd.protocol.DependencyFailure;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Start order and stop order across hosts ({@code depends-on}): what each node's host is asked for
 * while its dependencies are not up, or its dependents not down. A node requested RUNNING is held
 * below RUNNING (INITIALIZED, or STOPPED once it has run) until every dependency is RUNNING — and
 * so ready, for a node with a readiness check is STARTING until then; a RUNNING node requested
 * down is held RUNNING until every dependent that is going down too has stopped. Once RUNNING, a
 * node follows its {@code on-dependency-failure} policy when a dependency fails: keep, stop (held
 * down until it is back) or restart (once it runs again as a new incarnation). Holds are the
 * Manager's alone, recomputed from desired and observed state whenever either changes; desired
 * state keeps the requested state. Runs only inside the Manager's message handling.
 */
public final class Dependencies {

  private final Registry registry;
  private final HostLink link;
  /** For each RESTART dependent: the incarnation of each dependency it last ran with. */
  private final Map<NodePath, Map<NodePath, Integer>> ranWith = new HashMap<>();
  /** RESTART dependents held down until they have stopped, then let up again. */
  private final Set<NodePath> restarting = new HashSet<>();

  public Dependencies(Registry registry, HostLink link) {
    this.registry = registry;
    this.link = link;
  }

  // ---- the graph --------------------------------------------------------------------------------

  /** A node left desired state: what was noted of it goes. */
  public void forget(NodePath path) {
    ranWith.remove(path);
    restarting.remove(path);
  }

  private Set<NodePath> dependentsOf(NodePath path) {
    return registry.dependentsOf(path);
  }

  /** Every node that depends on one of {@code paths}, directly or through others, not {@code paths} themselves. */
  public Set<NodePath> transitiveDependents(Collection<NodePath> paths) {
    Set<NodePath> found = new TreeSet<>();
    Deque<NodePath> queue = new ArrayDeque<>(paths);
    while (!queue.isEmpty()) {
      for (NodePath dependent : dependentsOf(queue.poll())) {
        if (!paths.contains(dependent) && found.add(dependent)) {
          queue.add(dependent);
        }
      }
    }
    return found;
  }

  /** {@code paths} ordered so that every node comes after the nodes of {@code paths} that depend on it: the order to stop them in. */
  public List<NodePath> stopOrder(Collection<NodePath> paths) {
    Set<NodePath> among = new LinkedHashSet<>(paths);
    List<NodePath> startOrder = new ArrayList<>();
    Set<NodePath> visited = new HashSet<>();
    for (NodePath path : among) {
      startFirst(path, among, visited, startOrder);
    }
    Collections.reverse(startOrder);
    return startOrder;
  }

  /** Depth first: a node's dependencies (among {@code among}) before the node. */
  private void startFirst(NodePath path, Set<NodePath> among, Set<NodePath> visited, List<NodePath> order) {
    if (!visited.add(path)) {
      return;
    }
    NodeEntry node = registry.node(path);
    if (node != null) {
      node.spec().dependsOn().stream().filter(among::contains).forEach(d -> startFirst(d, among, visited, order));
    }
    order.add(path);
  }

  /**
   * What is wrong with the graph if the nodes of {@code changed} had the dependencies it gives
   * (the others keep theirs; a node mapped to null is removed): a dependency on a node that would
   * not exist, or a cycle, each as a sentence. Empty if none.
   */
  public static List<String> problems(Registry registry, Map<NodePath, List<NodePath>> changed) {
    Function<NodePath, List<NodePath>> edges = path -> {
      if (changed.containsKey(path)) {
        List<NodePath> given = changed.get(path);
        return given == null ? List.of() : given;
      }
      NodeEntry node = registry.node(path);
      return node == null ? List.of() : node.spec().dependsOn();
    };
    Function<NodePath, Boolean> exists = path -> changed.containsKey(path) ? changed.get(path) != null
        : registry.node(path) != null && registry.node(path).phase() != Phase.REMOVING;
    List<String> problems = new ArrayList<>();
    for (Map.Entry<NodePath, List<NodePath>> entry : new TreeMap<>(changed).entrySet()) {
      if (entry.getValue() == null) {
        continue;
      }
      for (NodePath dependency : entry.getValue()) {
        if (dependency.equals(entry.getKey())) {
          problems.add("node " + entry.getKey() + " depends on itself");
        } else if (!exists.apply(dependency)) {
          problems.add("node " + entry.getKey() + " depends on " + dependency + ", which does not exist");
        }
      }
    }
    cycle(changed.keySet(), edges).ifPresent(cycle -> problems.add("dependency cycle: " + cycle));
    return problems;
  }

  /** A cycle reached from {@code starts}, as {@code a -> b -> a}, if there is one. */
  private static Optional<String> cycle(Collection<NodePath> starts, Function<NodePath, List<NodePath>> edges) {
    Set<NodePath> done = new HashSet<>();
    for (NodePath start : new TreeSet<>(starts)) {
      List<NodePath> stack = new ArrayList<>();
      Optional<String> found = visit(start, edges, done, stack);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> visit(NodePath at, Function<NodePath, List<NodePath>> edges, Set<NodePath> done, List<NodePath> stack) {
    int onStack = stack.indexOf(at);
    if (onStack >= 0) {
      List<NodePath> loop = new ArrayList<>(stack.subList(onStack, stack.size()));
      loop.add(at);
      return Optional.of(String.join(" -> ", loop.stream().map(NodePath::toString).toList()));
    }
    if (!done.add(at)) {
      return Optional.empty();
    }
    stack.add(at);
    for (NodePath next : edges.apply(at)) {
      Optional<String> found = visit(next, edges, done, stack);
      if (found.isPresent()) {
        return found;
      }
    }
    stack.remove(stack.size() - 1);
    return Optional.empty();
  }

  // ---- holds ------------------------------------------------------------------------------------

  /** Something about {@code path} changed (desired or observed): it and its neighbours are held anew, and told if that changed. */
  public void changed(NodePath path) {
    NodeEntry node = registry.node(path);
    if (node != null) {
      regate(node);
      node.spec().dependsOn().forEach(this::regate);
    }
    dependentsOf(path).forEach(this::regate);
  }

  /** Every node with dependencies or dependents held anew: after a failover, and on each reconciliation round. */
  public void regateAll() {
    for (NodeEntry node : registry.nodes()) {
      if (!node.spec().dependsOn().isEmpty() || !dependentsOf(node.path()).isEmpty()) {
        regate(node);
      }
    }
  }

  private void regate(NodePath path) {
    NodeEntry node = registry.node(path);
    if (node != null) {
      regate(node);
    }
  }

  /** Computes what the node's host is to be asked for, without sending it (its caller does). */
  public void settle(NodeEntry node) {
    noteIncarnations(node);
    if (restartDue(node)) {
      ranWith.remove(node.path());
      restarting.add(node.path());
    }
    Hold hold = hold(node);
    node.hold(hold.state(), hold.why());
  }

  /** Computes what the node's host is to be asked for; sends it at once if it changed and the host runs the node. */
  void regate(NodeEntry node) {
    NodeState before = node.toHost();
    settle(node);
    if (node.toHost() != before && node.observed() != null && node.phase() == Phase.PRESENT && !node.hostHasLatestRequest()) {
      HostEntry host = registry.hostEntryOf(node);
      if (host != null && host.up()) {
        link.sendRequest(host, node);
      }
    }
  }

  /** What the node's host is asked for, and why it is not its requested state (null: it is). */
  record Hold(NodeState state, String why) {}

  Hold hold(NodeEntry node) {
    NodeState requested = node.requested();
    NodeState current = node.current();
    boolean up = current == NodeState.RUNNING || current == NodeState.STARTING;
    if (restarting.contains(node.path())) {
      if (up && requested == NodeState.RUNNING) {
        return new Hold(NodeState.STOPPED, "restarting: a dependency runs again as a new incarnation");
      }
      restarting.remove(node.path());
    }
    if (requested == NodeState.RUNNING) {
      List<String> waiting = notUp(node.spec().dependsOn());
      if (waiting.isEmpty() || up && node.spec().onDependencyFailure() != DependencyFailure.STOP) {
        return new Hold(requested, null);
      }
      NodeState below = up || current == NodeState.STOPPED ? NodeState.STOPPED : NodeState.INITIALIZED;
      return new Hold(below, "waiting for " + String.join(", ", waiting));
    }
    if (up) {
      List<String> stopping = new ArrayList<>();
      for (NodePath path : dependentsOf(node.path())) {
        NodeEntry dependent = registry.node(path);
        boolean goingDown = dependent != null && (dependent.requested() != NodeState.RUNNING || dependent.toHost() != NodeState.RUNNING);
        if (goingDown && isUp(dependent)) {
          stopping.add(path + ": " + dependent.current());
        }
      }
      if (!stopping.isEmpty()) {
        return new Hold(NodeState.RUNNING, "waiting for its dependents to stop first: " + String.join(", ", stopping));
      }
    }
    return new Hold(requested, null);
  }

  /** The dependencies that are not RUNNING, each with what they are. */
  private List<String> notUp(List<NodePath> paths) {
    List<String> waiting = new ArrayList<>();
    for (NodePath path : paths) {
      NodeEntry dependency = registry.node(path);
      if (dependency == null || dependency.phase() == Phase.REMOVING) {
        waiting.add(path + ": does not exist");
      } else {
        NodeState state = StatusView.state(dependency, registry);
        if (state != NodeState.RUNNING) {
          waiting.add(path + ": " + state);
        }
      }
    }
    return waiting;
  }

  private boolean isUp(NodeEntry node) {
    NodeState state = StatusView.state(node, registry);
    return state == NodeState.RUNNING || state == NodeState.STARTING;
  }

  // ---- on-dependency-failure = restart ----------------------------------------------------------

  /** A RESTART node that runs: the incarnation of each running dependency is noted the first time it is seen. */
  private void noteIncarnations(NodeEntry node) {
    if (node.spec().onDependencyFailure() != DependencyFailure.RESTART || node.current() != NodeState.RUNNING) {
      return;
    }
    Map<NodePath, Integer> seen = ranWith.computeIfAbsent(node.path(), p -> new HashMap<>());
    for (NodePath path : node.spec().dependsOn()) {
      NodeEntry dependency = registry.node(path);
      if (dependency != null && dependency.observed() != null && dependency.current() == NodeState.RUNNING) {
        seen.putIfAbsent(path, dependency.observed().incarnation());
      }
    }
  }

  /** True if a dependency of a RUNNING RESTART node runs again as another incarnation than the one the node ran with. */
  private boolean restartDue(NodeEntry node) {
    Map<NodePath, Integer> seen = ranWith.get(node.path());
    if (seen == null || node.current() != NodeState.RUNNING || node.requested() != NodeState.RUNNING) {
      return false;
    }
    for (Map.Entry<NodePath, Integer> entry : seen.entrySet()) {
      NodeEntry dependency = registry.node(entry.getKey());
      if (dependency != null && dependency.current() == NodeState.RUNNING && dependency.observed().incarnation() != entry.getValue()) {
        return true;
      }
    }
    return false;
  }
}
