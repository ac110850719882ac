package io.shepherd.it;

import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.client.ShepherdClient;
import io.shepherd.member.LocalCluster;
import io.shepherd.member.MemberProcess;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Three real member JVMs and a client in this JVM: groups and nodes on two hosts, full lifecycle, status, client close. */
class FoundationIT {

  static TestCluster cluster;
  static ShepherdClient client;

  @BeforeAll
  static void start() {
    cluster = TestCluster.create("foundation", Map.of());
    cluster.start("alpha", "manager", "host");
    cluster.start("beta", "host");
    cluster.start("gamma", "host");
    client = cluster.client();
    TestCluster.awaitHostsUp(client, List.of("alpha", "beta", "gamma"));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    for (MemberProcess member : cluster.members()) {
      assertFalse(member.alive(), member + " was reaped");
    }
  }

  static <T> T get(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  @Test
  void membersSayWhenTheyAreReadyAndWhatToCheckWhenNoSeedAnswers() throws Exception {
    TestCluster.awaitHostsUp(cluster.client(), List.of("alpha", "beta", "gamma"));
    for (MemberProcess member : List.copyOf(cluster.members())) {
      TestCluster.awaitLine(member, "ready: member " + member.address());
      TestCluster.awaitLine(member, "host id " + member.hostId());
    }
    TestCluster.awaitLine(cluster.members().get(0), ", API http");
    // Seeds that point where no member runs: Shepherd says so in its own words.
    MemberProcess lost = cluster.startJoining("lost", List.of("127.0.0.1:" + LocalCluster.freePort()), "host");
    try {
      TestCluster.awaitLine(lost, "not a cluster member yet after 20 s: no seed answered");
      assertTrue(Files.readString(lost.log()).contains("check --seeds"));
    } finally {
      cluster.kill(lost);
    }
  }

  @Test
  void groupsAndNodesOnTwoHostsGoThroughTheLifecycleAndStatusShowsThem() {
    get(client.createGroup("beta/acq"));
    get(client.createGroup("gamma/acq"));
    for (String host : List.of("beta", "gamma")) {
      String sine = host + "/acq/sine";
      get(client.createNode(sine, "sine", Map.of("frequency", "2")));
      assertEquals(NodeState.CONFIGURED, get(client.configure(sine)).state());
      assertEquals(NodeState.INITIALIZED, get(client.initialize(sine)).state());
      assertEquals(NodeState.RUNNING, get(client.start(sine)).state());
      get(client.createNode(host + "/acq/counter", NodeSpec.of("counter", Map.of()), NodeState.CREATED));
      assertEquals(NodeState.RUNNING, get(client.requestAndAwait(host + "/acq/counter", NodeState.RUNNING)).state());
    }

    ClusterStatus status = get(client.status());
    assertEquals(3, status.hosts().size());
    assertTrue(status.hosts().stream().allMatch(h -> h.status().equals("UP")));
    assertEquals(3, status.members().stream().filter(m -> m.status().equals("Up")).count(), "3 members: a client never joins");
    assertTrue(status.members().stream().allMatch(m -> m.roles().contains("member") && !m.roles().contains("client")),
        status.members().toString());
    assertTrue(status.manager().address().startsWith("akka://shepherd@127.0.0.1:"));
    assertTrue(status.manager().epoch() >= 1);
    for (String host : List.of("beta", "gamma")) {
      for (String node : List.of("sine", "counter")) {
        NodeStatus n = status.nodes().stream().filter(s -> s.path().toString().equals(host + "/acq/" + node)).findFirst().orElseThrow();
        assertEquals(host, n.host());
        assertEquals(NodeState.RUNNING, n.state());
        assertTrue(n.arrived());
        assertEquals(0, n.restarts());
      }
    }

    get(client.stop("beta/acq/sine"));
    assertEquals(NodeState.CLOSED, get(client.close("beta/acq/sine")).state());
    get(client.removeNode("beta/acq/sine"));
    assertTrue(get(client.status()).nodes().stream().noneMatch(n -> n.path().toString().equals("beta/acq/sine")));
  }

  @Test
  void closingAClientRemovesTheGroupsItCreated() {
    ShepherdClient other = cluster.client();
    get(other.createGroup("alpha/temporary"));
    get(other.createNode("alpha/temporary/n", NodeSpec.of("noop", Map.of()), NodeState.RUNNING));
    get(other.createGroup("alpha/lasting", true));
    assertTrue(get(client.status()).groups().stream().anyMatch(g -> g.path().toString().equals("alpha/temporary")));
    other.close();
    ClusterStatus after = TestCluster.awaitStatus(client, "the closed client's group removed",
        s -> s.groups().stream().noneMatch(g -> g.path().toString().equals("alpha/temporary")));
    assertTrue(after.groups().stream().anyMatch(g -> g.path().toString().equals("alpha/lasting")), "persistent groups stay");
    assertTrue(after.nodes().stream().noneMatch(n -> n.path().toString().startsWith("alpha/temporary/")));
  }

  @Test
  void aClientKilledWithItsJvmLosesItsGroupsToo() throws Exception {
    // A client in its own JVM, killed with kill -9 once it has created a group.
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "io.shepherd.it.CreateGroupAndWait",
        cluster.apiUrls().stream().map(Object::toString).collect(Collectors.joining(",")), "gamma/orphan");
    builder.redirectErrorStream(true).redirectOutput(Path.of(System.getProperty("shepherd.it.logs", "target"),
        "orphan-client.log").toFile());
    Process process = builder.start();
    try {
      TestCluster.awaitStatus(client, "the other client's group", s -> s.groups().stream()
          .anyMatch(g -> g.path().toString().equals("gamma/orphan")));
      process.destroyForcibly().waitFor();
      TestCluster.awaitStatus(client, "the killed client's group removed", s -> s.groups().stream()
          .noneMatch(g -> g.path().toString().equals("gamma/orphan")));
    } finally {
      process.destroyForcibly();
    }
  }
}
