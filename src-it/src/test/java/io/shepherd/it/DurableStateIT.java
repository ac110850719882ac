package io.shepherd.it;

import static io.shepherd.it.TestCluster.node;
import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.client.ShepherdClient;
import io.shepherd.member.MemberProcess;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.LogFilter;
import io.shepherd.protocol.LogRecord;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A power cut: every member killed with kill -9 at once, then started again. The cluster comes back
 * with every node, requested state, mode, manager, persistent group and checkpoint it had, with no
 * re-apply, also when the number of keys the nodes are spread over ({@code desired-shards}) was
 * changed while it was down. A store that cannot be read stops its member with the way out, and
 * never starts it empty.
 */
class DurableStateIT {

  static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
  static final Pattern STOPPED_AT = Pattern.compile("stopped at count (\\d+)");

  TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void afterEveryMemberIsKilledAndStartedAgainTheClusterHasEverythingItHad() throws Exception {
    cluster = TestCluster.create("durable-state", Map.of("shepherd.host.allowed-packages.0", "io.shepherd.host.nodes"));
    MemberProcess alpha = cluster.start("alpha", "manager", "host");
    MemberProcess beta = cluster.start("beta", "manager", "host");
    ShepherdClient client = cluster.client(CALL_TIMEOUT);
    TestCluster.awaitHostsUp(client, List.of("alpha", "beta"));

    Path site = Files.writeString(cluster.logs().resolve("site.conf"), """
        hosts.alpha.groups.daq.nodes {
          up { type = noop, target = running }
          down { type = noop, target = stopped }
          held { type = noop, target = running, mode = managed }
        }
        hosts.beta.groups.rec.nodes {
          counter { type = counter, target = running, params { rate = "200", checkpoint-every = "100ms" } }
        }
        """);
    client.apply(site).toCompletableFuture().join();
    client.createGroup("beta/kept", true).toCompletableFuture().join();
    client.registerNodeType("beta/kept", "KeptSine", "io.shepherd.host.nodes.SineNode").toCompletableFuture().join();
    client.createNode("beta/kept/sine", NodeSpec.of("KeptSine", Map.of()), NodeState.INITIALIZED).toCompletableFuture().join();
    client.down("alpha/daq/up").toCompletableFuture().join();
    client.setMode(List.of("beta/kept/sine"), Mode.MANAGED, "night-shift").toCompletableFuture().join();
    TestCluster.awaitStatus(client, "every node arrived", s -> s.nodes().size() == 5 && s.nodes().stream().allMatch(NodeStatus::arrived));
    // The counter counts, then checkpoints its count as it stops.
    TestCluster.awaitStatus(client, "the counter counted", s -> countLogged(client, "count [1-9]"));
    client.requestAndAwait("beta/rec/counter", NodeState.STOPPED).toCompletableFuture().join();
    long stoppedAt = stoppedAt(client);
    // A later write acknowledged by a majority: the checkpoint, written before it, is on disk too.
    client.setMode(List.of("alpha/daq/down"), Mode.AUTO, null).toCompletableFuture().join();
    ClusterStatus before = client.status().toCompletableFuture().join();

    cluster.kill(alpha);
    cluster.kill(beta);
    // Started again with the nodes spread over 16 keys instead of the 64 (the default) they were written with.
    Map<String, String> fewerKeys = Map.of("shepherd.manager.desired-shards", "16");
    alpha = cluster.restart(alpha, fewerKeys);
    beta = cluster.restart(beta, fewerKeys);

    long epochBefore = before.manager().epoch();
    ClusterStatus after = TestCluster.awaitStatus(client, "a new Manager with every node arrived again",
        s -> s.manager() != null && s.manager().epoch() > epochBefore && s.nodes().size() == 5
            && s.nodes().stream().allMatch(NodeStatus::arrived));
    assertEquals(desired(before), desired(after), "every node's host, type, requested state, mode and manager");
    assertEquals(groups(before), groups(after), "every group, persistent or not, its owner and its registered types");
    assertEquals(Map.of("KeptSine", "io.shepherd.host.nodes.SineNode"), after.groups().stream()
        .filter(g -> g.path().toString().equals("beta/kept")).findFirst().orElseThrow().types());
    client.requestAndAwait("beta/rec/counter", NodeState.RUNNING).toCompletableFuture().join();
    TestCluster.awaitStatus(client, "the counter resumed from its checkpoint",
        s -> countLogged(client, "resuming from checkpoint at count " + stoppedAt));
  }

