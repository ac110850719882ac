package io.shepherd.bench;

import io.shepherd.client.EventSubscription;
import io.shepherd.protocol.Event;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** The foundation's figures: request round trip, 1,000 nodes to RUNNING, status of 10,000 nodes. */
final class FoundationBenchmarks {

  private FoundationBenchmarks() {}

  static List<Benchmark> all() {
    return List.of(new RequestRoundTrip(), new CreateAndStart(), new StatusOfManyNodes());
  }

  /** request -> arrived of one node on another JVM, alternating RUNNING and STOPPED. */
  static final class RequestRoundTrip implements Benchmark {
    public String name() {
      return "request-roundtrip";
    }

    public String description() {
      return "request -> arrived round trip of one node across JVMs, 10,000 requests (p50, p99); target p50 <= 1 ms, p99 <= 5 ms";
    }

    public void run(Report report) throws Exception {
      try (BenchCluster cluster = new BenchCluster(name(), BenchCluster.tuning())) {
        cluster.client.createGroup("bench-b/rt").toCompletableFuture().join();
        cluster.client.createNode("bench-b/rt/n", NodeSpec.of("noop", Map.of()), NodeState.RUNNING).toCompletableFuture().join();
        cluster.client.requestAndAwait("bench-b/rt/n", NodeState.RUNNING).toCompletableFuture().join();
        Report.note("warming up");
        roundTrips(cluster, 3_000);
        Report.note("measuring 10,000 requests");
        report.latencies("request-arrived", roundTrips(cluster, 10_000));
        long[] status = new long[2_000];
        for (int i = 0; i < status.length; i++) {
          long start = System.nanoTime();
          cluster.client.status().toCompletableFuture().join();
          status[i] = System.nanoTime() - start;
        }
        report.latencies("client-manager-status", status);
      }
    }

    private static long[] roundTrips(BenchCluster cluster, int count) {
      long[] samples = new long[count];
      for (int i = 0; i < count; i++) {
        NodeState target = i % 2 == 0 ? NodeState.STOPPED : NodeState.RUNNING;
        long start = System.nanoTime();
        cluster.client.requestAndAwait("bench-b/rt/n", target).toCompletableFuture().join();
        samples[i] = System.nanoTime() - start;
      }
      return samples;
    }
  }

  /** 1,000 nodes created and started over 2 hosts, one call per node or one site file, wall time until all are RUNNING. */
  static final class CreateAndStart implements Benchmark {
    public String name() {
      return "create-1000";
    }

    public String description() {
      return "create and start 1,000 nodes spread over 2 hosts, wall time to all RUNNING: through the Java client, a create and a "
          + "request per node (median of 5, after 5 warm-up rounds), then 10,000 nodes (median of 3) to show the growth; then the "
          + "same nodes from one site file each (.site-file: its apply -> every node's RUNNING event at a subscriber; median of 5 "
          + "after 3 warm-up rounds, and of 3 at 10,000); target <= 1 s for 1,000";
    }

    public void run(Report report) throws Exception {
      try (BenchCluster cluster = new BenchCluster(name(), Map.of())) {
        Report.note("warming up: 5 rounds of 1,000 nodes created, started and removed");
        for (int round = 0; round < 5; round++) {
          createAndStart(cluster, "warm" + round, 1_000);
          removeGroups(cluster, "warm" + round);
        }
        long median = rounds(cluster, report, "wall", 1_000, 5);
        Report.note("then 3 rounds of 10,000 nodes, to show the growth");
        long median10k = rounds(cluster, report, "10000.wall", 10_000, 3);
        Report.note("then the same from one site file each: 3 warm-up rounds of 1,000 nodes, 5 of 1,000, 3 of 10,000");
        for (int round = 0; round < 3; round++) {
          fromSiteFile(cluster, "warm-site" + round, 1_000);
        }
        long site = siteFileRounds(cluster, report, "site-file.wall", 1_000, 5);
        long site10k = siteFileRounds(cluster, report, "10000.site-file.wall", 10_000, 3);
        report.figure("per-node", median / 1e6 / 1_000, "ms");
        report.figure("10000.per-node", median10k / 1e6 / 10_000, "ms");
        report.figure("site-file.per-node", site / 1e6 / 1_000, "ms");
        report.figure("10000.site-file.per-node", site10k / 1e6 / 10_000, "ms");
      }
    }

    /** {@code rounds} rounds of {@code count} nodes created and started; prints median, best and worst; returns the median. */
    private static long rounds(BenchCluster cluster, Report report, String name, int count, int rounds) {
      long[] walls = new long[rounds];
      for (int round = 0; round < walls.length; round++) {
        long start = System.nanoTime();
        createAndStart(cluster, "run" + count + "-" + round, count);
        walls[round] = System.nanoTime() - start;
        Report.note(count + " nodes, round " + round + ": " + walls[round] / 1_000_000 + " ms");
        removeGroups(cluster, "run" + count + "-" + round);
      }
      return ProcessBenchmarks.medians(report, name, walls);
    }

