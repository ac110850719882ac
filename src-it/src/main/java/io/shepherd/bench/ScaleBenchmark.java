package io.shepherd.bench;

import com.typesafe.config.ConfigFactory;
import io.shepherd.ShepherdConfig;
import io.shepherd.client.ClientSettings;
import io.shepherd.client.ShepherdClient;
import io.shepherd.member.LocalCluster;
import io.shepherd.member.MemberProcess;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code bin/shepherd bench scale}: a cluster of 8 host JVMs with small heaps (the first 3 also
 * manager members) grown to 1,000, 5,000 and 10,000 nodes; at each size: the time to create and
 * start the nodes added, status latency, one node's request -> arrived, and a Manager failover;
 * at the end, how each figure grew from the first size.
 */
final class ScaleBenchmark implements Benchmark {

  static final int HOSTS = 8;
  static final int[] SIZES = {1_000, 5_000, 10_000};
  /**
   * How often it reads the status while it waits. A status of 10,000 nodes takes the Manager, an
   * API member and this JVM tens of milliseconds; read every 50 ms, it kept about a core of the
   * machine's two busy for the whole wait. The create figures are so precise to this period.
   */
  static final Duration POLL = Duration.ofMillis(500);

  public String name() {
    return "scale";
  }

  public String description() {
    return "8 host JVMs (512 MiB heaps, C1 only) grown to 1,000, 5,000 and 10,000 nodes: create-and-start of the nodes added, status "
        + "latency (p50, p99 of 20), one node's request -> arrived (p50 of 20), Manager kill -9 -> a new Manager with every node, the "
        + "killed member restarted -> its host up and every node running; then each figure's growth as a ratio to its value at 1,000";
  }

