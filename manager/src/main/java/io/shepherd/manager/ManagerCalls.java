package io.shepherd.manager;

import akka.actor.typed.Behavior;
import io.shepherd.manager.internal.DesiredStore;
import io.shepherd.manager.internal.GroupEntry;
import io.shepherd.manager.internal.HostEntry;
import io.shepherd.manager.internal.NodeEntry;
import io.shepherd.manager.internal.Phase;
import io.shepherd.manager.internal.Waiter;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.HostProtocol;
import io.shepherd.protocol.Lifecycle;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodeState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The Manager's handlers of the calls that came with process nodes and site files: kill, purge,
 * stdin input and host calls (the Architect node), up/down on targets and site files (OCS). A
 * part of the Manager actor split off to keep it readable: it runs only inside the Manager's
 * message handling, on its state.
 */
final class ManagerCalls {

  private final Manager m;

  ManagerCalls(Manager manager) {
    this.m = manager;
  }

  // ---- client calls: processes and hosts (the Architect node) ---------------------------------------

  Behavior<ManagerProtocol.Command> onKillNode(ManagerProtocol.KillNode kill) {
    NodeEntry node = m.nodes.get(kill.path());
    Optional<ManagerProtocol.Failed> problem = m.nodeProblem(kill.path(), node, true);
    if (problem.isPresent()) {
      return m.reply(kill.replyTo(), problem.get());
    }
    if (!node.spec.forProcess()) {
      return m.fail(kill.replyTo(), ErrorCode.INVALID_ARGUMENT, "node " + node.path + " is a Java node (" + node.spec.type()
          + "); kill applies to process nodes; stop it instead");
    }
    Optional<String> invalid = Lifecycle.checkRequest(node.current(), node.requested, NodeState.STOPPED);
    if (invalid.isPresent()) {
      return m.fail(kill.replyTo(), ErrorCode.INVALID_TRANSITION, "cannot kill " + node.path + ": " + invalid.get());
    }
    m.setRequested(node, NodeState.STOPPED, new Waiter(NodeState.STOPPED, true, kill.replyTo(), "kill", m.deadline()));
    m.hosts.get(m.hostOf(node)).ref.tell(new HostProtocol.KillNode(m.epoch, node.path));
    return m;
  }

  Behavior<ManagerProtocol.Command> onPurge(ManagerProtocol.Purge purge) {
    NodeEntry node = m.nodes.get(purge.path());
    if (node == null) {
      return m.fail(purge.replyTo(), ErrorCode.NO_SUCH_NODE, "no node " + purge.path());
    }
    if (node.current() == NodeState.RUNNING || node.requested == NodeState.RUNNING) {
      return m.fail(purge.replyTo(), ErrorCode.INVALID_TRANSITION, "node " + node.path + " is " + node.current()
          + (node.requested == NodeState.RUNNING ? " and requested RUNNING" : "") + "; purge removes only nodes that do not run: "
          + "stop or kill it first");
    }
    if (node.phase == Phase.CREATING) {
      return m.fail(purge.replyTo(), ErrorCode.BUSY, "node " + node.path + " is being created; try again");
    }
    m.startNodeRemoval(node, purge.replyTo());
    return m;
  }

  Behavior<ManagerProtocol.Command> onSendInput(ManagerProtocol.SendInput send) {
    NodeEntry node = m.nodes.get(send.path());
    Optional<ManagerProtocol.Failed> problem = m.nodeProblem(send.path(), node, true);
    if (problem.isPresent()) {
      return m.reply(send.replyTo(), problem.get());
    }
    m.hosts.get(m.hostOf(node)).ref.tell(new HostProtocol.SendInput(m.epoch, node.path, send.line(), send.replyTo()));
    return m;
  }

  Behavior<ManagerProtocol.Command> onHostCall(ManagerProtocol.HostCall call) {
    Optional<String> problem = m.hostProblem(call.hostId(), "the call");
    if (problem.isPresent()) {
      return m.fail(call.replyTo(), m.hosts.containsKey(call.hostId()) ? ErrorCode.HOST_UNAVAILABLE : ErrorCode.NO_SUCH_HOST, problem.get());
    }
    m.hosts.get(call.hostId()).ref.tell(new HostProtocol.HostCall(m.epoch, call.request(), call.replyTo()));
    return m;
  }

  // ---- client calls: up/down and site files (OCS) ------------------------------------------------

