package io.shepherd.it;

import static io.shepherd.it.TestCluster.group;
import static io.shepherd.it.TestCluster.host;
import static io.shepherd.it.TestCluster.node;
import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.client.ShepherdClient;
import io.shepherd.member.MemberProcess;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A host that is lost: its JVM killed with kill -9 (its sentinel tells the others, and it is DOWN at
 * once), or frozen with SIGSTOP as a dead machine looks (the failure detector reports it UNREACHABLE,
 * then the Split Brain Resolver downs it). Its nodes are LOST, with no process; its {@code any}
 * groups come back on another host; when it restarts, its pinned groups come back on it, and
 * nothing runs twice.
 */
class HostFailureIT {

  TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aKilledHostsGroupsMoveOrWaitAndComeBackWhenItRestarts() {
    loseAHost("host-failure-kill", false);
  }

  @Test
  void aFrozenHostIsUnreachableThenDownAndItsGroupsMoveOrWait() {
    loseAHost("host-failure-freeze", true);
  }

  private void loseAHost(String name, boolean freeze) {
    cluster = TestCluster.create(name, Map.of());
    cluster.start("alpha", "manager");
    MemberProcess beta = cluster.start("beta", "host");
    cluster.start("gamma", "host");
    ShepherdClient client = cluster.client();
    TestCluster.awaitHostsUp(client, List.of("beta", "gamma"));

    // Both hosts are empty: the any group goes to the first by id, beta.
    client.createGroup("any/analysis", true).toCompletableFuture().join();
    client.createNode("any/analysis/counter", NodeSpec.of("counter", Map.of()), NodeState.RUNNING).toCompletableFuture().join();
    client.createGroup("beta/pinned", true).toCompletableFuture().join();
    client.createNode("beta/pinned/sine", NodeSpec.of("sine", Map.of()), NodeState.RUNNING).toCompletableFuture().join();
    ClusterStatus before = TestCluster.awaitStatus(client, "all nodes running", s -> s.nodes().size() == 2
        && s.nodes().stream().allMatch(n -> n.state() == NodeState.RUNNING));
    assertEquals("beta", group(before, "any/analysis").orElseThrow().host());

    if (freeze) {
      cluster.freeze(beta);
    } else {
      cluster.kill(beta);
    }
    Set<String> seen = new HashSet<>();
    ClusterStatus down = TestCluster.awaitStatus(client, "beta DOWN", s -> {
      seen.add(host(s, "beta").orElseThrow().status());
      return host(s, "beta").orElseThrow().status().equals("DOWN");
    });
    if (freeze) {
      assertTrue(seen.contains("UNREACHABLE"), "beta was reported UNREACHABLE before DOWN: " + seen);
    }
    ClusterStatus moved = TestCluster.awaitStatus(client, "the any group running on gamma",
        s -> group(s, "any/analysis").filter(g -> "gamma".equals(g.host()) && g.status().equals("UP")).isPresent()
            && node(s, "any/analysis/counter").filter(n -> n.state() == NodeState.RUNNING && "gamma".equals(n.host())).isPresent());
    int counterRun = node(before, "any/analysis/counter").orElseThrow().incarnation();
    assertTrue(counterRun >= 1, "a running node is in a run: " + counterRun);
    assertEquals(counterRun + 1, node(moved, "any/analysis/counter").orElseThrow().incarnation(),
        "the moved node's run on gamma counts on from its last on beta");
    NodeStatus lost = node(moved, "beta/pinned/sine").orElseThrow();
    assertEquals(NodeState.LOST, lost.state(), "the pinned group waits for its host");
    assertNull(lost.pid());
    assertEquals("lost with its host", lost.exit());
    assertEquals("wait", lost.nextAction());
    assertEquals("WAITING", group(moved, "beta/pinned").orElseThrow().status());

    cluster.kill(beta); // a frozen JVM is ended before it starts again
    cluster.restart(beta);
    ClusterStatus back = TestCluster.awaitStatus(client, "beta back with its pinned group",
        s -> host(s, "beta").filter(h -> h.status().equals("UP")).isPresent()
            && node(s, "beta/pinned/sine").filter(n -> n.state() == NodeState.RUNNING && "beta".equals(n.host())).isPresent());
    assertEquals("gamma", group(back, "any/analysis").orElseThrow().host(), "the moved group stays where it runs");
    assertEquals(node(before, "beta/pinned/sine").orElseThrow().incarnation() + 1, node(back, "beta/pinned/sine").orElseThrow().incarnation(),
        "the restarted host's node counts its runs on");
    assertEquals(2, back.nodes().size());
    assertEquals(1, back.hosts().stream().filter(h -> h.id().equals("beta")).count());
    ClusterStatus.Host gamma = host(back, "gamma").orElseThrow();
    assertEquals(1, gamma.nodes(), "nothing was created twice");
  }
}
