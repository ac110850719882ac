package io.shepherd.manager.internal;

import akka.actor.typed.ActorRef;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.Event;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.HostProtocol;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.ManagerProtocol.Reply;
import java.util.List;
import java.util.Optional;

/**
 * NodeGroups at the Manager: created on their host first and then written to desired state;
 * removed from desired state first and then from their host (with their nodes); groups placed
 * {@code any} moved off a host that is down; a session's groups removed when it ends.
 */
public final class Groups {

  private final ManagerParts parts;
  private final Registry registry;

  public Groups(ManagerParts parts) {
    this.parts = parts;
    this.registry = parts.registry();
  }

  /** A client asks for a group: placed (an {@code any} group on the least loaded host), then created on its host. */
  public void create(ManagerProtocol.CreateGroup create) {
    GroupPath path = create.path();
    GroupEntry existing = registry.group(path);
    if (existing != null) {
      boolean present = existing.phase() == Phase.PRESENT;
      Replies.fail(create.replyTo(), present ? ErrorCode.DUPLICATE_NAME : ErrorCode.BUSY, present ? "group " + path + " already exists"
          : "group " + path + " is being " + (existing.phase() == Phase.CREATING ? "created" : "removed") + "; try again");
      return;
    }
    String hostId;
    if (path.floating()) {
      hostId = registry.leastLoadedHost().orElse(null);
      if (hostId == null) {
        Replies.fail(create.replyTo(), ErrorCode.HOST_UNAVAILABLE, "no host is up to place group " + path + " on");
        return;
      }
    } else {
      hostId = path.placement();
      Optional<String> problem = registry.hostProblem(hostId, "group " + path);
      if (problem.isPresent()) {
        Replies.fail(create.replyTo(), registry.host(hostId) != null ? ErrorCode.HOST_UNAVAILABLE : ErrorCode.NO_SUCH_HOST, problem.get());
        return;
      }
    }
    GroupEntry group = GroupEntry.creating(path, hostId, create.persistent(), create.owner(), create.replyTo(), System.nanoTime());
    if (group.owner() != null) {
      parts.grantLease(group.owner());
    }
    registry.add(group);
    parts.link().send(registry.host(hostId), epoch -> new HostProtocol.CreateGroup(epoch, path));
  }

  /** Its host reports a group being created: into desired state, then the caller is answered. */
  public void createdOnHost(GroupEntry group) {
    ActorRef<Reply> replyTo = group.takeCreateReply();
    parts.desired().put(group, replicated -> {
      group.present();
      parts.events().publish(ManagerEvents.event(Event.GROUP).withPath(group.path().toString()).withHost(group.host()).withStatus("UP")
          .withMessage("group " + group.path() + " created on host " + group.host()));
      Replies.reply(replyTo, replicated
          ? new ManagerProtocol.Ok("created group " + group.path() + " on host " + group.host(), null)
          : Replies.notReplicated("group " + group.path() + " was created"));
    });
  }

  /** Its host reports that a group being created is gone. */
  public void vanishedWhileCreating(GroupEntry group) {
    registry.remove(group);
    Replies.fail(group.takeCreateReply(), ErrorCode.BUSY, "group " + group.path() + " was removed while it was being created");
  }

  public void remove(ManagerProtocol.RemoveGroup remove) {
    GroupEntry group = registry.group(remove.path());
    if (group == null) {
      Replies.fail(remove.replyTo(), ErrorCode.NO_SUCH_GROUP, "no group " + remove.path() + registry.groupsHint());
    } else if (group.phase() == Phase.CREATING) {
      Replies.fail(remove.replyTo(), ErrorCode.BUSY, "group " + group.path() + " is being created; try again");
    } else {
      startRemoval(group, remove.replyTo());
    }
  }

  /** Out of desired state with its nodes, then off its host; {@code replyTo} (if any) is answered once it is gone. */
  public void startRemoval(GroupEntry group, ActorRef<Reply> replyTo) {
    if (!group.startRemoval(replyTo)) {
      return;
    }
    for (NodeEntry node : registry.nodesOf(group.path())) {
      node.startRemoval(null);
      parts.requests().fail(node, ErrorCode.SUPERSEDED, "group " + group.path() + " is being removed");
      parts.desired().delete(node);
    }
    parts.desired().delete(group, replicated -> {
      HostEntry host = registry.host(group.host());
      if (host != null && host.up() && group.observed()) {
        group.resend().sent(System.nanoTime());
        parts.link().send(host, epoch -> new HostProtocol.RemoveGroup(epoch, group.path()));
      } else {
        finishRemoval(group);
      }
    });
  }

  /** A group is gone from its host (or its host is gone): forgotten with its nodes, and its callers answered. */
  public void finishRemoval(GroupEntry group) {
    if (registry.remove(group)) {
      parts.events().publish(ManagerEvents.event(Event.GROUP).withPath(group.path().toString()).withHost(group.host())
          .withStatus("REMOVED").withMessage("group " + group.path() + " removed"));
    }
    registry.nodesOf(group.path()).forEach(n -> {
      registry.remove(n);
      parts.desired().deleteCheckpoint(n);
    });
    group.takeRemoveReplies().forEach(r -> Replies.reply(r, new ManagerProtocol.Ok("removed group " + group.path(), null)));
  }

  /** The groups a session owns, except those still being created. */
  public List<GroupEntry> ownedBy(String clientId) {
    return registry.groups().stream().filter(g -> g.ownedBy(clientId) && g.phase() != Phase.CREATING).toList();
  }

  /** A session ended (closed, or its lease lapsed): its groups go. */
  public void sessionEnded(String clientId) {
    registry.groups().stream().filter(g -> g.ownedBy(clientId) && g.phase() == Phase.PRESENT).toList().forEach(g -> {
      parts.log().info("removing group {}: its client {} has left", g.path(), clientId);
      startRemoval(g, null);
    });
  }

  /**
   * Moves every group placed {@code any} whose host is down to the least loaded host that is up;
   * its nodes are created there and driven to their requested states. Groups pinned to a host
   * wait for it. Only a DOWN host's groups move: an unreachable one may still run them.
   */
  public void placeFloating() {
    for (GroupEntry group : List.copyOf(registry.groups())) {
      HostEntry current = registry.host(group.host());
      if (!group.path().floating() || group.phase() != Phase.PRESENT || (current != null && current.state() != HostEntry.State.DOWN)) {
        continue;
      }
      Optional<String> target = registry.leastLoadedHost();
      if (target.isEmpty()) {
        continue;
      }
      parts.log().info("moving group {} from host {} (down) to host {}", group.path(), group.host(), target.get());
      parts.events().publish(ManagerEvents.event(Event.GROUP).withPath(group.path().toString()).withHost(target.get()).withStatus("MOVED")
          .withMessage("group " + group.path() + " moved from host " + group.host() + " (down) to host " + target.get()));
      group.moveTo(target.get());
      registry.nodesOf(group.path()).forEach(n -> {
        n.lost();
        n.resend().now();
      });
      parts.desired().put(group);
      parts.reconcile(registry.host(group.host()), System.nanoTime());
    }
  }

  /** Fails the creations that have waited longer than the create timeout. */
  public void expireCreates(long now) {
    long limit = parts.settings().createTimeout().toNanos();
    registry.groups().stream().filter(g -> g.createOverdue(now, limit)).toList().forEach(g -> {
      registry.remove(g);
      Replies.fail(g.takeCreateReply(), ErrorCode.TIMEOUT, "host " + g.host() + " did not create group " + g.path() + " within "
          + parts.settings().createTimeout().toSeconds() + " s");
    });
  }
}
