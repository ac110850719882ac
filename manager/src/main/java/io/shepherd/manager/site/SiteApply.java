package io.shepherd.manager.site;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import io.shepherd.manager.internal.GroupEntry;
import io.shepherd.manager.internal.Groups;
import io.shepherd.manager.internal.HostEntry;
import io.shepherd.manager.internal.ManagerParts;
import io.shepherd.manager.internal.NodeEntry;
import io.shepherd.manager.internal.Nodes;
import io.shepherd.manager.internal.Registry;
import io.shepherd.manager.internal.Replies;
import io.shepherd.manager.internal.Waiter;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.HostProtocol;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.Site;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Applies a site file (OCS's site config): checks it against desired state and asks the hosts
 * whether they can run its nodes; then, with no error anywhere, changes desired state as its
 * {@link SitePlan} says, all at once, or (a dry run) only says what it would change.
 */
public final class SiteApply {

  /** The hosts' verdict on the node specs of a site file being applied: back to the Manager. */
  public record Checked(ManagerProtocol.ApplySite apply, List<String> problems)
      implements ManagerProtocol.Command, NoSerializationVerificationNeeded {}

  private final ManagerParts parts;
  private final Registry registry;
  private final Groups groups;
  private final Nodes nodes;

  public SiteApply(ManagerParts parts, Groups groups, Nodes nodes) {
    this.parts = parts;
    this.registry = parts.registry();
    this.groups = groups;
    this.nodes = nodes;
  }

  /**
   * Checks the file against desired state and asks the hosts about its types and executables; the
   * answer, with every error found by either, comes back to the Manager as {@link Checked}.
   */
  public void apply(ManagerProtocol.ApplySite apply) {
    SitePlan plan = SitePlan.of(apply.site(), registry);
    List<String> problems = new ArrayList<>(plan.errors);
    Map<String, SpecCheck.Request> checks = new HashMap<>();
    List<Site.Node> toCheck = new ArrayList<>(plan.added);
    toCheck.addAll(plan.respecified);
    for (Site.Node node : toCheck) {
      List<HostEntry> targets = node.path().groupPath().floating()
          ? registry.hosts().stream().filter(HostEntry::up).toList()
          : registry.host(node.path().placement()) != null ? List.of(registry.host(node.path().placement())) : List.of();
      for (HostEntry host : targets) {
        if (!host.info().mayHaveType(node.spec().type())) {
          problems.add("node " + node.path() + ": host " + host.id() + " has no node type " + node.spec().type()
              + (node.spec().forProcess() ? " (it allows no executables)" : "; its types are " + host.info().nodeTypes()));
        } else if (host.up()) {
          SpecCheck.Request request = checks.computeIfAbsent(host.id(), id -> new SpecCheck.Request(id, new ArrayList<>(), new ArrayList<>()));
          request.paths().add(node.path().toString());
          request.specs().add(node.spec());
        }
      }
    }
    ActorRef<Object> check = parts.ctx().spawnAnonymous(SpecCheck.create(List.copyOf(checks.values()),
        parts.settings().specCheckTimeout(), found -> {
          List<String> all = new ArrayList<>(problems);
          all.addAll(found);
          return new Checked(apply, all);
        }, parts.ctx().getSelf().unsafeUpcast()));
    checks.values().forEach(request -> parts.link().send(registry.host(request.hostId()),
        epoch -> new HostProtocol.CheckSpecs(epoch, request.specs(), check.narrow())));
  }

  /** The hosts answered: applies the file (planned again: desired state may have changed meanwhile), or says why not. */
  public void onChecked(Checked checked) {
    ManagerProtocol.ApplySite apply = checked.apply();
    if (!checked.problems().isEmpty()) {
      Replies.fail(apply.replyTo(), ErrorCode.INVALID_ARGUMENT, errors(apply.site(), checked.problems()));
      return;
    }
    SitePlan plan = SitePlan.of(apply.site(), registry);
    if (!plan.errors.isEmpty()) {
      Replies.fail(apply.replyTo(), ErrorCode.INVALID_ARGUMENT, errors(apply.site(), plan.errors));
      return;
    }
    ManagerProtocol.SiteApplied answer = new ManagerProtocol.SiteApplied(plan.addedPaths(), plan.changedPaths(),
        plan.removedPaths(registry), plan.unchanged);
    if (apply.dryRun()) {
      Replies.reply(apply.replyTo(), answer);
      return;
    }
    int[] pending = {1};
    boolean[] replicated = {true};
    Consumer<Boolean> stored = ok -> {
      replicated[0] &= ok;
      if (--pending[0] == 0) {
        Replies.reply(apply.replyTo(), replicated[0] ? answer : Replies.notReplicated("site file " + apply.site().source() + " was applied"));
      }
    };
    for (Site.Group declared : plan.addedGroups) {
      String hostId = declared.path().floating() ? registry.leastLoadedHost().orElse(null) : declared.path().placement();
      GroupEntry group = GroupEntry.declared(declared.path(), hostId);
      registry.add(group);
      pending[0]++;
      parts.desired().put(group, stored);
    }
    for (Site.Node declared : plan.added) {
      NodeEntry node = NodeEntry.declared(declared.path(), declared.spec(), declared.initialRequest(), declared.target());
      registry.add(node);
      pending[0]++;
      parts.desired().put(node, stored);
    }
    for (Site.Node declared : plan.respecified) {
      NodeEntry node = registry.node(declared.path());
      NodeState requested = node.declared() != declared.target() ? declared.initialRequest()
          : node.requested() == NodeState.STOPPED ? NodeState.INITIALIZED : node.requested();
      registry.respecify(node, declared.spec(), declared.target(), requested);
      parts.requests().fail(node, ErrorCode.SUPERSEDED, "node " + node.path() + " is restarted with the spec of site file "
          + apply.site().source());
      pending[0]++;
      parts.desired().put(node, stored);
      HostEntry host = registry.hostEntryOf(node);
      if (host != null && host.up() && node.observed() != null) {
        parts.link().send(host, epoch -> new HostProtocol.RemoveNode(epoch, node.path()));
      }
    }
    parts.requests().batch(() -> {
      for (SitePlan.Retarget retarget : plan.retargeted) {
        retarget.node().declare(retarget.declared());
        parts.requests().request(retarget.node(), retarget.state(), new Waiter(retarget.state(), false, null, "site target",
            parts.deadline()), "site file " + apply.site().source());
      }
    });
    plan.removedNodes.forEach(n -> nodes.startRemoval(n, null));
    plan.removedGroups.forEach(g -> groups.startRemoval(g, null));
    parts.reconcileAll(System.nanoTime());
    parts.log().info("applied site file {}: {} added, {} changed, {} removed, {} unchanged", apply.site().source(),
        answer.added().size(), answer.changed().size(), answer.removed().size(), plan.unchanged.size());
    stored.accept(true);
  }

  private static String errors(Site site, List<String> errors) {
    return "site file " + site.source() + " was not applied, nothing changed; " + errors.size() + " error"
        + (errors.size() == 1 ? "" : "s") + ":\n  " + String.join("\n  ", errors);
  }
}
