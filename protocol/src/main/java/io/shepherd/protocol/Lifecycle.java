package io.shepherd.protocol;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The transition table of the node lifecycle, and the plans through it.
 *
 * <pre>
 *   CREATED     --configure-->  CONFIGURED    CREATED, CONFIGURED, INITIALIZED, STOPPED --close--> CLOSED
 *   CONFIGURED  --initialize--> INITIALIZED
 *   INITIALIZED --start-->      RUNNING
 *   RUNNING     --stop-->       STOPPED
 *   STOPPED     --start-->      RUNNING
 * </pre>
 *
 * A node that is {@code FAILED} or {@code LOST} has no instance: a new request starts a fresh one,
 * so plans from those states begin at {@code CREATED}. A {@code STARTING} node has started and
 * waits to be ready: plans from it are those from {@code RUNNING} (it becomes RUNNING by itself,
 * and stops as a RUNNING node does).
 */
public final class Lifecycle {

  private static final Map<NodeState, Map<LifecycleAction, NodeState>> TABLE = new EnumMap<>(NodeState.class);

  static {
    allow(NodeState.CREATED, LifecycleAction.CONFIGURE, LifecycleAction.CLOSE);
    allow(NodeState.CONFIGURED, LifecycleAction.INITIALIZE, LifecycleAction.CLOSE);
    allow(NodeState.INITIALIZED, LifecycleAction.START, LifecycleAction.CLOSE);
    allow(NodeState.RUNNING, LifecycleAction.STOP);
    allow(NodeState.STOPPED, LifecycleAction.START, LifecycleAction.CLOSE);
    allow(NodeState.CLOSED);
  }

  private Lifecycle() {}

  private static void allow(NodeState from, LifecycleAction... actions) {
    Map<LifecycleAction, NodeState> row = new EnumMap<>(LifecycleAction.class);
    for (LifecycleAction action : actions) {
      row.put(action, action.target());
    }
    TABLE.put(from, Collections.unmodifiableMap(row));
  }

  /** The state plans start from: FAILED and LOST nodes begin again at CREATED; a STARTING node is on its way to RUNNING. */
  public static NodeState planningStart(NodeState state) {
    return switch (state) {
      case FAILED, LOST -> NodeState.CREATED;
      case STARTING -> NodeState.RUNNING;
      default -> state;
    };
  }

  /** The actions allowed in {@code from}, in lifecycle order. */
  public static Set<LifecycleAction> allowed(NodeState from) {
    return TABLE.getOrDefault(planningStart(from), Map.of()).keySet();
  }

  /** True if {@code action} is one step from {@code from}. */
  public static boolean isAllowed(NodeState from, LifecycleAction action) {
    return allowed(from).contains(action);
  }

  /**
   * The states a node passes through from {@code from} to {@code to}, {@code to} included and
   * {@code from} excluded, by the shortest path; empty if they are equal.
   *
   * @return the plan, or empty if {@code to} cannot be reached from {@code from}
   */
  public static Optional<List<NodeState>> plan(NodeState from, NodeState to) {
    NodeState start = planningStart(from);
    if (start == to) {
      return Optional.of(List.of());
    }
    Map<NodeState, NodeState> previous = new EnumMap<>(NodeState.class);
    ArrayDeque<NodeState> queue = new ArrayDeque<>();
    queue.add(start);
    previous.put(start, start);
    while (!queue.isEmpty()) {
      NodeState state = queue.poll();
      for (NodeState next : TABLE.getOrDefault(state, Map.of()).values()) {
        if (previous.putIfAbsent(next, state) == null) {
          if (next == to) {
            List<NodeState> path = new ArrayList<>();
            for (NodeState s = to; s != start; s = previous.get(s)) {
              path.add(0, s);
            }
            return Optional.of(List.copyOf(path));
          }
          queue.add(next);
        }
      }
    }
    return Optional.empty();
  }

  /** The first action on the way from {@code from} to {@code to}, if there is a way and a step. */
  public static Optional<LifecycleAction> nextAction(NodeState from, NodeState to) {
    return plan(from, to)
        .filter(p -> !p.isEmpty())
        .flatMap(p -> TABLE.get(planningStart(from)).entrySet().stream()
            .filter(e -> e.getValue() == p.get(0))
            .map(Map.Entry::getKey)
            .findFirst());
  }

  /** Every action on the way from {@code from} to {@code to}, in order; empty if there is no way or no step. */
  public static List<LifecycleAction> actions(NodeState from, NodeState to) {
    List<LifecycleAction> actions = new ArrayList<>();
    NodeState at = from;
    for (Optional<LifecycleAction> next = nextAction(at, to); next.isPresent(); next = nextAction(at, to)) {
      actions.add(next.get());
      at = next.get().target();
    }
    return actions;
  }

  /** True if {@code to} can be reached from {@code from}. */
  public static boolean reachable(NodeState from, NodeState to) {
    return plan(from, to).isPresent();
  }

  /** The states reachable from {@code from}, itself excluded. */
  public static Set<NodeState> reachableFrom(NodeState from) {
    return Arrays.stream(NodeState.values())
        .filter(s -> s.requestable() && s != planningStart(from) && reachable(from, s))
        .collect(Collectors.toCollection(() -> EnumSet.noneOf(NodeState.class)));
  }

  /**
   * Whether a new request for {@code target} is valid for a node that is {@code current} and
   * heading to {@code requested}: it must be reachable from every state the node may be in by the
   * time the request arrives, i.e. from every state on the plan from current to requested.
   *
   * @return empty if valid, otherwise the reason it is not
   */
  public static Optional<String> checkRequest(NodeState current, NodeState requested, NodeState target) {
    if (!target.requestable()) {
      return Optional.of("state " + target + " cannot be requested; requestable states are "
          + Arrays.stream(NodeState.values()).filter(NodeState::requestable).toList());
    }
    List<NodeState> onTheWay = new ArrayList<>();
    onTheWay.add(planningStart(current));
    plan(current, requested).ifPresent(onTheWay::addAll);
    for (NodeState state : onTheWay) {
      if (!reachable(state, target)) {
        String where = state == planningStart(current)
            ? "it is " + current
            : "it is " + current + " and heading to " + requested + " through " + state;
        return Optional.of(target + " cannot be reached: " + where + ", and from " + state
            + " only " + reachableFrom(state) + " can be reached");
      }
    }
    return Optional.empty();
  }

  /**
   * The state "up" or "down" means for a node that is {@code current} and heading to
   * {@code requested} (OCS's target states): up is RUNNING; down is STOPPED for a node that runs or
   * has run, and INITIALIZED for one that has not started yet, so that down never starts a process
   * only to stop it.
   *
   * @return the state to request, or empty if the node cannot get there (it is CLOSED, say)
   */
  public static Optional<NodeState> upDown(NodeState current, NodeState requested, boolean up) {
    NodeState target;
    if (up) {
      target = NodeState.RUNNING;
    } else {
      boolean started = current == NodeState.RUNNING || current == NodeState.STARTING || current == NodeState.STOPPED
          || requested == NodeState.RUNNING || requested == NodeState.STOPPED;
      target = started && current != NodeState.FAILED && current != NodeState.LOST ? NodeState.STOPPED : NodeState.INITIALIZED;
      if (checkRequest(current, requested, target).isPresent()) {
        target = NodeState.STOPPED;
      }
    }
    return checkRequest(current, requested, target).isEmpty() ? Optional.of(target) : Optional.empty();
  }
}
