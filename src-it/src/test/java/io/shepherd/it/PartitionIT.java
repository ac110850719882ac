package io.shepherd.it;

import static io.shepherd.it.TestCluster.host;
import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.client.ShepherdClient;
import io.shepherd.member.MemberProcess;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A network partition cuts the Manager's member off from the rest: the Split Brain Resolver keeps
 * the majority side, which starts the next Manager; the isolated member downs itself and exits.
 * There is never a second Manager reachable. Needs root and iptables (each member has its own
 * loopback address); the test is skipped, saying so, where they are missing.
 */
class PartitionIT {

  TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void anIsolatedManagerDownsItselfAndTheMajorityRunsTheOnlyManager() throws Exception {
    // Nothing else tests the Split Brain Resolver: where iptables is missing, the build output says so.
    requireIptables();
    cluster = TestCluster.create("partition", Map.of());
    MemberProcess alpha = cluster.startAt("127.0.0.11", "alpha", "manager", "host");
    MemberProcess beta = cluster.startAt("127.0.0.12", "beta", "manager", "host");
    MemberProcess gamma = cluster.startAt("127.0.0.13", "gamma", "manager", "host");
    // The client reaches every manager member's API, the isolated one's too: it keeps asking until
    // the majority's new Manager answers (the isolated member's API goes with its member).
    ShepherdClient client = cluster.client(Duration.ofSeconds(10));
    TestCluster.awaitHostsUp(client, List.of("alpha", "beta", "gamma"));
    client.createGroup("beta/acq", true).toCompletableFuture().join();
    client.createNode("beta/acq/counter", NodeSpec.of("counter", Map.of()), NodeState.RUNNING).toCompletableFuture().join();
    cluster.awaitEveryoneSeesEveryone(List.of(alpha, beta, gamma));
    ClusterStatus before = client.status().toCompletableFuture().join();
    assertEquals(alpha.address(), before.manager().address());

    Set<String> managersSeen = new TreeSet<>();
    try (Partition partition = Partition.isolate("127.0.0.11", List.of("127.0.0.12", "127.0.0.13", "127.0.0.14"))) {
      ClusterStatus after = TestCluster.awaitStatus(client, "the majority's own Manager", s -> {
        managersSeen.add(s.manager().address() + " epoch " + s.manager().epoch());
        return !s.manager().address().equals(alpha.address())
            && s.members().stream().noneMatch(m -> m.address().equals(alpha.address()))
            && host(s, "alpha").filter(h -> h.status().equals("UP")).isEmpty();
      });
      assertTrue(Set.of(beta.address(), gamma.address()).contains(after.manager().address()));
      assertTrue(after.manager().epoch() > before.manager().epoch());
      // The isolated member downed itself: its JVM exits, so it cannot run a Manager.
      assertTrue(waitForExit(alpha, TestCluster.PATIENCE), "the isolated member exits");
      assertEquals(OptionalInt.of(1), alpha.exitValue(), "a downed member exits with status 1, as the README says");
      assertTrue(Files.readString(alpha.log()).contains("downed"), "it says it was downed");
      // The majority keeps working.
      assertEquals(NodeState.RUNNING,
          client.requestAndAwait("beta/acq/counter", NodeState.RUNNING).toCompletableFuture().join().state());
    }
    // Through the whole partition, the majority side saw at most the old and the one new Manager.
    assertTrue(managersSeen.size() <= 2, "managers seen: " + managersSeen);
  }

