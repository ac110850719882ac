package io.shepherd.member;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.cluster.Cluster;
import akka.cluster.MemberStatus;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.shepherd.ShepherdConfig;
import io.shepherd.testing.TestConfig;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A manager member that the cluster downs: Distributed Data stops its replicator when the member
 * is removed, which can come before the cluster's own shutdown starts; the member must then say it
 * was downed, never that its desired state could not be kept (seen in bench scale: every downed
 * manager member blamed its store).
 */
class DownedMemberTest {

  @Test
  void theVerdictTellsADownedMemberFromAFailedStore() {
    assertEquals(ReplicatorWatch.Verdict.SHUTTING_DOWN, ReplicatorWatch.verdict(true, MemberStatus.removed(), false));
    assertEquals(ReplicatorWatch.Verdict.DOWNED, ReplicatorWatch.verdict(false, MemberStatus.down(), false));
    assertEquals(ReplicatorWatch.Verdict.DOWNED, ReplicatorWatch.verdict(false, MemberStatus.removed(), true), "removed after it was up");
    assertEquals(ReplicatorWatch.Verdict.STORE_FAILED, ReplicatorWatch.verdict(false, MemberStatus.removed(), false),
        "not joined yet: a member has the status Removed before it joins");
    assertEquals(ReplicatorWatch.Verdict.STORE_FAILED, ReplicatorWatch.verdict(false, MemberStatus.up(), true));
  }

  @Test
  void aDownedManagerMemberSaysItWasDownedNotThatItLostItsDesiredState() throws Exception {
    Config base = ConfigFactory.parseString("""
        akka.coordinated-shutdown.exit-jvm = off
        akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off
        shepherd.api.port = 0
        """).withFallback(ShepherdConfig.load(TestConfig.plain()));
    ActorSystem<Void> system = ShepherdMember.start(ShepherdMember.memberConfig(
        new MemberOptions(null, "127.0.0.1", 0, List.of(), Set.of("manager"), null), base));
    try {
      Cluster cluster = Cluster.get(Adapter.toClassic(system));
      cluster.join(cluster.selfAddress());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (cluster.selfMember().status() != MemberStatus.up()) {
        assertTrue(System.nanoTime() < deadline, "the member did not come up");
        Thread.sleep(20);
      }
      cluster.down(cluster.selfAddress());
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
      assertTrue(ShepherdMember.downed(system), "the member says it was downed");
      assertFalse(ShepherdMember.lostDesiredState(system), "and does not blame its store");
    } finally {
      system.terminate();
    }
  }
}
