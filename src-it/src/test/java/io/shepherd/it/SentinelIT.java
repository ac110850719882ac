package io.shepherd.it;

import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.client.ShepherdClient;
import io.shepherd.member.MemberProcess;
import io.shepherd.protocol.ClusterStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A member whose JVM dies while its machine runs on is downed on its sentinel's word, without
 * waiting for the failure detector: kill -9 of the Manager's member, kill -9 of a member's whole
 * process group (its sentinel is in a session of its own), and either member of a two-member
 * cluster (which the failure detector alone cannot survive: a tie). A member that is frozen
 * (SIGSTOP: silent but alive, as a dead machine looks) is never reported by a sentinel; the Split
 * Brain Resolver downs it.
 */
class SentinelIT {

  static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
  static final String DIED = "has died: its sentinel reports that its JVM is gone";

  TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void killedMembersAreDownedOnTheirSentinelsWord() throws Exception {
    cluster = TestCluster.create("sentinel-kill", Map.of());
    List<MemberProcess> members = List.of(cluster.start("alpha", "manager", "host"), cluster.start("beta", "manager", "host"),
        cluster.start("gamma", "manager", "host"));
    ShepherdClient client = cluster.client(CALL_TIMEOUT);
    TestCluster.awaitHostsUp(client, List.of("alpha", "beta", "gamma"));
    awaitIntroduced(members);

    String managerAddress = client.status().toCompletableFuture().join().manager().address();
    MemberProcess manager = members.stream().filter(m -> m.address().equals(managerAddress)).findFirst().orElseThrow();
    List<MemberProcess> left = new ArrayList<>(members);
    left.remove(manager);
    cluster.kill(manager);
    awaitGone(client, manager, left.size());
    assertReported(left, manager);
    ClusterStatus after = client.status().toCompletableFuture().join();
    assertNotEquals(managerAddress, after.manager().address(), "a new Manager");

    // kill -9 of the whole process group, as a closed terminal or a careless service script does
    MemberProcess group = left.get(0);
    left.remove(group);
    signal(-group.pid(), "KILL");
    awaitGone(client, group, left.size());
    assertReported(left, group);
    assertTrue(left.get(0).alive(), "the last member runs on");
  }

  @Test
  void aTwoMemberClusterSurvivesTheKillOfEitherMember() {
    cluster = TestCluster.create("sentinel-two", Map.of());
    List<MemberProcess> members = new ArrayList<>(List.of(cluster.start("alpha", "manager", "host"),
        cluster.start("beta", "manager", "host")));
    ShepherdClient client = cluster.client(CALL_TIMEOUT);
    for (int i = 0; i < members.size(); i++) {
      TestCluster.awaitHostsUp(client, List.of("alpha", "beta"));
      awaitIntroduced(members);
      MemberProcess killed = members.get(i);
      MemberProcess other = members.get(1 - i);
      cluster.kill(killed);
      ClusterStatus after = awaitGone(client, killed, 1);
      assertEquals(other.address(), after.manager().address(), "the survivor runs the Manager");
      assertReported(List.of(other), killed);
      assertTrue(other.alive(), other + " runs on after the loss of " + killed);
      members.set(i, cluster.restart(killed));
    }
  }

  @Test
  void aFrozenMemberIsLeftToTheFailureDetector() throws Exception {
    cluster = TestCluster.create("sentinel-frozen", Map.of());
    List<MemberProcess> members = List.of(cluster.start("alpha", "manager", "host"), cluster.start("beta", "manager", "host"),
        cluster.start("gamma", "host"));
    ShepherdClient client = cluster.client(CALL_TIMEOUT);
    TestCluster.awaitHostsUp(client, List.of("alpha", "beta", "gamma"));
    awaitIntroduced(members);
    MemberProcess gamma = members.get(2);
    cluster.freeze(gamma);
    List<MemberProcess> left = members.subList(0, 2);
    awaitGone(client, gamma, left.size());
    for (MemberProcess member : left) {
      assertFalse(TestCluster.logOf(member).contains("member " + gamma.address() + " " + DIED), "no sentinel spoke for " + gamma);
    }
    assertTrue(left.stream().anyMatch(m -> TestCluster.logOf(m).contains("SBR took decision DownUnreachable")),
        "the Split Brain Resolver downed it");
    cluster.kill(gamma);
  }

  /** Every member has heard of every other one's sentinel. */
  private static void awaitIntroduced(List<MemberProcess> members) {
    for (MemberProcess member : members) {
      for (MemberProcess other : members) {
        if (other != member) {
          TestCluster.awaitLine(member, "the sentinel of member " + other.address() + " will say if its JVM dies");
        }
      }
    }
  }

  private static ClusterStatus awaitGone(ShepherdClient client, MemberProcess gone, int left) {
    return TestCluster.awaitStatus(client, gone + " gone, " + left + " members Up with a Manager", s -> s.manager() != null
        && !s.manager().address().equals(gone.address()) && s.members().size() == left
        && s.members().stream().noneMatch(m -> m.address().equals(gone.address()))
        && s.members().stream().allMatch(m -> m.status().equals("Up")));
  }

  private static void assertReported(List<MemberProcess> survivors, MemberProcess dead) {
    String line = "member " + dead.address() + " " + DIED;
    assertTrue(survivors.stream().anyMatch(m -> TestCluster.logOf(m).contains(line)), "a survivor logged '" + line + "'");
  }

  private static void signal(long pid, String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, "--", Long.toString(pid)).redirectErrorStream(true).start();
    kill.waitFor();
  }
}