  public void run(Report report) throws Exception {
    Path logs = Files.createTempDirectory("shepherd-bench-scale-");
    Report.note("member logs in " + logs);
    Map<String, String> properties = new LinkedHashMap<>(Map.of(
        "shepherd.host.work-root", logs.resolve("work").toString(),
        "shepherd.logs.server.dir", logs.resolve("server-logs").toString()));
    properties.putAll(BenchCluster.tuning());
    // C1 only, as LocalCluster.smallJvm: 8 JVMs share this machine's cores, and with both compilers
    // the JIT took 43 % of all CPU while the first 1,000 nodes were created (perf by thread: C2 34 %,
    // C1 8.6 %); two runs so were downed before 1,000, three with C1 only reached 5,000.
    // SHEPHERD_BENCH_JVM_OPTS replaces these options, as for every benchmark.
    List<String> jvm = new ArrayList<>(BenchCluster.jvmOptions(
        List.of("-Xms512m", "-Xmx512m", "-XX:+UseSerialGC", "-Xss512k", "-XX:TieredStopAtLevel=1")));
    Report.note("member JVMs: " + String.join(" ", jvm));
    // Each member's garbage collections in gc-PID.log beside its log: a member that stalls shows why.
    jvm.add("-Xlog:gc:file=" + logs.resolve("gc-%p.log") + ":time,uptime");
    try (LocalCluster members = new LocalCluster(logs, jvm, properties)) {
      List<String> hosts = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        hosts.add("scale-" + i);
        members.start("scale-" + i, Set.of("manager", "host"));
      }
      try (ShepherdClient client = ShepherdClient.connect(ClientSettings.fromConfig(ShepherdConfig.load(ConfigFactory.parseMap(
          members.properties()))).withApi(members.apiUrls()).withConnectTimeout(Duration.ofSeconds(120)).withCallTimeout(Duration.ofSeconds(60)))) {
        await(client, "3 hosts up", s -> s.hosts().stream().filter(h -> h.status().equals("UP")).count() == 3);
        // One after another, as a lab's machines come up: 8 member JVMs starting at once on 2 cores
        // stall each other's heartbeats for over a second, and were downed (seen here).
        for (int i = 3; i < HOSTS; i++) {
          hosts.add("scale-" + i);
          members.start("scale-" + i, Set.of("host"));
          int up = i + 1;
          await(client, up + " hosts up", s -> s.hosts().stream().filter(h -> h.status().equals("UP")).count() == up);
        }
        for (String host : hosts) {
          client.createGroup(host + "/scale", true).toCompletableFuture().join();
        }
        int created = 0;
        Map<String, double[]> grown = new LinkedHashMap<>();
        for (int stage = 0; stage < SIZES.length; stage++) {
          int size = SIZES[stage];
          String at = "nodes-" + size;
          long start = System.nanoTime();
          List<CompletableFuture<?>> batch = new ArrayList<>();
          for (int n = created; n < size; n++) {
            batch.add(client.createNode(hosts.get(n % HOSTS) + "/scale/n" + n, NodeSpec.of("noop", Map.of()), NodeState.RUNNING)
                .toCompletableFuture());
            if (batch.size() == 200) {
              CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).join();
              batch.clear();
            }
          }
          CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).join();
          int expected = size;
          await(client, size + " nodes running", s -> s.nodes().size() == expected
              && s.nodes().stream().allMatch(n -> n.state() == NodeState.RUNNING));
          double createMs = (System.nanoTime() - start) / 1e6;
          report.figure(at + ".create-and-start-added", createMs, "ms");
          report.figure(at + ".added", size - created, "count");
          growing(report, grown, at, stage, "create-and-start-per-node", createMs / (size - created));
          created = size;

          long[] status = new long[20];
          for (int i = 0; i < status.length; i++) {
            long t = System.nanoTime();
            client.status().toCompletableFuture().get(60, TimeUnit.SECONDS);
            status[i] = System.nanoTime() - t;
          }
          growing(report, grown, at, stage, "status.p50", Report.percentile(sorted(status), 50) / 1e6);
          report.figure(at + ".status.p99", Report.percentile(sorted(status), 99) / 1e6, "ms");

          long[] request = new long[20];
          for (int i = 0; i < request.length; i++) {
            NodeState want = i % 2 == 0 ? NodeState.STOPPED : NodeState.RUNNING;
            long t = System.nanoTime();
            client.requestAndAwait(hosts.get(0) + "/scale/n0", want).toCompletableFuture().get(60, TimeUnit.SECONDS);
            request[i] = System.nanoTime() - t;
          }
          growing(report, grown, at, stage, "request-arrived.p50", Report.percentile(sorted(request), 50) / 1e6);

          ClusterStatus now = client.status().toCompletableFuture().get(60, TimeUnit.SECONDS);
          String manager = now.manager().address();
          MemberProcess victim = members.members().stream().filter(m -> m.alive() && m.address().equals(manager)).findFirst()
              .orElseThrow();
          long killed = System.nanoTime();
          members.kill(victim);
          await(client, "a new Manager with " + size + " nodes", s -> s.manager() != null && !s.manager().address().equals(manager)
              && s.nodes().size() == expected);
          growing(report, grown, at, stage, "manager-failover", (System.nanoTime() - killed) / 1e6);
          long restarted = System.nanoTime();
          members.restart(victim);
          await(client, "every host up and every node running again", s -> s.hosts().stream().allMatch(h -> h.status().equals("UP"))
              && s.nodes().size() == expected && s.nodes().stream().allMatch(n -> n.state() == NodeState.RUNNING));
          // The killed member started again (a new JVM, a cold replica of the desired state) until
          // its host is up and every node runs: what a restarted manager member costs the cluster.
          report.figure(at + ".killed-member-back", (System.nanoTime() - restarted) / 1e6, "ms");
        }
        // How each figure grows: its value at each size over its value at the first (x10 nodes at the last).
        grown.forEach((figure, values) -> {
          for (int stage = 1; stage < SIZES.length; stage++) {
            report.figure("growth." + figure + "." + SIZES[stage] + "-over-" + SIZES[0], values[stage] / values[0], "ratio");
          }
        });
      }
    }
  }

  /** Reports {@code figure} (ms) at {@code at}, the size of {@code stage}, and keeps it to print how it grows. */
  private static void growing(Report report, Map<String, double[]> grown, String at, int stage, String figure, double ms) {
    report.figure(at + "." + figure, ms, "ms");
    grown.computeIfAbsent(figure, f -> new double[SIZES.length])[stage] = ms;
  }

  private static long[] sorted(long[] values) {
    long[] copy = values.clone();
    Arrays.sort(copy);
    return copy;
  }

  private static void await(ShepherdClient client, String what, Predicate<ClusterStatus> condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    while (System.nanoTime() < deadline) {
      try {
        if (condition.test(client.status().toCompletableFuture().get(60, TimeUnit.SECONDS))) {
          return;
        }
      } catch (Exception e) {
        // a failover, for a moment
      }
      TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
    }
    throw new IllegalStateException("timed out after 10 minutes waiting for " + what);
  }
}