  Behavior<ManagerProtocol.Command> onUpdate(ManagerProtocol.Update update) {
    if (update.requests().isEmpty()) {
      return m.fail(update.replyTo(), ErrorCode.INVALID_ARGUMENT, "no targets given; give node paths, group paths, host ids or all");
    }
    io.shepherd.manager.internal.Targets.Resolution resolution =
        io.shepherd.manager.internal.Targets.resolve(update.requests(), m.hosts, m.groups, m.nodes, m.reconciler);
    if (!resolution.errors().isEmpty()) {
      return m.fail(update.replyTo(), ErrorCode.INVALID_ARGUMENT, "nothing was changed: " + String.join("; ", resolution.errors()));
    }
    int[] counts = new int[2];
    resolution.states().forEach((node, state) -> {
      counts[state == NodeState.RUNNING ? 0 : 1]++;
      if (state != node.requested || !node.hostHasLatestRequest()) {
        m.setRequested(node, state, new Waiter(state, false, null, "request " + state, m.deadline()));
      }
    });
    String skipped = resolution.skipped().isEmpty() ? ""
        : "; skipped " + resolution.skipped().size() + " that cannot get there: " + String.join(", ", resolution.skipped());
    return m.reply(update.replyTo(), new ManagerProtocol.Ok("requested up for " + counts[0] + " nodes and down for " + counts[1] + " nodes"
        + skipped, null));
  }

  /**
   * Restarts the nodes of targets: down, then up, through a short-lived child; all or nothing as
   * for up and down: a target that names nothing fails the call, and nothing changes.
   */
  Behavior<ManagerProtocol.Command> onRestart(ManagerProtocol.Restart restart) {
    if (restart.targets().isEmpty()) {
      return m.fail(restart.replyTo(), ErrorCode.INVALID_ARGUMENT, "no targets given; give node paths, group paths, host ids or all");
    }
    List<ManagerProtocol.TargetState> down;
    try {
      down = restart.targets().stream().map(t -> new ManagerProtocol.TargetState(t, NodeState.STOPPED)).toList();
    } catch (IllegalArgumentException e) {
      return m.fail(restart.replyTo(), ErrorCode.INVALID_ARGUMENT, e.getMessage());
    }
    io.shepherd.manager.internal.Targets.Resolution resolution =
        io.shepherd.manager.internal.Targets.resolve(down, m.hosts, m.groups, m.nodes, m.reconciler);
    if (!resolution.errors().isEmpty()) {
      return m.fail(restart.replyTo(), ErrorCode.INVALID_ARGUMENT, "nothing was changed: " + String.join("; ", resolution.errors()));
    }
    Map<io.shepherd.protocol.NodePath, NodeState> states = new java.util.TreeMap<>();
    resolution.states().forEach((node, state) -> states.put(node.path, state));
    m.getContext().spawnAnonymous(io.shepherd.manager.internal.TargetRestart.create(m.getContext().getSelf(), states,
        resolution.skipped(), restart.replyTo(), m.callTimeout()));
    return m;
  }

  /**
   * Checks the file against desired state and asks the hosts about its types and executables; the
   * answer, with every error found by either, comes back as {@link SiteChecked}.
   */
  Behavior<ManagerProtocol.Command> onApplySite(ManagerProtocol.ApplySite apply) {
    io.shepherd.manager.internal.SitePlan plan = io.shepherd.manager.internal.SitePlan.of(apply.site(), m.hosts, m.groups, m.nodes);
    List<String> problems = new ArrayList<>(plan.errors);
    Map<String, io.shepherd.manager.internal.SpecCheck.Request> checks = new HashMap<>();
    List<io.shepherd.protocol.Site.Node> toCheck = new ArrayList<>(plan.added);
    toCheck.addAll(plan.respecified);
    for (io.shepherd.protocol.Site.Node node : toCheck) {
      List<HostEntry> targets = node.path().groupPath().floating()
          ? m.hosts.values().stream().filter(HostEntry::up).toList()
          : m.hosts.containsKey(node.path().placement()) ? List.of(m.hosts.get(node.path().placement())) : List.of();
      for (HostEntry host : targets) {
        if (!host.info.mayHaveType(node.spec().type())) {
          problems.add("node " + node.path() + ": host " + host.id + " has no node type " + node.spec().type()
              + (node.spec().forProcess() ? " (it allows no executables)" : "; its types are " + host.info.nodeTypes()));
        } else if (host.up()) {
          io.shepherd.manager.internal.SpecCheck.Request request = checks.computeIfAbsent(host.id,
              id -> new io.shepherd.manager.internal.SpecCheck.Request(id, host.ref, new ArrayList<>(), new ArrayList<>()));
          request.paths().add(node.path().toString());
          request.specs().add(node.spec());
        }
      }
    }
    m.getContext().spawnAnonymous(io.shepherd.manager.internal.SpecCheck.create(m.epoch, List.copyOf(checks.values()), Manager.SPEC_CHECK_TIMEOUT,
        found -> {
          List<String> all = new ArrayList<>(problems);
          all.addAll(found);
          return new Manager.SiteChecked(apply, all);
        }, m.getContext().getSelf().unsafeUpcast()));
    return m;
  }