    static void createAndStart(BenchCluster cluster, String group, int count) {
      List<String> hosts = List.of("bench-b", "bench-c");
      hosts.forEach(h -> cluster.client.createGroup(h + "/" + group).toCompletableFuture().join());
      List<CompletableFuture<?>> all = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String path = hosts.get(i % 2) + "/" + group + "/n" + i;
        all.add(cluster.client.createNode(path, NodeSpec.of("noop", Map.of()), NodeState.CREATED)
            .thenCompose(created -> cluster.client.requestAndAwait(path, NodeState.RUNNING)).toCompletableFuture());
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    }

    /** {@code rounds} rounds of {@code count} nodes from one site file each; prints median, best and worst; returns the median. */
    private static long siteFileRounds(BenchCluster cluster, Report report, String name, int count, int rounds) throws InterruptedException {
      long[] walls = new long[rounds];
      for (int round = 0; round < walls.length; round++) {
        walls[round] = fromSiteFile(cluster, "site" + count + "-" + round, count);
        Report.note(count + " nodes from a site file, round " + round + ": " + walls[round] / 1_000_000 + " ms");
      }
      return ProcessBenchmarks.medians(report, name, walls);
    }

    /**
     * {@code count} nodes in {@code group} over 2 hosts from one site file: its apply -> every node
     * RUNNING, as the events show; then an empty site file removes them. Returns the wall time.
     */
    static long fromSiteFile(BenchCluster cluster, String group, int count) throws InterruptedException {
      // The group that stays when the nodes go (an empty site file below) is in both files, so it never changes.
      StringBuilder site = new StringBuilder("hosts {\n  bench-b.groups.idle.nodes {}\n");
      for (int host = 0; host < 2; host++) {
        site.append("  bench-").append(host == 0 ? 'b' : 'c').append(".groups.").append(group).append(".nodes {\n");
        for (int i = host; i < count; i += 2) {
          site.append("    n").append(i).append(" { type = noop }\n");
        }
        site.append("  }\n");
      }
      String text = site.append("}\n").toString();
      Set<String> running = ConcurrentHashMap.newKeySet();
      AtomicBoolean missed = new AtomicBoolean();
      long wall;
      try (EventSubscription events = cluster.client.events().subscribe(Set.of(Event.NODE), "*/" + group + "/*", event -> {
        if (Event.RESYNC.equals(event.type())) {
          missed.set(true); // the stream fell behind and events were lost: the status says the rest
        } else if (event.state() == NodeState.RUNNING) {
          running.add(event.path());
        }
      })) {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MINUTES.toNanos(5);
        cluster.client.apply(text, "bench", false).toCompletableFuture().join();
        while (running.size() < count) {
          if (missed.getAndSet(false)) {
            cluster.client.status().toCompletableFuture().join().nodes().stream()
                .filter(n -> n.path().group().equals(group) && n.state() == NodeState.RUNNING)
                .forEach(n -> running.add(n.path().toString()));
          } else if (System.nanoTime() > deadline) {
            throw new IllegalStateException(running.size() + " of " + count + " nodes from the site file ran within 5 minutes");
          } else {
            TimeUnit.MILLISECONDS.sleep(1);
          }
        }
        wall = System.nanoTime() - start;
      }
      cluster.client.apply("hosts { bench-b.groups.idle.nodes {} }\n", "bench", false).toCompletableFuture().join();
      cluster.await("the site file's nodes gone", s -> s.nodes().stream().noneMatch(n -> n.path().group().equals(group)));
      return wall;
    }

    static void removeGroups(BenchCluster cluster, String group) {
      List.of("bench-b", "bench-c").forEach(h -> cluster.client.removeGroup(h + "/" + group).toCompletableFuture().join());
    }
  }

  /** Status answered to a client while the cluster holds 10,000 nodes. */
  static final class StatusOfManyNodes implements Benchmark {
    public String name() {
      return "status-10k";
    }

    public String description() {
      return "status snapshot of a cluster holding 10,000 nodes: latency at the client (p50, p99 of 100, after 100 warm-up calls); target <= 100 ms";
    }

    public void run(Report report) throws Exception {
      try (BenchCluster cluster = new BenchCluster(name(), Map.of())) {
        Report.note("creating 10,000 nodes");
        List<String> hosts = List.of("bench-b", "bench-c");
        hosts.forEach(h -> cluster.client.createGroup(h + "/many").toCompletableFuture().join());
        Semaphore inFlight = new Semaphore(2_000);
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
          inFlight.acquire();
          all.add(cluster.client.createNode(hosts.get(i % 2) + "/many/n" + i, NodeSpec.of("noop", Map.of()), NodeState.RUNNING)
              .whenComplete((s, e) -> inFlight.release()).toCompletableFuture());
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        cluster.await("10,000 nodes running", s -> s.nodes().stream().filter(n -> n.state() == NodeState.RUNNING).count() == 10_000);
        for (int i = 0; i < 100; i++) {
          cluster.client.status().toCompletableFuture().join();
        }
        long[] samples = new long[100];
        for (int i = 0; i < samples.length; i++) {
          long start = System.nanoTime();
          int nodes = cluster.client.status().toCompletableFuture().join().nodes().size();
          samples[i] = System.nanoTime() - start;
          if (nodes != 10_000) {
            throw new IllegalStateException("status had " + nodes + " nodes");
          }
        }
        report.latencies("status-10k", samples);
      }
    }
  }
}