  @Test
  void aStoreThatCannotBeReadStopsItsMemberWithTheWayOutAndAfterItTheMemberRejoins() throws Exception {
    cluster = TestCluster.create("durable-state-unreadable", Map.of());
    cluster.start("alpha", "manager", "host");
    MemberProcess beta = cluster.start("beta", "manager", "host");
    cluster.start("gamma", "manager", "host");
    ShepherdClient client = cluster.client(CALL_TIMEOUT);
    TestCluster.awaitHostsUp(client, List.of("alpha", "beta", "gamma"));
    client.createGroup("alpha/acq", true).toCompletableFuture().join();
    client.createNode("alpha/acq/sine", NodeSpec.of("sine", Map.of()), NodeState.RUNNING).toCompletableFuture().join();

    Path store = cluster.logs().resolve("work").resolve("manager-" + beta.port()).toAbsolutePath();
    TestCluster.awaitStatus(client, "beta's store on disk", s -> Files.exists(store.resolve("data.mdb")));
    cluster.kill(beta);
    byte[] garbage = new byte[64 * 1024];
    new Random(7).nextBytes(garbage);
    Files.write(store.resolve("data.mdb"), garbage);
    MemberProcess broken = cluster.restart(beta);
    TestCluster.awaitStatus(client, "the member with the unreadable store to exit", s -> broken.exitValue().isPresent());
    assertEquals(1, broken.exitValue().getAsInt(), "it exits with status 1, so that its service manager says it failed");
    String log = Files.readString(broken.log());
    assertTrue(log.contains("the desired state kept on disk in " + store + " cannot be read"), log);
    assertTrue(log.contains("mv " + store + " " + store + ".unreadable"), "the message says how to start afresh: " + log);
    assertEquals(OptionalInt.empty(), cluster.members().get(0).exitValue(), "the rest of the cluster runs on");

    Files.move(store, store.resolveSibling(store.getFileName() + ".unreadable"));
    MemberProcess again = cluster.restart(beta);
    TestCluster.awaitStatus(client, "beta back, the node still there", s -> s.members().stream()
        .anyMatch(m -> m.address().equals(again.address()) && m.status().equals("Up"))
        && node(s, "alpha/acq/sine").map(NodeStatus::arrived).orElse(false));
  }

  /** What the desired state says of each node, as status shows it. */
  static Map<String, String> desired(ClusterStatus status) {
    Map<String, String> nodes = new TreeMap<>();
    for (NodeStatus n : status.nodes()) {
      nodes.put(n.path().toString(), n.host() + " " + n.type() + " " + n.requested() + " " + n.mode() + " " + n.managedBy());
    }
    return nodes;
  }

  static Map<String, String> groups(ClusterStatus status) {
    Map<String, String> groups = new TreeMap<>();
    for (ClusterStatus.Group g : status.groups()) {
      groups.put(g.path().toString(), g.host() + " persistent=" + g.persistent() + " owner=" + g.owner() + " types=" + g.types());
    }
    return groups;
  }

  static List<LogRecord> counterLog(ShepherdClient client) {
    return client.logs().tail(new LogFilter("beta/rec/counter", null, null), 1000).toCompletableFuture().join().records();
  }

  static boolean countLogged(ShepherdClient client, String regex) {
    try {
      Pattern pattern = Pattern.compile(regex);
      return counterLog(client).stream().anyMatch(r -> pattern.matcher(r.message()).find());
    } catch (RuntimeException e) {
      return false;
    }
  }

  static long stoppedAt(ShepherdClient client) {
    TestCluster.awaitStatus(client, "the counter's stop logged", s -> countLogged(client, STOPPED_AT.pattern()));
    Optional<Long> count = counterLog(client).stream().map(r -> STOPPED_AT.matcher(r.message())).filter(Matcher::find)
        .map(m -> Long.parseLong(m.group(1))).reduce((first, last) -> last);
    assertTrue(count.orElseThrow() > 0, "the counter counted before it stopped");
    return count.get();
  }
}
