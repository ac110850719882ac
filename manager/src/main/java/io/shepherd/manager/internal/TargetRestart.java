package io.shepherd.manager.internal;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.ManagerProtocol.Reply;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A restart of targets (down, then up), as a short-lived child of the Manager: it requests the
 * down state of every node and waits for all of them to arrive, then requests RUNNING of every
 * one and waits again; it answers once they all run, with the first failure, or at its timeout.
 * Everything goes through the Manager's own Request handling, so a restart is recorded in desired
 * state like any request.
 */
public final class TargetRestart {

  private enum Timeout { INSTANCE }

  private TargetRestart() {}

  /**
   * @param manager where the requests go
   * @param down the state each node is driven down to first (STOPPED, or INITIALIZED for one never started)
   * @param skipped what the targets named but cannot be restarted, for the answer
   * @param by who asked for the restart (its requests are that client's), or null
   */
  public static Behavior<Object> create(ActorRef<ManagerProtocol.Command> manager, Map<NodePath, NodeState> down,
                                        List<String> skipped, String by, ActorRef<Reply> replyTo, Duration timeout) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startSingleTimer(Timeout.INSTANCE, timeout);
      ActorRef<Reply> self = ctx.getSelf().narrow();
      down.forEach((path, state) -> manager.tell(new ManagerProtocol.Request(path, state, true, by, self)));
      String done = "restarted " + down.size() + " node" + (down.size() == 1 ? "" : "s")
          + (skipped.isEmpty() ? "" : "; skipped " + skipped.size() + " that cannot run: " + String.join(", ", skipped));
      return phase("stopping", down.size(), replyTo, timeout, () -> {
        down.keySet().forEach(path -> manager.tell(new ManagerProtocol.Request(path, NodeState.RUNNING, true, by, self)));
        return phase("starting", down.size(), replyTo, timeout, () -> {
          replyTo.tell(new ManagerProtocol.Ok(done, null));
          return Behaviors.stopped();
        });
      });
    }));
  }

  private static Behavior<Object> phase(String what, int waiting, ActorRef<Reply> replyTo, Duration timeout,
                                        Supplier<Behavior<Object>> next) {
    if (waiting == 0) {
      return next.get();
    }
    return Behaviors.receive(Object.class)
        .onMessage(ManagerProtocol.Ok.class, ok -> phase(what, waiting - 1, replyTo, timeout, next))
        .onMessage(ManagerProtocol.Failed.class, failed -> {
          replyTo.tell(new ManagerProtocol.Failed(failed.code(), "restart stopped while " + what + ": " + failed.message()));
          return Behaviors.stopped();
        })
        .onMessage(Timeout.class, t -> {
          replyTo.tell(new ManagerProtocol.Failed(ErrorCode.TIMEOUT, "restart did not finish within " + timeout.toSeconds()
              + " s (" + waiting + " nodes still " + what + ")"));
          return Behaviors.stopped();
        })
        .build();
  }
}
