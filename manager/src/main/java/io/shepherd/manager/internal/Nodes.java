package io.shepherd.manager.internal;

import akka.actor.typed.ActorRef;
import io.shepherd.protocol.Api;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.Event;
import io.shepherd.protocol.Fault;
import io.shepherd.protocol.HostProtocol;
import io.shepherd.protocol.Lifecycle;
import io.shepherd.protocol.LifecycleAction;
import io.shepherd.protocol.ManagerProtocol.Reply;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.Names;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Nodes at the Manager: created on their host first and then written to desired state; removed
 * from desired state first and then from their host; lifecycle calls and requests (pyacq's and
 * Guardian's); modes, with the faults a managed node's manager is told of.
 */
public final class Nodes {

  private final ManagerParts parts;
  private final Registry registry;

  public Nodes(ManagerParts parts) {
    this.parts = parts;
    this.registry = parts.registry();
  }

  public void create(ManagerProtocol.CreateNode create) {
    NodePath path = create.path();
    GroupEntry group = registry.group(path.groupPath());
    Optional<String> refusal = Optional.empty();
    ErrorCode code = ErrorCode.BUSY;
    NodeEntry existing = registry.node(path);
    if (group == null) {
      code = ErrorCode.NO_SUCH_GROUP;
      refusal = Optional.of("no group " + path.groupPath() + " for node " + path + "; create the group first");
    } else if (group.phase() != Phase.PRESENT) {
      refusal = Optional.of("group " + group.path() + " is being " + (group.phase() == Phase.CREATING ? "created" : "removed") + "; try again");
    } else if (group.declaredBySite()) {
      code = ErrorCode.NOT_ALLOWED;
      refusal = Optional.of("group " + group.path() + " is declared by the site file; declare node " + path.node()
          + " there and apply the file, or create it in a group of your own");
    } else if (existing != null) {
      boolean present = existing.phase() == Phase.PRESENT;
      code = present ? ErrorCode.DUPLICATE_NAME : ErrorCode.BUSY;
      refusal = Optional.of(present ? "node " + path + " already exists"
          : "node " + path + " is being " + (existing.phase() == Phase.CREATING ? "created" : "removed") + "; try again");
    } else if (create.requested() != NodeState.CREATED && !create.requested().requestable()) {
      code = ErrorCode.INVALID_ARGUMENT;
      refusal = Optional.of("a new node can be requested to be CREATED, CONFIGURED, INITIALIZED, RUNNING, STOPPED or CLOSED, not "
          + create.requested());
    } else {
      code = ErrorCode.HOST_UNAVAILABLE;
      refusal = registry.hostProblem(group.host(), "group " + group.path());
    }
    if (refusal.isPresent()) {
      Replies.fail(create.replyTo(), code, refusal.get());
      return;
    }
    List<String> graph = Dependencies.problems(registry, Map.of(path, create.spec().dependsOn()));
    if (!graph.isEmpty()) {
      Replies.fail(create.replyTo(), ErrorCode.INVALID_ARGUMENT, String.join("; ", graph) + "; nothing was created");
      return;
    }
    HostEntry host = registry.host(group.host());
    NodeSpec spec = group.resolve(create.spec());
    String type = spec.type();
    if (!host.info().mayHaveType(type)) {
      boolean className = type.contains(".");
      Replies.fail(create.replyTo(), className ? ErrorCode.NOT_ALLOWED : ErrorCode.UNKNOWN_TYPE, className
          ? "node class " + type + " is not allowed on host " + host.id() + ": its package is not in shepherd.host.allowed-packages "
              + host.info().allowedPackages()
          : "unknown node type '" + Names.abbreviate(type) + "' on host " + host.id() + "; its types are " + host.info().nodeTypes()
              + (host.info().allowedPackages().isEmpty() ? "" : ", or a class in " + host.info().allowedPackages()));
      return;
    }
    NodeEntry node = NodeEntry.creating(path, spec, create.requested(), create.replyTo(), System.nanoTime());
    registry.add(node);
    parts.dependencies().settle(node);
    parts.link().send(host, epoch -> new HostProtocol.CreateNode(epoch, path, node.spec(), node.toHost(), node.seq(), null, 0));
  }

  /** Its host reports a node being created: into desired state, then the caller is answered. */
  public void createdOnHost(NodeEntry node) {
    ActorRef<Reply> replyTo = node.takeCreateReply();
    if (replyTo == null) {
      return; // already being stored
    }
    parts.desired().put(node, replicated -> {
      node.present();
      Replies.reply(replyTo, replicated
          ? new ManagerProtocol.Ok("created node " + node.path(), StatusView.nodeStatus(node, registry))
          : Replies.notReplicated("node " + node.path() + " was created"));
      parts.requests().resolve(node);
    });
  }

  /** Its host could not create a node a client asked for, or dropped it while creating it. */
  public void failedWhileCreating(NodeEntry node, ErrorCode code, String message) {
    registry.remove(node);
    Replies.fail(node.takeCreateReply(), code, message);
  }

  public void remove(ManagerProtocol.RemoveNode remove) {
    NodeEntry node = registry.node(remove.path());
    if (node == null) {
      Replies.fail(remove.replyTo(), ErrorCode.NO_SUCH_NODE, "no node " + remove.path());
    } else if (node.phase() == Phase.CREATING) {
      Replies.fail(remove.replyTo(), ErrorCode.BUSY, "node " + node.path() + " is being created; try again");
    } else {
      startRemoval(node, remove.replyTo());
    }
  }

  /** Stops, closes and removes a node: out of desired state first, then off its host. */
  public void startRemoval(NodeEntry node, ActorRef<Reply> replyTo) {
    if (!node.startRemoval(replyTo)) {
      return;
    }
    parts.requests().fail(node, ErrorCode.SUPERSEDED, "node " + node.path() + " is being removed");
    parts.desired().delete(node, replicated -> {
      HostEntry host = registry.hostEntryOf(node);
      if (host != null && host.up() && node.observed() != null) {
        node.resend().sent(System.nanoTime());
        parts.link().send(host, epoch -> new HostProtocol.RemoveNode(epoch, node.path()));
      } else {
        finishRemoval(node, "removed " + node.path() + (host == null || !host.up() ? " (its host is not up)" : ""));
      }
    });
  }

  /** A node is gone from its host (or its host is gone): forgotten, and its callers answered with {@code message}. */
  public void finishRemoval(NodeEntry node, String message) {
    if (registry.remove(node)) {
      parts.dependencies().forget(node.path());
      parts.dependencies().changed(node.path());
      parts.events().publish(ManagerEvents.event(Event.NODE_REMOVED).withPath(node.path().toString()).withHost(registry.hostOf(node))
          .withMessage(message));
    }
    parts.desired().deleteCheckpoint(node);
    node.takeRemoveReplies().forEach(r -> Replies.reply(r, new ManagerProtocol.Ok(message, null)));
  }

  /** A lifecycle call (pyacq): allowed only from the state the node is in, or heading to. */
  public void perform(ManagerProtocol.Perform perform) {
    Optional<ManagerProtocol.Failed> problem = registry.nodeProblem(perform.path(), true);
    if (problem.isPresent()) {
      Replies.reply(perform.replyTo(), problem.get());
      return;
    }
    NodeEntry node = registry.node(perform.path());
    LifecycleAction action = perform.action();
    NodeState from = node.current() == NodeState.FAILED ? NodeState.FAILED : node.requested();
    if (!Lifecycle.isAllowed(from, action)) {
      String allowed = Lifecycle.allowed(from).stream().map(LifecycleAction::callName).collect(Collectors.joining(", "));
      String state = from == node.current() ? "it is " + from : "it is " + node.current() + " and heading to " + from;
      Replies.fail(perform.replyTo(), ErrorCode.INVALID_TRANSITION, "cannot " + action.callName() + " " + node.path() + ": " + state
          + "; from " + from + (allowed.isEmpty() ? " no call is allowed"
          : " only " + allowed + " " + (allowed.contains(",") ? "are" : "is") + " allowed"));
      return;
    }
    parts.requests().request(node, action.target(), new Waiter(action.target(), true, perform.replyTo(), action.callName(),
        parts.deadline()), perform.by());
  }

  /** A request of a state (Guardian): the node is driven there through the lifecycle. */
  public void request(ManagerProtocol.Request request) {
    Optional<ManagerProtocol.Failed> problem = registry.nodeProblem(request.path(), request.await());
    if (problem.isPresent()) {
      Replies.reply(request.replyTo(), problem.get());
      return;
    }
    NodeEntry node = registry.node(request.path());
    if (node.lostBy(request.by())) {
      Replies.fail(request.replyTo(), ErrorCode.NOT_ALLOWED, "node " + node.path() + " is managed by " + node.managedBy()
          + ", which took it over from " + request.by() + "; take it back (set it MANAGED as " + request.by()
          + ") before requesting its state");
      return;
    }
    Optional<String> invalid = Lifecycle.checkRequest(node.current(), node.requested(), request.state());
    if (invalid.isPresent()) {
      Replies.fail(request.replyTo(), ErrorCode.INVALID_TRANSITION, "cannot request " + request.state() + " of " + node.path() + ": "
          + invalid.get());
      return;
    }
    parts.requests().request(node, request.state(),
        new Waiter(request.state(), request.await(), request.replyTo(), "request " + request.state(), parts.deadline()), request.by());
  }

  /** The nodes at {@code paths}, or the reason the call fails (all or none). */
  private Optional<ManagerProtocol.Failed> present(List<NodePath> paths, List<NodeEntry> found) {
    for (NodePath path : paths) {
      Optional<ManagerProtocol.Failed> problem = registry.nodeProblem(path, false);
      if (problem.isPresent()) {
        return problem;
      }
      found.add(registry.node(path));
    }
    return Optional.empty();
  }

  /**
   * Sets the mode of nodes, all or none: a path that does not name a node fails the call and
   * changes nothing. A client taking over a managed node is reported to its previous manager.
   */
  public void setMode(ManagerProtocol.SetMode set) {
    List<NodeEntry> targets = new ArrayList<>();
    Optional<ManagerProtocol.Failed> problem = present(set.paths(), targets);
    if (problem.isPresent()) {
      Replies.reply(set.replyTo(), problem.get());
      return;
    }
    if (targets.isEmpty()) {
      Replies.fail(set.replyTo(), ErrorCode.INVALID_ARGUMENT, "no nodes given");
      return;
    }
    ActorRef<Reply> aggregator = ReplyAggregator.spawn(parts.ctx(), targets.size(), set.replyTo(),
        targets.size() + " nodes set " + set.mode(), parts.settings().callTimeout());
    Instant now = Instant.now();
    for (NodeEntry node : targets) {
      boolean takenOver = node.managedBy() != null && !node.managedBy().equals(set.clientId());
      if (takenOver || (node.managedBy() != null && set.mode() == Mode.AUTO)) {
        parts.events().report(node, new Fault.ModeChanged(node.path(), set.mode(), set.clientId(), now));
        parts.log().info("node {} was managed by {}; now {} by {}", node.path(), node.managedBy(), set.mode(), set.clientId());
      }
      applyMode(node, set.mode(), set.mode() == Mode.MANAGED ? set.clientId() : null, set.clientId(), aggregator);
    }
  }

  private void applyMode(NodeEntry node, Mode mode, String managedBy, String by, ActorRef<Reply> replyTo) {
    node.setMode(mode, managedBy);
    if (managedBy != null && Api.isSession(managedBy)) {
      parts.grantLease(managedBy);
    }
    parts.events().publish(ManagerEvents.event(Event.MODE).withPath(node.path().toString()).withHost(registry.hostOf(node)).withMode(mode)
        .withBy(by).withManager(managedBy));
    parts.desired().put(node, replicated -> Replies.reply(replyTo, replicated
        ? new ManagerProtocol.Ok("node " + node.path() + " is " + mode, StatusView.nodeStatus(node, registry))
        : Replies.notReplicated("the mode of node " + node.path() + " was set")));
    HostEntry host = registry.hostEntryOf(node);
    if (host != null && host.up()) {
      parts.link().send(host, epoch -> new HostProtocol.SetMode(epoch, node.path(), mode));
    }
  }

  /** Nodes a session managed would stay stalled forever after a crash once it is gone: they recover by themselves again. */
  public void releaseManagedBy(String clientId) {
    registry.nodes().stream().filter(n -> clientId.equals(n.managedBy()) && n.phase() == Phase.PRESENT).toList().forEach(n -> {
      parts.log().info("node {} is AUTO again: its managing client {} has left", n.path(), clientId);
      applyMode(n, Mode.AUTO, null, clientId, null);
    });
  }

  /** Re-requests the last requested state of nodes (Guardian's revive); all or none. */
  public void revive(ManagerProtocol.Revive revive) {
    List<NodeEntry> targets = new ArrayList<>();
    Optional<ManagerProtocol.Failed> problem = present(revive.paths(), targets);
    if (problem.isPresent()) {
      Replies.reply(revive.replyTo(), problem.get());
      return;
    }
    if (targets.isEmpty()) {
      Replies.reply(revive.replyTo(), new ManagerProtocol.Ok("nothing to revive", null));
      return;
    }
    ActorRef<Reply> aggregator = ReplyAggregator.spawn(parts.ctx(), targets.size(), revive.replyTo(),
        "revived " + targets.size() + " nodes", parts.settings().callTimeout());
    for (NodeEntry node : targets) {
      parts.requests().request(node, node.requested(), new Waiter(node.requested(), false, aggregator, "revive", parts.deadline()));
    }
  }

  /** SIGKILL to a process node's whole session; it ends STOPPED (requested so first: not a crash). */
  public void kill(ManagerProtocol.KillNode kill) {
    Optional<ManagerProtocol.Failed> problem = registry.nodeProblem(kill.path(), true);
    if (problem.isPresent()) {
      Replies.reply(kill.replyTo(), problem.get());
      return;
    }
    NodeEntry node = registry.node(kill.path());
    if (!node.spec().forProcess()) {
      Replies.fail(kill.replyTo(), ErrorCode.INVALID_ARGUMENT, "node " + node.path() + " is a Java node (" + node.spec().type()
          + "); kill applies to process nodes; stop it instead");
      return;
    }
    Optional<String> invalid = Lifecycle.checkRequest(node.current(), node.requested(), NodeState.STOPPED);
    if (invalid.isPresent()) {
      Replies.fail(kill.replyTo(), ErrorCode.INVALID_TRANSITION, "cannot kill " + node.path() + ": " + invalid.get());
      return;
    }
    parts.requests().request(node, NodeState.STOPPED, new Waiter(NodeState.STOPPED, true, kill.replyTo(), "kill", parts.deadline()),
        kill.by());
    parts.link().send(registry.hostEntryOf(node), epoch -> new HostProtocol.KillNode(epoch, node.path()));
  }

  /** Removes a node that does not run (the Architect's purge). */
  public void purge(ManagerProtocol.Purge purge) {
    NodeEntry node = registry.node(purge.path());
    if (node == null) {
      Replies.fail(purge.replyTo(), ErrorCode.NO_SUCH_NODE, "no node " + purge.path());
    } else if (node.current() == NodeState.RUNNING || node.requested() == NodeState.RUNNING) {
      Replies.fail(purge.replyTo(), ErrorCode.INVALID_TRANSITION, "node " + node.path() + " is " + node.current()
          + (node.requested() == NodeState.RUNNING ? " and requested RUNNING" : "") + "; purge removes only nodes that do not run: "
          + "stop or kill it first");
    } else if (node.phase() == Phase.CREATING) {
      Replies.fail(purge.replyTo(), ErrorCode.BUSY, "node " + node.path() + " is being created; try again");
    } else {
      startRemoval(node, purge.replyTo());
    }
  }

  /** A line to a process node's stdin; its host answers. */
  public void sendInput(ManagerProtocol.SendInput send) {
    Optional<ManagerProtocol.Failed> problem = registry.nodeProblem(send.path(), true);
    if (problem.isPresent()) {
      Replies.reply(send.replyTo(), problem.get());
      return;
    }
    NodeEntry node = registry.node(send.path());
    parts.link().send(registry.hostEntryOf(node), epoch -> new HostProtocol.SendInput(epoch, node.path(), send.line(), send.replyTo()));
  }

  /** Fails the creations that have waited longer than the create timeout. */
  public void expireCreates(long now) {
    long limit = parts.settings().createTimeout().toNanos();
    registry.nodes().stream().filter(n -> n.createOverdue(now, limit)).toList().forEach(n -> failedWhileCreating(n, ErrorCode.TIMEOUT,
        "host " + registry.hostOf(n) + " did not create node " + n.path() + " within " + parts.settings().createTimeout().toSeconds()
            + " s"));
  }
}
