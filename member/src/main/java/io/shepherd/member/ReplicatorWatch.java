package io.shepherd.member;

import akka.actor.CoordinatedShutdown;
import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.Cluster;
import akka.cluster.MemberStatus;
import akka.cluster.ddata.DistributedData;
import akka.cluster.typed.SelfUp;
import akka.cluster.typed.Subscribe;
import com.typesafe.config.Config;
import java.time.Duration;
import org.slf4j.LoggerFactory;

/**
 * Watches a manager member's Distributed Data replicator. Akka stops it when its durable store
 * fails to load or write, and then the member must stop, saying why. But it also stops it as soon
 * as the member is removed from the cluster (downed), which can come before the cluster's own
 * shutdown starts; and a member that has not joined yet is "removed" too. So the verdict waits
 * {@code patience} for a shutdown already on its way, and tells a downed member (down, exiting, or
 * removed after it was up) from a store that failed.
 *
 * <p>Supervision: none; it only stops when the member does.
 */
final class ReplicatorWatch {

  sealed interface Command extends NoSerializationVerificationNeeded {}

  private enum SelfWasUp implements Command { INSTANCE }

  private enum Decide implements Command { INSTANCE }

  /** Why the replicator stopped. */
  enum Verdict { SHUTTING_DOWN, DOWNED, STORE_FAILED }

  /** The reason a member shuts down when its store failed: its desired state cannot be kept. */
  static final CoordinatedShutdown.Reason DESIRED_STATE_LOST = new CoordinatedShutdown.Reason() {
    @Override
    public String toString() {
      return "the desired state's replicator stopped";
    }
  };

  private ReplicatorWatch() {}

  static Behavior<Command> create(Duration patience) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ActorSystem<?> system = ctx.getSystem();
      ctx.watch(Adapter.toTyped(DistributedData.get(Adapter.toClassic(system)).replicator()));
      akka.cluster.typed.Cluster.get(system).subscriptions()
          .tell(Subscribe.create(ctx.messageAdapter(SelfUp.class, up -> SelfWasUp.INSTANCE), SelfUp.class));
      boolean[] wasUp = {false};
      return Behaviors.receive(Command.class)
          .onMessage(SelfWasUp.class, m -> {
            wasUp[0] = true;
            return Behaviors.same();
          })
          .onMessage(Decide.class, m -> {
            act(system, verdict(CoordinatedShutdown.get(system).getShutdownReason().isPresent(),
                Cluster.get(Adapter.toClassic(system)).selfMember().status(), wasUp[0]));
            return Behaviors.same();
          })
          .onSignal(Terminated.class, stopped -> {
            timers.startSingleTimer(Decide.INSTANCE, patience);
            return Behaviors.same();
          })
          .build();
    }));
  }

  /**
   * Why the replicator stopped, given whether a shutdown has begun, this member's status, and
   * whether it was ever up (a member that has not joined yet has the status Removed too).
   */
  static Verdict verdict(boolean shuttingDown, MemberStatus status, boolean wasUp) {
    if (shuttingDown) {
      return Verdict.SHUTTING_DOWN;
    }
    if (status == MemberStatus.down() || status == MemberStatus.exiting() || (status == MemberStatus.removed() && wasUp)) {
      return Verdict.DOWNED;
    }
    return Verdict.STORE_FAILED;
  }

  private static void act(ActorSystem<?> system, Verdict verdict) {
    switch (verdict) {
      case SHUTTING_DOWN -> { }
      case DOWNED -> CoordinatedShutdown.get(system).run(CoordinatedShutdown.clusterDowningReason());
      case STORE_FAILED -> {
        Config config = system.settings().config();
        String why = ShepherdMember.durableStateDir(config)
            .map(dir -> DurableState.unreadable(dir, "Distributed Data stopped while loading or writing it; its log says why")
                .getMessage())
            .orElse("Distributed Data stopped; this manager member cannot keep a replica of the desired state");
        LoggerFactory.getLogger(ShepherdMember.class).error("{}; shutting down", why);
        CoordinatedShutdown.get(system).run(DESIRED_STATE_LOST);
      }
    }
  }
}
