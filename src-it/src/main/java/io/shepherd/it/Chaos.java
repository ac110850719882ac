package io.shepherd.it;

import com.typesafe.config.ConfigFactory;
import io.shepherd.ShepherdConfig;
import io.shepherd.client.ClientSettings;
import io.shepherd.client.LogSubscription;
import io.shepherd.client.ShepherdClient;
import io.shepherd.member.LocalCluster;
import io.shepherd.member.MemberProcess;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.LogFilter;
import io.shepherd.protocol.LogProtocol;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import io.shepherd.protocol.ProcessSpec;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A chaos soak, black box: 4 members (manager and host each) under a restart loop, as systemd's
 * {@code Restart=always} runs them; Java and process nodes on every host and in a group the Manager
 * places (process nodes with grandchildren; some nodes requested down); then, for a while, kill -9
 * of a random member (the Manager's too), one at a time once the others are all Up, or of a random
 * process node's process. At the end it waits for the cluster to settle and checks what a user
 * would: every node in its requested state, one Manager seen by every member, no process of a node
 * left without its node or running twice, and every log record either received or counted as
 * missing by the log server.
 *
 * @param kills what was killed, for the report
 */
public record Chaos(int memberKills, int processKills, Duration settled, int managersSeen, int orphans, int duplicates,
                    long recordsReceived, long recordsHoles, long recordsCountedMissing, int nodes, List<String> kills) {

  static final String RUN = "SHEPHERD_CHAOS_RUN";
  static final String NODE = "SHEPHERD_CHAOS_NODE";
  static final List<String> HOSTS = List.of("c1", "c2", "c3", "c4");

  /** Records that went missing without the log server counting them: received holes beyond its count. */
  public long recordsLostUncounted() {
    return Math.max(0, recordsHoles - recordsCountedMissing);
  }

  /** Runs the soak for {@code duration} on a cluster of its own under {@code logs}; {@code progress} gets what happens. */
  public static Chaos run(Path logs, Duration duration, long seed, Consumer<String> progress) throws Exception {
    String run = UUID.randomUUID().toString();
    // Members keep the desired state in their work folders: a new soak starts from none.
    TestCluster.deleteRecursively(logs.resolve("work"));
    Map<String, String> properties = Map.of(
        "akka.cluster.jmx.enabled", "off",
        "shepherd.host.work-root", logs.resolve("work").toAbsolutePath().toString(),
        "shepherd.logs.server.dir", logs.resolve("server-logs").toAbsolutePath().toString(),
        "shepherd.host.process.allowed.0", "/usr/bin/*",
        "shepherd.host.process.allowed.1", "/bin/*",
        "shepherd.host.allowed-packages.0", "io.shepherd.it.nodes");
    Random random = new Random(seed);
    try (LocalCluster members = new LocalCluster(logs, LocalCluster.smallJvm(), properties)) {
      Map<String, MemberProcess> byHost = new ConcurrentHashMap<>();
      for (String host : HOSTS) {
        byHost.put(host, members.start(host, Set.of("manager", "host")));
      }
      try (ShepherdClient client = TestClient.of(members)) {
        TestCluster.awaitHostsUp(client, HOSTS);
        Map<String, NodeState> requested = createNodes(client, run);
        TestCluster.awaitStatus(client, "every node in its requested state", s -> settled(s, requested, HOSTS.size()));
        long missingBefore = logStats(client).missing();
        Map<String, Set<Long>> seqsBySource = new ConcurrentHashMap<>();
        List<String> kills = new ArrayList<>();
        int memberKills = 0;
        int processKills = 0;
        long lastKill;
        try (LogSubscription records = client.logs().subscribe(LogFilter.all(), r ->
            seqsBySource.computeIfAbsent(r.source(), k -> ConcurrentHashMap.newKeySet()).add(r.seq()))) {
          long end = System.nanoTime() + duration.toNanos();
          lastKill = System.nanoTime();
          while (System.nanoTime() < end) {
            TimeUnit.MILLISECONDS.sleep(2_000 + random.nextInt(4_000));
            restartTheDead(members, byHost, progress);
            ClusterStatus status = client.status().toCompletableFuture().get(30, TimeUnit.SECONDS);
            boolean allUp = status.members().size() == HOSTS.size() && status.converged()
                && status.members().stream().allMatch(m -> m.status().equals("Up") && m.reachable());
            if (allUp && random.nextInt(3) == 0) {
              String host = HOSTS.get(random.nextInt(HOSTS.size()));
              MemberProcess victim = byHost.get(host);
              boolean manager = status.manager() != null && status.manager().address().equals(victim.address());
              members.kill(victim);
              memberKills++;
              kills.add("member " + host + (manager ? " (the Manager's)" : ""));
              progress.accept("kill -9 of member " + host + (manager ? ", the Manager's" : ""));
              lastKill = System.nanoTime();
            } else {
              List<NodeStatus> running = status.nodes().stream().filter(n -> n.type().equals("process") && n.pid() != null).toList();
              if (!running.isEmpty()) {
                NodeStatus node = running.get(random.nextInt(running.size()));
                // A pid the status still shows may have ended since: only a kill that hit counts.
                if (ProcessHandle.of(node.pid()).map(ProcessHandle::destroyForcibly).orElse(false)) {
                  processKills++;
                  kills.add("process of " + node.path());
                  progress.accept("kill -9 of the process of " + node.path() + " (pid " + node.pid() + ")");
                  lastKill = System.nanoTime();
                }
              }
            }
          }
          progress.accept("chaos over; restarting what is down and waiting for the cluster to settle");
          // Settled: every member killed has ended and been started again, and the cluster has been as
          // asked for 5 s on end (a kill is seen within ~2 s, so a status from before it cannot pass).
          long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
          ClusterStatus last = null;
          long settledSince = 0;
          while (settledSince == 0 || System.nanoTime() - settledSince < TimeUnit.SECONDS.toNanos(5)) {
            if (System.nanoTime() > deadline) {
              throw new AssertionError("the cluster did not settle within 3 minutes after the last kill; last status: " + last);
            }
            restartTheDead(members, byHost, progress);
            try {
              last = client.status().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
              last = null;
            }
            boolean now = last != null && settled(last, requested, HOSTS.size())
                && byHost.values().stream().allMatch(MemberProcess::alive);
            settledSince = !now ? 0 : settledSince == 0 ? System.nanoTime() : settledSince;
            TimeUnit.MILLISECONDS.sleep(200);
          }
          Duration settledAfter = Duration.ofNanos(settledSince - lastKill);
          Set<String> managers = new TreeSet<>();
          for (MemberProcess member : byHost.values()) {
            try (ShepherdClient own = TestClient.of(member, members.properties())) {
              managers.add(own.status().toCompletableFuture().get(30, TimeUnit.SECONDS).manager().address());
            }
          }
          // Processes and records still on their way settle within seconds: look until there is
          // nothing to find, for 30 s at most, and report what was found last.
          int[] orphansAndDuplicates = processes(run, last);
          for (long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
               (orphansAndDuplicates[0] > 0 || orphansAndDuplicates[1] > 0) && System.nanoTime() < until; ) {
            TimeUnit.MILLISECONDS.sleep(500);
            orphansAndDuplicates = processes(run, client.status().toCompletableFuture().get(30, TimeUnit.SECONDS));
          }
          long received = seqsBySource.values().stream().mapToLong(Set::size).sum();
          long holes = seqsBySource.values().stream().mapToLong(Chaos::holes).sum();
          long missing = logStats(client).missing() - missingBefore;
          return new Chaos(memberKills, processKills, settledAfter, managers.size(), orphansAndDuplicates[0], orphansAndDuplicates[1],
              received, holes, missing, requested.size(), kills);
        }
      }
    }
  }

  /** The restart loop: a member whose JVM has ended is started again, as systemd would. */
  private static void restartTheDead(LocalCluster members, Map<String, MemberProcess> byHost, Consumer<String> progress) {
    for (Map.Entry<String, MemberProcess> entry : byHost.entrySet()) {
      if (!entry.getValue().alive()) {
        entry.setValue(members.restart(entry.getValue()));
        progress.accept("restarted member " + entry.getKey());
      }
    }
  }

  /** Per host: a counter, a ticker and a process node with grandchildren; a process node held down; a group the Manager places. */
  private static Map<String, NodeState> createNodes(ShepherdClient client, String run) {
    Map<String, NodeState> requested = new TreeMap<>();
    List<String> groups = new ArrayList<>();
    HOSTS.forEach(h -> groups.add(h + "/chaos"));
    groups.add("any/roam");
    for (String group : groups) {
      client.createGroup(group, true).toCompletableFuture().join();
      create(client, requested, group + "/counter", NodeSpec.of("counter", Map.of()), NodeState.RUNNING);
      create(client, requested, group + "/forker", processSpec(run, group + "/forker"), NodeState.RUNNING);
    }
    for (String host : HOSTS) {
      create(client, requested, host + "/chaos/ticker", NodeSpec.of("io.shepherd.it.nodes.TickerNode",
          Map.of("count", "100000000", "rate", "20")), NodeState.RUNNING);
      create(client, requested, host + "/chaos/held", processSpec(run, host + "/chaos/held"), NodeState.INITIALIZED);
    }
    return requested;
  }

  private static NodeSpec processSpec(String run, String path) {
    return NodeSpec.process(ProcessSpec.of("sh", "-c", "sleep 100000 & sleep 100000 & wait").withEnv(Map.of(RUN, run, NODE, path)));
  }

  private static void create(ShepherdClient client, Map<String, NodeState> requested, String path, NodeSpec spec, NodeState state) {
    client.createNode(path, spec, state).toCompletableFuture().join();
    requested.put(path, state);
  }

  /** Every member Up and reachable, every host UP, and every node in the state requested of it, on a host that is UP. */
  static boolean settled(ClusterStatus status, Map<String, NodeState> requested, int memberCount) {
    if (status.members().size() != memberCount || !status.converged()
        || !status.members().stream().allMatch(m -> m.status().equals("Up") && m.reachable())
        || !status.hosts().stream().allMatch(h -> h.status().equals("UP")) || status.hosts().size() != HOSTS.size()) {
      return false;
    }
    for (Map.Entry<String, NodeState> want : requested.entrySet()) {
      NodeStatus node = TestCluster.node(status, want.getKey()).orElse(null);
      if (node == null || node.requested() != want.getValue() || node.state() != want.getValue()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The processes this run's nodes started, found by the marker in their environment: an orphan is
   * one whose node does not run a process with its session now; a duplicate, a node with processes
   * in more than one session.
   */
  static int[] processes(String run, ClusterStatus status) throws IOException {
    Map<String, Long> sessionOf = new HashMap<>();
    for (NodeStatus node : status.nodes()) {
      if (node.pid() != null) {
        sessionOf.put(node.path().toString(), node.pid());
      }
    }
    Map<String, Set<Long>> sessions = new HashMap<>();
    int orphans = 0;
    try (Stream<Path> proc = Files.list(Path.of("/proc"))) {
      for (Path dir : proc.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
        Map<String, String> env = environment(dir);
        if (!run.equals(env.get(RUN))) {
          continue;
        }
        String node = env.get(NODE);
        long session = session(dir);
        sessions.computeIfAbsent(node, k -> new HashSet<>()).add(session);
        Long expected = sessionOf.get(node);
        if (expected == null || expected != session) {
          orphans++;
        }
      }
    }
    int duplicates = (int) sessions.values().stream().filter(s -> s.size() > 1).count();
    return new int[] {orphans, duplicates};
  }

  private static Map<String, String> environment(Path dir) {
    Map<String, String> env = new HashMap<>();
    try {
      for (String entry : new String(Files.readAllBytes(dir.resolve("environ")), StandardCharsets.UTF_8).split("\0")) {
        int eq = entry.indexOf('=');
        if (eq > 0) {
          env.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
      }
    } catch (IOException e) {
      // gone meanwhile, or not ours to read
    }
    return env;
  }

  private static long session(Path dir) throws IOException {
    String stat = Files.readString(dir.resolve("stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[3]);
  }

  /** Sequence numbers missing between the first and last received of one source. */
  static long holes(Set<Long> seqs) {
    long min = seqs.stream().mapToLong(Long::longValue).min().orElse(0);
    long max = seqs.stream().mapToLong(Long::longValue).max().orElse(-1);
    return max - min + 1 - seqs.size();
  }

  private static LogProtocol.LogStats logStats(ShepherdClient client) throws Exception {
    for (int i = 0; i < 100; i++) {
      ClusterStatus status = client.status().toCompletableFuture().get(30, TimeUnit.SECONDS);
      if (status.logs() != null) {
        return status.logs();
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    throw new AssertionError("the log server reports no counters");
  }

  /** Clients of the chaos cluster's API. */
  static final class TestClient {
    private TestClient() {}

    static ShepherdClient of(LocalCluster members) {
      return connect(members.apiUrls(), members.properties());
    }

    static ShepherdClient of(MemberProcess member, Map<String, String> properties) {
      return connect(List.of(member.api()), properties);
    }

    private static ShepherdClient connect(List<URI> api, Map<String, String> properties) {
      return ShepherdClient.connect(ClientSettings.fromConfig(ShepherdConfig.load(ConfigFactory.parseMap(properties))).withApi(api)
          .withConnectTimeout(TestCluster.PATIENCE).withCallTimeout(Duration.ofSeconds(30)));
    }
  }
}
