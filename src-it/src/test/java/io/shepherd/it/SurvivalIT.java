package io.shepherd.it;

import static io.shepherd.it.TestCluster.node;
import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.client.ShepherdClient;
import io.shepherd.member.MemberProcess;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every member of a two-machine lab with a witness, and of a three-member cluster, killed in turn
 * with kill -9 (the Manager's member too): after each kill the others run on with exactly one
 * Manager and every node of a living host in its requested state (a group placed by the Manager
 * moves); the killed member, started again, rejoins before the next one is killed.
 */
class SurvivalIT {

  static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void twoMachinesAndAWitnessSurviveTheLossOfAnyOne() {
    cluster = TestCluster.create("survival-two-and-witness", Map.of());
    List<MemberProcess> members = new ArrayList<>(List.of(
        cluster.start("alpha", "manager", "host"),
        cluster.start("beta", "manager", "host"),
        cluster.start("witness", "manager")));
    killEachInTurn(members, List.of("alpha", "beta"));
  }

  @Test
  void threeMembersSurviveTheLossOfAnyOne() {
    cluster = TestCluster.create("survival-three", Map.of());
    List<MemberProcess> members = new ArrayList<>(List.of(
        cluster.start("alpha", "manager", "host"),
        cluster.start("beta", "manager", "host"),
        cluster.start("gamma", "manager", "host")));
    killEachInTurn(members, List.of("alpha", "beta", "gamma"));
  }

  private void killEachInTurn(List<MemberProcess> members, List<String> hosts) {
    ShepherdClient client = cluster.client(CALL_TIMEOUT);
    TestCluster.awaitHostsUp(client, hosts);
    for (String host : hosts) {
      client.createGroup(host + "/acq", true).toCompletableFuture().join();
      client.createNode(host + "/acq/counter", NodeSpec.of("counter", Map.of()), NodeState.RUNNING).toCompletableFuture().join();
    }
    client.createGroup("any/roam", true).toCompletableFuture().join();
    client.createNode("any/roam/sine", NodeSpec.of("sine", Map.of()), NodeState.RUNNING).toCompletableFuture().join();
    TestCluster.awaitStatus(client, "every node running", s -> s.nodes().size() == hosts.size() + 1
        && s.nodes().stream().allMatch(n -> n.state() == NodeState.RUNNING));

    for (int i = 0; i < members.size(); i++) {
      MemberProcess killed = members.get(i);
      long epoch = client.status().toCompletableFuture().join().manager().epoch();
      cluster.kill(killed);
      Set<String> managersSeen = new TreeSet<>();
      ClusterStatus after = TestCluster.awaitStatus(client, "the others without " + killed, s -> {
        if (s.manager() != null) {
          managersSeen.add(s.manager().address() + " epoch " + s.manager().epoch());
        }
        return s.manager() != null && !s.manager().address().equals(killed.address())
            && s.members().stream().noneMatch(m -> m.address().equals(killed.address()))
            && s.members().size() == members.size() - 1 && s.members().stream().allMatch(m -> m.status().equals("Up"))
            && livingNodesRunning(s, hosts, killed.hostId());
      });
      assertTrue(after.manager().epoch() >= epoch, "the Manager's epoch never goes back");
      assertTrue(managersSeen.size() <= 2, "at most the old Manager and one new one: " + managersSeen);
      assertOneManager(members, killed, after.manager().address());
      for (MemberProcess other : members) {
        if (other != killed) {
          assertTrue(other.alive(), other + " runs on after the loss of " + killed);
        }
      }

      MemberProcess again = cluster.restart(killed);
      members.set(i, again);
      TestCluster.awaitStatus(client, again + " back and every node running", s -> s.members().size() == members.size()
          && s.members().stream().allMatch(m -> m.status().equals("Up")) && hosts.stream().allMatch(h -> TestCluster.host(s, h)
              .map(x -> x.status().equals("UP")).orElse(false))
          && s.nodes().size() == hosts.size() + 1 && s.nodes().stream().allMatch(n -> n.state() == NodeState.RUNNING));
    }
  }

  /** Every node of a living host runs, and the group the Manager placed runs on a living host. */
  private static boolean livingNodesRunning(ClusterStatus status, List<String> hosts, String lost) {
    for (String host : hosts) {
      if (!host.equals(lost) && !node(status, host + "/acq/counter").map(n -> n.state() == NodeState.RUNNING).orElse(false)) {
        return false;
      }
    }
    return node(status, "any/roam/sine").filter(n -> !n.host().equals(lost)).map(n -> n.state() == NodeState.RUNNING)
        .orElse(false);
  }

  /** Every living manager member's own API names the same Manager. */
  private void assertOneManager(List<MemberProcess> members, MemberProcess killed, String manager) {
    for (MemberProcess member : members) {
      if (member == killed || !member.roles().contains("manager")) {
        continue;
      }
      ShepherdClient own = cluster.clientOf(member, CALL_TIMEOUT);
      ClusterStatus seen = TestCluster.awaitStatus(own, member + "'s view of the Manager",
          s -> s.manager() != null && s.manager().address().equals(manager));
      assertEquals(manager, seen.manager().address());
    }
  }
}
