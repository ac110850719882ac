package io.shepherd.it;

import static io.shepherd.it.TestCluster.node;
import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.client.ShepherdClient;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import io.shepherd.protocol.RestartPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Node supervision across JVMs: a crash loop ends FAILED after its budget; a hung node is restarted. */
class SupervisionIT {

  static TestCluster cluster;
  static ShepherdClient client;

  @BeforeAll
  static void start() {
    cluster = TestCluster.create("supervision", Map.of());
    cluster.start("alpha", "manager", "host");
    cluster.start("beta", "host");
    client = cluster.client();
    TestCluster.awaitHostsUp(client, List.of("alpha", "beta"));
    client.createGroup("beta/health").toCompletableFuture().join();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aNodeInACrashLoopEndsFailedAfterItsBudget() {
    RestartPolicy budget = new RestartPolicy(Duration.ofMillis(50), Duration.ofMillis(400), 0.2, Duration.ofMinutes(1), 3,
        Duration.ofMinutes(1));
    client.createNode("beta/health/loop", NodeSpec.of("flaky", Map.of("fail-in", "start")).withRestart(budget), NodeState.RUNNING)
        .toCompletableFuture().join();
    ClusterStatus status = TestCluster.awaitStatus(client, "the crash loop to end FAILED", s -> node(s, "beta/health/loop")
        .filter(n -> n.state() == NodeState.FAILED && n.lastFailure() != null && n.lastFailure().contains("restart budget spent"))
        .isPresent());
    NodeStatus failed = node(status, "beta/health/loop").orElseThrow();
    assertEquals(3, failed.restarts());
    assertEquals(NodeState.RUNNING, failed.requested());
    assertFalse(failed.arrived());
    assertTrue(failed.lastFailure().startsWith("start() threw IllegalStateException"), failed.lastFailure());
    // It stays FAILED: no more restarts while nobody asks. An absence can only be watched for a
    // while: five times the longest backoff of its policy, within which a restart would have come.
    TestCluster.sleep(budget.maxBackoff().multipliedBy(5));
    assertEquals(3, node(client.status().toCompletableFuture().join(), "beta/health/loop").orElseThrow().restarts());
  }

  @Test
  void aHungNodeIsRestarted() {
    client.createNode("beta/health/hang", NodeSpec.of("hang", Map.of("deadline", "300ms", "hang-after", "500ms", "hang-times", "1")),
        NodeState.RUNNING).toCompletableFuture().join();
    ClusterStatus status = TestCluster.awaitStatus(client, "the hung node to be restarted", s -> node(s, "beta/health/hang")
        .filter(n -> n.restarts() == 1 && n.state() == NodeState.RUNNING).isPresent());
    NodeStatus restarted = node(status, "beta/health/hang").orElseThrow();
    assertTrue(restarted.lastFailure().startsWith("deadlock-detected: no keepalive"), restarted.lastFailure());
  }
}
