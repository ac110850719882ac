package io.shepherd.manager.internal;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.ManagerProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A short-lived child that waits for {@code expected} replies and answers once: Ok if all were
 * Ok, else Failed with every failure; Failed with TIMEOUT if they do not all come in time.
 * Spawn it with {@link #spawn} and hand out the reference it returns.
 */
public final class ReplyAggregator {

  private ReplyAggregator() {}

  private enum Timeout { INSTANCE }

  /** Spawns an aggregator as a child of {@code ctx}'s actor; its reference is where the replies go. */
  public static ActorRef<ManagerProtocol.Reply> spawn(ActorContext<?> ctx, int expected, ActorRef<ManagerProtocol.Reply> replyTo,
                                                      String okMessage, Duration timeout) {
    return ctx.spawnAnonymous(create(expected, replyTo, okMessage, timeout)).narrow();
  }

  public static Behavior<Object> create(int expected, ActorRef<ManagerProtocol.Reply> replyTo, String okMessage, Duration timeout) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startSingleTimer(Timeout.INSTANCE, timeout);
      List<String> failures = new ArrayList<>();
      int[] received = {0};
      return Behaviors.receive(Object.class)
          .onMessageEquals(Timeout.INSTANCE, () -> {
            replyTo.tell(new ManagerProtocol.Failed(ErrorCode.TIMEOUT,
                (expected - received[0]) + " of " + expected + " operations did not finish within " + timeout.toSeconds() + " s"));
            return Behaviors.stopped();
          })
          .onMessage(ManagerProtocol.Reply.class, reply -> {
            if (reply instanceof ManagerProtocol.Failed failed) {
              failures.add(failed.message());
            }
            if (++received[0] < expected) {
              return Behaviors.same();
            }
            replyTo.tell(failures.isEmpty()
                ? new ManagerProtocol.Ok(okMessage, null)
                : new ManagerProtocol.Failed(ErrorCode.INTERNAL, String.join("; ", failures)));
            return Behaviors.stopped();
          })
          .build();
    }));
  }
}
