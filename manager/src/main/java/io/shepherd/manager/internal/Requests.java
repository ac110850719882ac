package io.shepherd.manager.internal;

import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.Fault;
import io.shepherd.protocol.Lifecycle;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Requests of node states (Guardian's) and the calls waiting on them: a request is numbered,
 * written to desired state and sent to the node's host; its caller is answered once it is stored
 * and, if it asked, once the node has arrived, or when it fails, is superseded or times out.
 * Runs only inside the Manager's message handling.
 */
public final class Requests {

  private final Registry registry;
  private final HostLink link;
  private final DesiredState desired;
  private final ManagerEvents events;
  private final Dependencies dependencies;
  private final Map<NodePath, List<Waiter>> waiting = new HashMap<>();
  /** While a batch runs: the nodes whose requests are sent at its end. */
  private List<NodeEntry> batched;

  public Requests(Registry registry, HostLink link, DesiredState desired, ManagerEvents events, Dependencies dependencies) {
    this.registry = registry;
    this.link = link;
    this.desired = desired;
    this.events = events;
    this.dependencies = dependencies;
  }

  /**
   * Requests {@code target} of a node for {@code waiter}: calls waiting for a state the node will
   * not pass through on its way are answered SUPERSEDED. A change of a MANAGED node's requested
   * state by anyone but its manager ({@code by}; null: Shepherd itself) is reported to the manager
   * as a fault (Guardian's contract: the manager must know who moved its node).
   */
  public void request(NodeEntry node, NodeState target, Waiter waiter, String by) {
    if (by != null && node.managedBy() != null && !by.equals(node.managedBy()) && target != node.requested()) {
      events.report(node, new Fault.RequestChanged(node.path(), target, by, Instant.now()));
    }
    request(node, target, waiter);
  }

  /** A request of Shepherd's own (a revive, a kill, a process that ended by itself): no fault for the node's manager. */
  public void request(NodeEntry node, NodeState target, Waiter waiter) {
    List<NodeState> plan = Lifecycle.plan(node.current(), target).orElse(List.of());
    List<Waiter> list = waiting.computeIfAbsent(node.path(), p -> new ArrayList<>());
    for (Iterator<Waiter> it = list.iterator(); it.hasNext(); ) {
      Waiter other = it.next();
      if (other.awaitsArrival() && other.target() != target && !plan.contains(other.target())) {
        it.remove();
        Replies.fail(other.replyTo(), ErrorCode.SUPERSEDED, other.what() + " of " + node.path() + " was superseded by a request for "
            + target);
      }
    }
    waiter.numbered(node.request(target));
    list.add(waiter);
    desired.put(node, replicated -> {
      waiter.stored(replicated);
      resolve(node);
    });
    if (batched != null) {
      batched.add(node);
    } else {
      send(node);
    }
  }

  /**
   * Makes {@code requests} as one: their requests are all recorded, and what each node's host is to
   * be asked for computed, before any is sent, so that a node going down together with those that
   * depend on it is held up until they have stopped, and so that sending one does not send its
   * neighbours in the batch ahead of their turn (each host got those twice).
   */
  public void batch(Runnable requests) {
    List<NodeEntry> nodes = new ArrayList<>();
    batched = nodes;
    try {
      requests.run();
    } finally {
      batched = null;
    }
    nodes.forEach(dependencies::settle);
    nodes.forEach(this::send);
  }

  /** Sends a node's host what it is to do now (its request, unless a dependency holds it), and tells its neighbours. */
  private void send(NodeEntry node) {
    dependencies.settle(node);
    HostEntry host = registry.hostEntryOf(node);
    if (host != null && host.up() && node.observed() != null) {
      link.sendRequest(host, node);
    }
    // Its dependencies may wait for it to stop, its dependents for it to run.
    dependencies.changed(node.path());
  }

  /** Answers the calls on a node that are done, or that failed. */
  public void resolve(NodeEntry node) {
    List<Waiter> list = waiting.get(node.path());
    if (list == null) {
      return;
    }
    NodeStatus status = node.observed();
    for (Iterator<Waiter> it = list.iterator(); it.hasNext(); ) {
      Waiter waiter = it.next();
      if (status != null && waiter.awaitsArrivalAt(status.seq())) {
        if (status.state() == waiter.target()) {
          waiter.arrived();
        } else if (status.state() == NodeState.FAILED) {
          it.remove();
          Replies.fail(waiter.replyTo(), ErrorCode.NODE_FAILED, waiter.what() + " of " + node.path() + " failed: " + status.lastFailure());
          continue;
        }
      }
      if (waiter.done()) {
        it.remove();
        Replies.reply(waiter.replyTo(), waiter.replicated()
            ? new ManagerProtocol.Ok(waiter.what() + " of " + node.path() + " done", StatusView.nodeStatus(node, registry))
            : Replies.notReplicated(waiter.what() + " of " + node.path() + " was recorded"));
      }
    }
    if (list.isEmpty()) {
      waiting.remove(node.path());
    }
  }

  /** Fails every call waiting on a node. */
  public void fail(NodeEntry node, ErrorCode code, String message) {
    List<Waiter> list = waiting.remove(node.path());
    if (list != null) {
      list.forEach(w -> Replies.fail(w.replyTo(), code, message));
    }
  }

  /** Fails the calls whose deadline has passed at {@code now}; {@code callTimeout} is for the message. */
  public void expire(long now, Duration callTimeout) {
    for (Iterator<Map.Entry<NodePath, List<Waiter>>> entries = waiting.entrySet().iterator(); entries.hasNext(); ) {
      Map.Entry<NodePath, List<Waiter>> entry = entries.next();
      entry.getValue().removeIf(w -> {
        if (w.overdue(now)) {
          Replies.fail(w.replyTo(), ErrorCode.TIMEOUT, w.what() + " of " + entry.getKey() + " did not finish within "
              + callTimeout.toSeconds() + " s");
          return true;
        }
        return false;
      });
      if (entry.getValue().isEmpty()) {
        entries.remove();
      }
    }
  }
}
