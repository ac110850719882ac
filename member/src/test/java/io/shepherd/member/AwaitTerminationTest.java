package io.shepherd.member;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A member whose actor system does not finish terminating (seen: a transport flushing to
 * unreachable members under a partition) still exits: the wait ends after the last shutdown phase's
 * timeout; one that terminates is waited for.
 */
class AwaitTerminationTest {

  static final Config CONFIG = ConfigFactory.parseString("""
      akka.coordinated-shutdown.exit-jvm = off
      akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off
      akka.coordinated-shutdown.phases.actor-system-terminate.timeout = 1s
      """).withFallback(ConfigFactory.load());

  @Test
  void theWaitEndsWhenTerminationHangsPastTheLastPhase() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch stuck = new CountDownLatch(1);
    // An actor busy in a handler until released cannot stop, and holds the system's termination, as the hung transport did.
    ActorSystem<String> system = ActorSystem.create(Behaviors.receive(String.class).onMessage(String.class, m -> {
      stuck.countDown();
      release.await(60, TimeUnit.SECONDS);
      return Behaviors.same();
    }).build(), "await-hang", CONFIG);
    system.tell("hold");
    assertTrue(stuck.await(10, TimeUnit.SECONDS));
    try {
      ShepherdMember.TerminationWatch watch = ShepherdMember.watchTermination(system);
      CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
      assertFalse(watch.await(), "gave up on a termination that hangs");
      assertFalse(system.getWhenTerminated().toCompletableFuture().isDone(), "the system had indeed not terminated");
    } finally {
      release.countDown();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aTerminationThatCompletesIsWaitedFor() throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "await-ok", CONFIG);
    ShepherdMember.TerminationWatch watch = ShepherdMember.watchTermination(system);
    CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
    assertTrue(watch.await());
    assertTrue(system.getWhenTerminated().toCompletableFuture().isDone());
  }
}
