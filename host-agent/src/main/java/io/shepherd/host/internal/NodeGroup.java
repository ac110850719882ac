package io.shepherd.host.internal;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.ChildFailed;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.shepherd.protocol.Checkpoint;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import java.util.HashMap;
import java.util.Map;

/**
 * A NodeGroup: the runners of the nodes of one group on this host, children named
 * {@code node-<name>}. Removing the group removes every node, then stops the group.
 *
 * <p>Supervision: a runner that fails (a bug in the runner, never in node code, which it contains)
 * is stopped; the group reports the node removed so the Manager's reconciliation recreates it.
 */
public final class NodeGroup extends AbstractBehavior<NodeGroup.Command> {

  public sealed interface Command extends NoSerializationVerificationNeeded {}

  /** Create a node; the host agent has checked it does not exist yet. */
  public record CreateNode(NodePath path, NodeSpec spec, NodeState requested, long seq, Checkpoint checkpoint, int previousIncarnation)
      implements Command {}

  public record SetMode(NodePath path, Mode mode) implements Command {}

  public record RequestState(NodePath path, NodeState requested, long seq) implements Command {}

  public record RemoveNode(NodePath path) implements Command {}

  public record KillNode(NodePath path) implements Command {}

  public record SendInput(NodePath path, String line, ActorRef<ManagerProtocol.Reply> replyTo)
      implements Command {}

  /** Remove every node, then stop. */
  public enum RemoveAll implements Command { INSTANCE }

  private final GroupPath group;
  private final HostEnvironment env;
  private final Map<String, ActorRef<NodeRunner.Command>> runners = new HashMap<>();
  private final Map<ActorRef<?>, NodePath> pathsByRunner = new HashMap<>();
  /** Creates waiting for a removed runner of the same name to terminate. */
  private final Map<String, CreateNode> waitingCreates = new HashMap<>();
  private boolean removing;

  public static Behavior<Command> create(GroupPath group, HostEnvironment env) {
    return Behaviors.setup(ctx -> new NodeGroup(ctx, group, env));
  }

  /** The actor name of a group's NodeGroup: unique per host, for pinned and {@code any} groups alike. */
  public static String actorName(GroupPath group) {
    return "group-" + group.placement() + "~" + group.group();
  }

  private NodeGroup(ActorContext<Command> ctx, GroupPath group, HostEnvironment env) {
    super(ctx);
    this.group = group;
    this.env = env;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(CreateNode.class, this::onCreateNode)
        .onMessage(RequestState.class, this::onRequestState)
        .onMessage(RemoveNode.class, this::onRemoveNode)
        .onMessage(SetMode.class, this::onSetMode)
        .onMessage(KillNode.class, this::onKillNode)
        .onMessage(SendInput.class, this::onSendInput)
        .onMessage(RemoveAll.class, m -> onRemoveAll())
        .onSignal(ChildFailed.class, this::onChildFailed)
        .onSignal(Terminated.class, this::onRunnerTerminated)
        .build();
  }

  private Behavior<Command> onCreateNode(CreateNode create) {
    if (removing) {
      env.events().tell(new NodeEvent.Rejected(create.path(), ErrorCode.BUSY, "group " + group + " is being removed"));
      return this;
    }
    if (runners.containsKey(create.path().node())) {
      waitingCreates.put(create.path().node(), create);
      return this;
    }
    spawnRunner(create);
    return this;
  }

  private void spawnRunner(CreateNode create) {
    ActorRef<NodeRunner.Command> runner = getContext().spawn(
        Behaviors.supervise(NodeRunner.create(create.path(), create.spec(), create.requested(), create.seq(), create.checkpoint(),
                create.previousIncarnation(), env))
            .onFailure(SupervisorStrategy.stop()),
        "node-" + create.path().node());
    getContext().watch(runner);
    runners.put(create.path().node(), runner);
    pathsByRunner.put(runner, create.path());
  }

  private Behavior<Command> onRequestState(RequestState request) {
    ActorRef<NodeRunner.Command> runner = runners.get(request.path().node());
    if (runner != null) {
      runner.tell(new NodeRunner.Request(request.requested(), request.seq()));
    }
    return this;
  }

  private Behavior<Command> onSetMode(SetMode set) {
    ActorRef<NodeRunner.Command> runner = runners.get(set.path().node());
    if (runner != null) {
      runner.tell(new NodeRunner.SetMode(set.mode()));
    }
    return this;
  }

  private Behavior<Command> onKillNode(KillNode kill) {
    ActorRef<NodeRunner.Command> runner = runners.get(kill.path().node());
    if (runner != null) {
      runner.tell(NodeRunner.Kill.INSTANCE);
    }
    return this;
  }

  private Behavior<Command> onSendInput(SendInput send) {
    ActorRef<NodeRunner.Command> runner = runners.get(send.path().node());
    if (runner != null) {
      runner.tell(new NodeRunner.SendInput(send.line(), send.replyTo()));
    } else {
      send.replyTo().tell(new ManagerProtocol.Failed(ErrorCode.NO_SUCH_NODE, "no node " + send.path()
          + " on host " + env.hostId()));
    }
    return this;
  }

  private Behavior<Command> onRemoveNode(RemoveNode remove) {
    ActorRef<NodeRunner.Command> runner = runners.get(remove.path().node());
    if (runner != null) {
      runner.tell(NodeRunner.Remove.INSTANCE);
    } else {
      env.events().tell(new NodeEvent.Removed(remove.path()));
    }
    return this;
  }

  private Behavior<Command> onRemoveAll() {
    removing = true;
    waitingCreates.values().forEach(c ->
        env.events().tell(new NodeEvent.Rejected(c.path(), ErrorCode.BUSY, "group " + group + " is being removed")));
    waitingCreates.clear();
    if (runners.isEmpty()) {
      return Behaviors.stopped();
    }
    runners.values().forEach(r -> r.tell(NodeRunner.Remove.INSTANCE));
    return this;
  }

  private Behavior<Command> onChildFailed(ChildFailed failed) {
    NodePath path = pathsByRunner.get(failed.getRef());
    getContext().getLog().error("runner of {} failed; reporting the node removed so that it is recreated", path, failed.cause());
    if (path != null) {
      env.events().tell(new NodeEvent.Removed(path));
    }
    return onRunnerTerminated(failed);
  }

  private Behavior<Command> onRunnerTerminated(Terminated terminated) {
    NodePath path = pathsByRunner.remove(terminated.getRef());
    if (path != null) {
      runners.remove(path.node(), terminated.getRef());
      CreateNode waiting = waitingCreates.remove(path.node());
      if (waiting != null) {
        onCreateNode(waiting);
      }
    }
    return removing && runners.isEmpty() ? Behaviors.stopped() : this;
  }
}
