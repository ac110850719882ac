package io.shepherd.manager.internal;

import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.HostProtocol;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Calls on targets (OCS): up and down of node paths, group paths, host ids or {@code all}, and
 * restart; and the calls on a host itself (ports, environment: the Architect node).
 */
public final class TargetCalls {

  private static final String NO_TARGETS = "no targets given; give node paths, group paths, host ids or all";

  private final ManagerParts parts;

  public TargetCalls(ManagerParts parts) {
    this.parts = parts;
  }

  /** Up and down of targets, all or nothing: a target that names nothing fails the call, and nothing changes. */
  public void update(ManagerProtocol.Update update) {
    if (update.requests().isEmpty()) {
      Replies.fail(update.replyTo(), ErrorCode.INVALID_ARGUMENT, NO_TARGETS);
      return;
    }
    Targets.Resolution resolution = Targets.resolve(update.requests(), parts.registry());
    if (!resolution.errors().isEmpty()) {
      Replies.fail(update.replyTo(), ErrorCode.INVALID_ARGUMENT, "nothing was changed: " + String.join("; ", resolution.errors()));
      return;
    }
    int[] counts = new int[2];
    parts.requests().batch(() -> resolution.states().forEach((node, state) -> {
      counts[state == NodeState.RUNNING ? 0 : 1]++;
      if (state != node.requested() || !node.hostHasLatestRequest()) {
        parts.requests().request(node, state, new Waiter(state, false, null, "request " + state, parts.deadline()), update.by());
      }
    }));
    String skipped = resolution.skipped().isEmpty() ? ""
        : "; skipped " + resolution.skipped().size() + " that cannot get there: " + String.join(", ", resolution.skipped());
    Replies.reply(update.replyTo(), new ManagerProtocol.Ok("requested up for " + counts[0] + " nodes and down for " + counts[1]
        + " nodes" + skipped, null));
  }

  /**
   * Restarts the nodes of targets, and the running nodes that depend on them: down (dependents
   * first), then up (dependencies first), through a short-lived child; all or nothing as for up and
   * down: a target that names nothing fails the call, and nothing changes.
   */
  public void restart(ManagerProtocol.Restart restart) {
    if (restart.targets().isEmpty()) {
      Replies.fail(restart.replyTo(), ErrorCode.INVALID_ARGUMENT, NO_TARGETS);
      return;
    }
    List<ManagerProtocol.TargetState> down;
    try {
      down = restart.targets().stream().map(t -> new ManagerProtocol.TargetState(t, NodeState.STOPPED)).toList();
    } catch (IllegalArgumentException e) {
      Replies.fail(restart.replyTo(), ErrorCode.INVALID_ARGUMENT, e.getMessage());
      return;
    }
    Targets.Resolution resolution = Targets.resolve(down, parts.registry());
    if (!resolution.errors().isEmpty()) {
      Replies.fail(restart.replyTo(), ErrorCode.INVALID_ARGUMENT, "nothing was changed: " + String.join("; ", resolution.errors()));
      return;
    }
    Map<NodePath, NodeState> found = new TreeMap<>();
    resolution.states().forEach((node, state) -> found.put(node.path(), state));
    // Their running dependents go down first and come back after them (the holds of Dependencies order both ways).
    for (NodePath path : parts.dependencies().transitiveDependents(found.keySet())) {
      NodeEntry dependent = parts.registry().node(path);
      if (dependent != null && dependent.phase() == Phase.PRESENT && dependent.requested() == NodeState.RUNNING) {
        found.put(path, NodeState.STOPPED);
      }
    }
    // Asked down in that order, each node is held up until those that depend on it have stopped.
    Map<NodePath, NodeState> states = new LinkedHashMap<>();
    parts.dependencies().stopOrder(found.keySet()).forEach(path -> states.put(path, found.get(path)));
    parts.ctx().spawnAnonymous(TargetRestart.create(parts.ctx().getSelf(), states, resolution.skipped(), restart.by(),
        restart.replyTo(), parts.settings().callTimeout()));
  }

  /** A call on a host (ports, environment); the host answers. */
  public void hostCall(ManagerProtocol.HostCall call) {
    Registry registry = parts.registry();
    Optional<String> problem = registry.hostProblem(call.hostId(), "the call");
    if (problem.isPresent()) {
      Replies.fail(call.replyTo(), registry.host(call.hostId()) != null ? ErrorCode.HOST_UNAVAILABLE : ErrorCode.NO_SUCH_HOST,
          problem.get());
      return;
    }
    parts.link().send(registry.host(call.hostId()), epoch -> new HostProtocol.HostCall(epoch, call.request(), call.replyTo()));
  }
}
