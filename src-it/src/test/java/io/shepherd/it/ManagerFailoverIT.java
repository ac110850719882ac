package io.shepherd.it;

import static io.shepherd.it.TestCluster.group;
import static io.shepherd.it.TestCluster.host;
import static io.shepherd.it.TestCluster.node;
import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.client.ShepherdClient;
import io.shepherd.client.ShepherdException;
import io.shepherd.member.MemberProcess;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Manager's JVM killed with kill -9: the next manager member takes over with the same desired
 * state and a higher epoch, the hosts register again, nothing is created twice, and client calls
 * during the hand-over complete or fail with a clear error within their timeout.
 */
class ManagerFailoverIT {

  static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aNewManagerTakesOverWithTheSameDesiredStateAndCreatesNothingTwice() throws Exception {
    cluster = TestCluster.create("manager-failover", Map.of());
    MemberProcess alpha = cluster.start("alpha", "manager", "host");
    cluster.start("beta", "manager", "host");
    cluster.start("gamma", "manager", "host");
    ShepherdClient client = cluster.client(CALL_TIMEOUT);
    TestCluster.awaitHostsUp(client, List.of("alpha", "beta", "gamma"));
    ClusterStatus first = client.status().toCompletableFuture().join();
    assertEquals(alpha.address(), first.manager().address(), "the oldest manager member runs the Manager");
    assertNotNull(first.manager().backup(), "status names the backup");

    for (String host : List.of("beta", "gamma")) {
      client.createGroup(host + "/acq", true).toCompletableFuture().join();
      client.createNode(host + "/acq/counter", NodeSpec.of("counter", Map.of()), NodeState.RUNNING).toCompletableFuture().join();
      client.createNode(host + "/acq/sine", NodeSpec.of("sine", Map.of()), NodeState.CREATED).toCompletableFuture().join();
      client.requestAndAwait(host + "/acq/sine", NodeState.INITIALIZED).toCompletableFuture().join();
    }
    client.createGroup("alpha/local", true).toCompletableFuture().join();
    client.createNode("alpha/local/n", NodeSpec.of("noop", Map.of()), NodeState.RUNNING).toCompletableFuture().join();
    ClusterStatus before = TestCluster.awaitStatus(client, "every node arrived",
        s -> s.nodes().size() == 5 && s.nodes().stream().allMatch(NodeStatus::arrived));

    // Calls keep going through the hand-over: each completes, or fails with a clear error, in time.
    AtomicBoolean calling = new AtomicBoolean(true);
    ConcurrentLinkedQueue<String> outcomes = new ConcurrentLinkedQueue<>();
    Thread caller = new Thread(() -> {
      while (calling.get()) {
        long start = System.nanoTime();
        try {
          client.status().toCompletableFuture().join();
          outcomes.add("ok");
        } catch (CompletionException e) {
          outcomes.add(e.getCause() instanceof ShepherdException s ? s.code().name() : "UNEXPECTED " + e.getCause());
        }
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        if (tookMs > CALL_TIMEOUT.toMillis() + 2_000) {
          outcomes.add("HUNG " + tookMs + " ms");
        }
      }
    }, "caller");
    caller.start();
    try {
      cluster.kill(alpha);
      ClusterStatus after = TestCluster.awaitStatus(client, "a new Manager", s -> !s.manager().address().equals(alpha.address())
          && host(s, "alpha").filter(h -> h.status().equals("DOWN")).isPresent()
          && s.hosts().stream().filter(h -> !h.id().equals("alpha")).allMatch(h -> h.status().equals("UP")));
      assertTrue(after.manager().epoch() > before.manager().epoch(), "the new incarnation has a higher epoch");

      // The same desired state: every group and node, with their requested states.
      assertEquals(before.groups().stream().map(g -> g.path().toString()).sorted().toList(),
          after.groups().stream().map(g -> g.path().toString()).sorted().toList());
      for (NodeStatus was : before.nodes()) {
        NodeStatus now = node(after, was.path().toString()).orElseThrow(() -> new AssertionError(was.path() + " is gone"));
        assertEquals(was.requested(), now.requested(), was.path().toString());
      }
      // Nothing created twice: the nodes on the surviving hosts are the same incarnations, still arrived.
      ClusterStatus settled = TestCluster.awaitStatus(client, "the surviving hosts' nodes reported",
          s -> s.nodes().stream().filter(n -> !n.host().equals("alpha")).allMatch(NodeStatus::arrived));
      for (NodeStatus was : before.nodes()) {
        if (!was.host().equals("alpha")) {
          NodeStatus now = node(settled, was.path().toString()).orElseThrow();
          assertEquals(was.since(), now.since(), was.path() + " was not restarted or created again");
          assertEquals(0, now.restarts());
        }
      }
      assertEquals(NodeState.LOST, node(settled, "alpha/local/n").orElseThrow().state());
      assertEquals("WAITING", group(settled, "alpha/local").orElseThrow().status());
      // The new Manager takes calls.
      client.createNode("beta/acq/after", NodeSpec.of("noop", Map.of()), NodeState.RUNNING).toCompletableFuture().join();
      assertEquals(NodeState.RUNNING, client.requestAndAwait("beta/acq/after", NodeState.RUNNING).toCompletableFuture().join().state());
    } finally {
      calling.set(false);
      caller.join(CALL_TIMEOUT.toMillis() * 2);
    }
    assertFalse(outcomes.isEmpty());
    assertTrue(outcomes.stream().allMatch(o -> o.equals("ok") || o.equals("NO_MANAGER") || o.equals("TIMEOUT")),
        "every call completed or failed clearly in time: " + outcomes.stream().filter(o -> !o.equals("ok")).toList());
  }
}