  Behavior<ManagerProtocol.Command> onSiteChecked(Manager.SiteChecked checked) {
    ManagerProtocol.ApplySite apply = checked.apply();
    if (!checked.problems().isEmpty()) {
      return m.fail(apply.replyTo(), ErrorCode.INVALID_ARGUMENT, siteErrors(apply.site(), checked.problems()));
    }
    // Desired state may have changed while the hosts checked: plan again.
    io.shepherd.manager.internal.SitePlan plan = io.shepherd.manager.internal.SitePlan.of(apply.site(), m.hosts, m.groups, m.nodes);
    if (!plan.errors.isEmpty()) {
      return m.fail(apply.replyTo(), ErrorCode.INVALID_ARGUMENT, siteErrors(apply.site(), plan.errors));
    }
    List<String> removed = plan.removedPaths(m.nodes);
    List<String> added = plan.addedPaths();
    List<String> changed = plan.changedPaths();
    if (apply.dryRun()) {
      return m.reply(apply.replyTo(), new ManagerProtocol.SiteApplied(added, changed, removed, plan.unchanged));
    }
    int[] pending = {1};
    boolean[] replicated = {true};
    Consumer<Boolean> stored = ok -> {
      replicated[0] &= ok;
      if (--pending[0] == 0) {
        m.reply(apply.replyTo(), replicated[0]
            ? new ManagerProtocol.SiteApplied(added, changed, removed, plan.unchanged)
            : Manager.notReplicated("site file " + apply.site().source() + " was applied"));
      }
    };
    for (io.shepherd.protocol.Site.Group declared : plan.addedGroups) {
      String hostId = declared.path().floating() ? m.reconciler.leastLoadedHost().orElse(null) : declared.path().placement();
      GroupEntry group = new GroupEntry(declared.path(), hostId, true, io.shepherd.protocol.Site.OWNER, Phase.PRESENT);
      m.groups.put(group.path, group);
      pending[0]++;
      m.store(op -> new DesiredStore.PutGroup(group.desired(), op, m.storeReplies), stored);
    }
    for (io.shepherd.protocol.Site.Node declared : plan.added) {
      NodeEntry node = new NodeEntry(declared.path(), declared.spec(), declared.initialRequest(), 1, null, Phase.PRESENT);
      node.declared = declared.target();
      m.nodes.put(node.path, node);
      pending[0]++;
      m.store(op -> new DesiredStore.PutNode(node.desired(), op, m.storeReplies), stored);
    }
    for (io.shepherd.protocol.Site.Node declared : plan.respecified) {
      NodeEntry node = m.nodes.get(declared.path());
      NodeState requested = node.declared != declared.target() ? declared.initialRequest()
          : node.requested == NodeState.STOPPED ? NodeState.INITIALIZED : node.requested;
      node.spec = declared.spec();
      node.declared = declared.target();
      node.requested = requested;
      node.seq++;
      m.failWaiters(node, ErrorCode.SUPERSEDED, "node " + node.path + " is restarted with the spec of site file " + apply.site().source());
      pending[0]++;
      m.store(op -> new DesiredStore.PutNode(node.desired(), op, m.storeReplies), stored);
      HostEntry host = m.hosts.get(m.hostOf(node));
      if (host != null && host.up() && node.observed != null) {
        host.ref.tell(new HostProtocol.RemoveNode(m.epoch, node.path));
      }
    }
    for (io.shepherd.manager.internal.SitePlan.Retarget retarget : plan.retargeted) {
      retarget.node().declared = retarget.declared();
      m.setRequested(retarget.node(), retarget.state(), new Waiter(retarget.state(), false, null, "site target", m.deadline()));
    }
    plan.removedNodes.forEach(n -> m.startNodeRemoval(n, null));
    plan.removedGroups.forEach(g -> m.startGroupRemoval(g, null));
    long now = System.nanoTime();
    m.hosts.values().forEach(h -> m.reconciler.reconcileHost(h, now));
    m.getContext().getLog().info("applied site file {}: {} added, {} changed, {} removed, {} unchanged", apply.site().source(),
        added.size(), changed.size(), removed.size(), plan.unchanged.size());
    stored.accept(true);
    return m;
  }

  private static String siteErrors(io.shepherd.protocol.Site site, List<String> errors) {
    return "site file " + site.source() + " was not applied, nothing changed; " + errors.size() + " error"
        + (errors.size() == 1 ? "" : "s") + ":\n  " + String.join("\n  ", errors);
  }
}
