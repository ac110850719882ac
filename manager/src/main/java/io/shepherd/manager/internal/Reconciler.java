package io.shepherd.manager.internal;

import io.shepherd.protocol.HostProtocol;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares what should run on a host (desired state) with what its snapshot and events say runs
 * there (observed state), and says which commands would close the gap. A pure function of the
 * registry: it changes nothing and sends nothing; the Manager sends what it returns through
 * {@link HostLink} and marks each sent. Commands are idempotent and resent at most every resend
 * interval (a node that could not be placed, every {@value #PLACEMENT_RETRY_FACTOR} intervals).
 * Groups come before nodes, so a caller that sends only the first few (its window of commands in
 * flight, see {@link #inFlight}) creates a group before the nodes in it.
 */
public final class Reconciler {

  static final int PLACEMENT_RETRY_FACTOR = 6;

  /** A command the host lacks, about a group or a node. */
  public sealed interface Action {
    /** The command, given the Manager's epoch. */
    HostProtocol.Command command(long epoch);

    /** When a command about the same thing was last sent. */
    Resend resend();
  }

  public record CreateGroup(GroupEntry group) implements Action {
    public HostProtocol.Command command(long epoch) {
      return new HostProtocol.CreateGroup(epoch, group.path());
    }

    public Resend resend() {
      return group.resend();
    }
  }

  public record RemoveGroup(GroupEntry group) implements Action {
    public HostProtocol.Command command(long epoch) {
      return new HostProtocol.RemoveGroup(epoch, group.path());
    }

    public Resend resend() {
      return group.resend();
    }
  }

  public record CreateNode(NodeEntry node) implements Action {
    public HostProtocol.Command command(long epoch) {
      return new HostProtocol.CreateNode(epoch, node.path(), node.spec(), node.toHost(), node.seq(), node.checkpoint(),
          node.lastIncarnation());
    }

    public Resend resend() {
      return node.resend();
    }
  }

  public record RequestState(NodeEntry node) implements Action {
    public HostProtocol.Command command(long epoch) {
      return new HostProtocol.RequestState(epoch, node.path(), node.toHost(), node.seq());
    }

    public Resend resend() {
      return node.resend();
    }
  }

  public record RemoveNode(NodeEntry node) implements Action {
    public HostProtocol.Command command(long epoch) {
      return new HostProtocol.RemoveNode(epoch, node.path());
    }

    public Resend resend() {
      return node.resend();
    }
  }

  private Reconciler() {}

  /** How many commands to host {@code host} are in flight at {@code now}: sent within the resend interval, not answered. */
  public static int inFlight(HostEntry host, Registry registry, long now, long resendAfterNanos) {
    int count = 0;
    for (GroupEntry group : registry.groupsOn(host.id())) {
      count += group.resend().awaiting(now, resendAfterNanos) ? 1 : 0;
    }
    for (NodeEntry node : registry.nodesOn(host.id())) {
      count += node.resend().awaiting(now, resendAfterNanos) ? 1 : 0;
    }
    return count;
  }

  /** What host {@code host} lacks of its desired state at {@code now}; nothing unless it is up and synced. */
  public static List<Action> plan(HostEntry host, Registry registry, long now, long resendAfterNanos) {
    List<Action> actions = new ArrayList<>();
    if (!host.up() || !host.synced()) {
      return actions;
    }
    for (GroupEntry group : registry.groupsOn(host.id())) {
      if (group.phase() == Phase.PRESENT && !group.observed() && group.resend().due(now, resendAfterNanos)) {
        actions.add(new CreateGroup(group));
      } else if (group.phase() == Phase.REMOVING && group.observed() && group.resend().due(now, resendAfterNanos)) {
        actions.add(new RemoveGroup(group));
      }
    }
    for (NodeEntry node : registry.nodesOn(host.id())) {
      GroupEntry group = registry.group(node.groupPath());
      if (!group.observed()) {
        continue;
      }
      if (node.phase() == Phase.PRESENT && node.observed() == null) {
        int factor = node.placementError() == null ? 1 : PLACEMENT_RETRY_FACTOR;
        if (node.resend().due(now, resendAfterNanos * factor)) {
          actions.add(new CreateNode(node));
        }
      } else if (node.phase() == Phase.PRESENT && !node.hostHasLatestRequest() && node.resend().due(now, resendAfterNanos)) {
        actions.add(new RequestState(node));
      } else if (node.phase() == Phase.REMOVING && node.observed() != null && node.resend().due(now, resendAfterNanos)) {
        actions.add(new RemoveNode(node));
      }
    }
    return actions;
  }
}