  @Test
  void twoMachinesAndAWitnessCutInTwoKeepOnlyTheSideWithTheWitness() throws Exception {
    requireIptables();
    cluster = TestCluster.create("partition-two-and-witness", Map.of());
    MemberProcess alpha = cluster.startAt("127.0.0.21", "alpha", "manager", "host");
    MemberProcess beta = cluster.startAt("127.0.0.22", "beta", "manager", "host");
    MemberProcess witness = cluster.startAt("127.0.0.23", "witness", "manager");
    ShepherdClient client = cluster.client(Duration.ofSeconds(10));
    TestCluster.awaitHostsUp(client, List.of("alpha", "beta"));
    client.createGroup("any/roam", true).toCompletableFuture().join();
    client.createNode("any/roam/counter", NodeSpec.of("counter", Map.of()), NodeState.RUNNING).toCompletableFuture().join();
    ClusterStatus before = TestCluster.awaitStatus(client, "the counter running on beta", s -> TestCluster.node(s, "any/roam/counter")
        .map(n -> n.state() == NodeState.RUNNING).orElse(false));
    cluster.awaitEveryoneSeesEveryone(List.of(alpha, beta, witness));
    String placed = TestCluster.node(before, "any/roam/counter").orElseThrow().host();
    // Cut off the machine the counter runs on: alpha, which also runs the Manager, or beta.
    MemberProcess cut = placed.equals("alpha") ? alpha : beta;
    MemberProcess kept = cut == alpha ? beta : alpha;

    Set<String> managersSeen = new TreeSet<>();
    try (Partition partition = Partition.isolate(cut.hostname(), List.of(kept.hostname(), witness.hostname()))) {
      ClusterStatus after = TestCluster.awaitStatus(client, "the side with the witness, the counter moved to " + kept.hostId(), s -> {
        managersSeen.add(s.manager().address() + " epoch " + s.manager().epoch());
        return !s.manager().address().equals(cut.address())
            && s.members().stream().noneMatch(m -> m.address().equals(cut.address()))
            && TestCluster.node(s, "any/roam/counter").map(n -> n.host().equals(kept.hostId()) && n.state() == NodeState.RUNNING)
                .orElse(false);
      });
      assertTrue(Set.of(kept.address(), witness.address()).contains(after.manager().address()));
      assertTrue(waitForExit(cut, TestCluster.PATIENCE), "the machine cut off from the majority downs itself and exits");
      assertEquals(OptionalInt.of(1), cut.exitValue());
      assertTrue(kept.alive() && witness.alive(), "the side with the witness runs on");
    }
    assertTrue(managersSeen.size() <= 2, "managers seen: " + managersSeen);
  }

  /**
   * The first seed, killed and started again while it cannot reach the other seeds for longer than
   * Akka's 5 s seed-node timeout (as when they are too busy to answer), still joins their cluster
   * once they answer, instead of starting a second cluster with a second Manager of its own.
   */
  @Test
  void aRestartedFirstSeedThatHearsNoOneForAWhileJoinsTheClusterInsteadOfStartingASecond() throws Exception {
    requireIptables();
    cluster = TestCluster.create("partition-first-seed", Map.of());
    MemberProcess alpha = cluster.startAt("127.0.0.31", "alpha", "manager", "host");
    MemberProcess beta = cluster.startAt("127.0.0.32", "beta", "manager", "host");
    MemberProcess gamma = cluster.startAt("127.0.0.33", "gamma", "manager", "host");
    ShepherdClient client = cluster.clientOf(beta, Duration.ofSeconds(10));
    TestCluster.awaitHostsUp(client, List.of("alpha", "beta", "gamma"));
    cluster.kill(alpha);
    TestCluster.awaitStatus(client, "alpha gone and a Manager on beta or gamma", s -> s.manager() != null
        && !s.manager().address().equals(alpha.address()) && s.members().stream().noneMatch(m -> m.address().equals(alpha.address())));
    MemberProcess again;
    try (Partition partition = Partition.isolate(alpha.hostname(), List.of(beta.hostname(), gamma.hostname()))) {
      again = cluster.restart(alpha);
      TestCluster.awaitLine(again, "Started up successfully");
      // No condition to wait for: the point is silence longer than Akka's seed-node timeout (5 s).
      TestCluster.sleep(Duration.ofSeconds(8));
      assertFalse(Files.readString(again.log()).contains("forming new cluster"), "the first seed started a cluster of its own");
    }
    ClusterStatus joined = TestCluster.awaitStatus(client, "alpha back in the cluster, with the same Manager", s ->
        s.members().stream().anyMatch(m -> m.address().equals(again.address()) && m.status().equals("Up"))
            && host(s, "alpha").filter(h -> h.status().equals("UP")).isPresent());
    ShepherdClient alphas = cluster.clientOf(again, Duration.ofSeconds(10));
    ClusterStatus seenByAlpha = TestCluster.awaitStatus(alphas, "alpha's own API answering", s -> s.members().size() == 3);
    assertEquals(joined.manager().address(), seenByAlpha.manager().address(), "one Manager, as alpha and beta see it");
    assertFalse(Files.readString(again.log()).contains("forming new cluster"));
  }

  private static void requireIptables() {
    if (!Partition.available()) {
      System.err.println("\n*** PartitionIT NOT RUN: iptables is not usable here (it needs root and the iptables package): "
          + "partition handling (the Split Brain Resolver) was NOT tested in this build ***\n");
    }
    Assumptions.assumeTrue(Partition.available(), "iptables is not usable here (needs root and the iptables package): "
        + "partition handling was NOT tested");
  }

  private static boolean waitForExit(MemberProcess member, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (member.alive() && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(100);
    }
    return !member.alive();
  }
}
