package io.shepherd.bench;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import io.shepherd.ShepherdConfig;
import io.shepherd.host.HostSettings;
import io.shepherd.host.NodeTypes;
import io.shepherd.host.internal.HostEnvironment;
import io.shepherd.host.internal.NodeEvent;
import io.shepherd.host.internal.NodeRunner;
import io.shepherd.member.MemberProcess;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import io.shepherd.protocol.RestartPolicy;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Issue 3's figures: restart latency, host loss, Manager failover, and false DOWNs under load. */
final class SelfHealingBenchmarks {

  private SelfHealingBenchmarks() {}

  static List<Benchmark> all() {
    return List.of(new RestartLatency(), new HostKill("host-kill", Map.of(), false), new HostKill("host-freeze", Map.of(), true),
        new HostKill("host-kill-akka-defaults", akkaDefaults(), false), new ManagerKill("manager-kill", 50, false),
        new ManagerKill("manager-freeze", 50, true), new ManagerKill("manager-kill-10k", 10_000, false), new FalseDown());
  }

  /** Akka's own failure detection and downing timings, for comparison with Shepherd's. */
  static Map<String, String> akkaDefaults() {
    return Map.of(
        "akka.cluster.failure-detector.heartbeat-interval", "1s",
        "akka.cluster.failure-detector.acceptable-heartbeat-pause", "3s",
        "akka.cluster.failure-detector.threshold", "8.0",
        "akka.cluster.split-brain-resolver.stable-after", "20s");
  }

  /** node crash -> RUNNING again, AUTO, each crash a first restart: in one JVM, the runner alone. */
  static final class RestartLatency implements Benchmark {
    public String name() {
      return "restart-latency";
    }

    public String description() {
      return "node crash -> RUNNING again, AUTO, first restart, over 1,000 crashes (p50, p99); target p50 <= 0.5 ms, p99 <= 5 ms";
    }

    public void run(Report report) throws Exception {
      ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "restart", ConfigFactory.parseString("""
          akka.actor.provider = local
          shepherd.host.id = bench
          shepherd.host.node-types.crash = "io.shepherd.bench.CrashOnDemandNode"
          """).withFallback(ShepherdConfig.load(ConfigFactory.parseString("shepherd.tls.enabled = off"))));
      try {
        HostSettings settings = HostSettings.create(system);
        BlockingQueue<Running> running = new LinkedBlockingQueue<>();
        ActorRef<NodeEvent> listener = system.systemActorOf(Behaviors.receive(NodeEvent.class)
            .onMessage(NodeEvent.StatusChanged.class, e -> {
              if (e.status().state() == NodeState.RUNNING) {
                running.add(new Running(System.nanoTime(), e.status().restarts()));
              }
              return Behaviors.same();
            }).build(), "listener", Props.empty());
        // Every crash after the node has arrived is a first restart: no backoff; a budget that never ends.
        RestartPolicy immediate = new RestartPolicy(Duration.ZERO, Duration.ZERO, 0, Duration.ZERO, RestartPolicy.MAX_RESTARTS_LIMIT,
            Duration.ofSeconds(1));
        system.systemActorOf(NodeRunner.create(NodePath.parse("bench/restart/n"), NodeSpec.of("crash", Map.of()).withRestart(immediate),
            NodeState.RUNNING, 1, null, 0, new HostEnvironment(settings, NodeTypes.create(settings), listener)), "runner",
            Props.empty());
        Crashes crashes = new Crashes(running);
        crashes.run(2_000, null);
        long[][] phases = new long[3][1_000];
        report.latencies("crash-running", crashes.run(1_000, phases));
        report.latencies("crash-to-constructor", phases[0]);
        report.latencies("constructor-to-start", phases[1]);
        report.latencies("start-to-running-seen", phases[2]);
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }

    /** A RUNNING status the runner reported, when, and after how many restarts. */
    private record Running(long at, int restarts) {}

    /**
     * Crashes the node on demand; each sample is from a crash to the RUNNING status of the restart
     * it caused (its restart count one up), so that a status sent again for another reason (a
     * stability refresh) never becomes a sample.
     */
    private static final class Crashes {
      private final BlockingQueue<Running> running;
      private int restarts;

      /** Once the node first runs. */
      Crashes(BlockingQueue<Running> running) throws InterruptedException {
        this.running = running;
        this.restarts = running.take().restarts();
      }

      long[] run(int count, long[][] phases) throws InterruptedException {
        long[] samples = new long[count];
        for (int i = 0; i < count; i++) {
          long crashedAt = System.nanoTime();
          CrashOnDemandNode.RUNNING.get().fail("benchmark crash", null);
          long deadline = crashedAt + TimeUnit.SECONDS.toNanos(10);
          Running back;
          do {
            back = running.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (back == null) {
              throw new IllegalStateException("the node did not come back within 10 s after restart " + restarts);
            }
          } while (back.restarts() != restarts + 1);
          restarts = back.restarts();
          samples[i] = back.at() - crashedAt;
          if (phases != null) {
            phases[0][i] = CrashOnDemandNode.constructedAt - crashedAt;
            phases[1][i] = CrashOnDemandNode.startedAt - CrashOnDemandNode.constructedAt;
            phases[2][i] = back.at() - CrashOnDemandNode.startedAt;
          }
        }
        return samples;
      }
    }


  }

  /**
   * host JVM kill -9 (or SIGSTOP: a machine that died, whose sentinel cannot speak) -> reported
   * no longer UP in status (UNREACHABLE or DOWN: how stale a status read through a client can be),
   * -> DOWN, and -> its any group RUNNING on another host; median of 5.
   */
  static final class HostKill implements Benchmark {
    private final String name;
    private final Map<String, String> overrides;
    private final boolean freeze;

    HostKill(String name, Map<String, String> overrides, boolean freeze) {
      this.name = name;
      this.overrides = overrides;
      this.freeze = freeze;
    }

    public String name() {
      return name;
    }

    public String description() {
      return "host JVM " + (freeze ? "SIGSTOP (a dead machine: the failure detector's path)" : "kill -9 (its sentinel's path)")
          + " -> DOWN and -> its any group RUNNING elsewhere, median of 5"
          + (overrides.isEmpty() ? " (shipped settings); target <= 5 s and <= 6 s" : " (Akka's default failure detection, for comparison)");
    }

    public void run(Report report) throws Exception {
      Map<String, String> config = new HashMap<>(overrides);
      config.putAll(BenchCluster.tuning());
      try (BenchCluster cluster = new BenchCluster(name, config, List.of("manager", "host", "host"))) {
        cluster.client.createGroup("any/moving", true).toCompletableFuture().join();
        cluster.client.createNode("any/moving/n", NodeSpec.of("noop", Map.of()), NodeState.RUNNING).toCompletableFuture().join();
        long[] seen = new long[5];
        long[] down = new long[5];
        long[] moved = new long[5];
        for (int round = 0; round < 5; round++) {
          // Every member Up, not Joining: a Joining member does not count for the Split Brain
          // Resolver, and the next kill would leave a tie.
          ClusterStatus now = cluster.await("both hosts and every member up, the node running",
              s -> upHosts(s) == 2 && allMembersUp(s, 3) && running(s, "any/moving/n"));
          String victimId = now.groups().stream().filter(g -> g.path().toString().equals("any/moving")).findFirst().orElseThrow().host();
          MemberProcess victim = cluster.member(victimId);
          long killedAt = System.nanoTime();
          stop(cluster, victim, freeze);
          seen[round] = pollUntil(cluster, s -> s.hosts().stream().anyMatch(h -> h.id().equals(victimId) && !h.status().equals("UP")))
              - killedAt;
          down[round] = pollUntil(cluster, s -> s.hosts().stream().anyMatch(h -> h.id().equals(victimId) && h.status().equals("DOWN")))
              - killedAt;
          moved[round] = pollUntil(cluster, s -> s.nodes().stream().anyMatch(n -> n.path().toString().equals("any/moving/n")
              && n.state() == NodeState.RUNNING && !victimId.equals(n.host()))) - killedAt;
          Report.note("round " + round + ": not UP after " + seen[round] / 1_000_000 + " ms, DOWN after " + down[round] / 1_000_000
              + " ms, moved after " + moved[round] / 1_000_000 + " ms");
          cluster.members.kill(victim);
          cluster.members.restart(victim);
        }
        report.figure("kill-to-not-up.median", median(seen) / 1e6, "ms");
        report.figure("kill-to-not-up.max", max(seen) / 1e6, "ms");
        report.figure("kill-to-down.median", median(down) / 1e6, "ms");
        report.figure("kill-to-down.max", max(down) / 1e6, "ms");
        report.figure("kill-to-moved-running.median", median(moved) / 1e6, "ms");
        report.figure("kill-to-moved-running.max", max(moved) / 1e6, "ms");
      }
    }
  }

  /**
   * Manager JVM kill -9 -> a new Manager answers status with the full desired state, and -> every
   * node arrived again (RUNNING, every host UP); median of 5.
   */
  static final class ManagerKill implements Benchmark {
    private final String name;
    private final int nodes;
    private final boolean freeze;

    ManagerKill(String name, int nodes, boolean freeze) {
      this.name = name;
      this.nodes = nodes;
      this.freeze = freeze;
    }

    public String name() {
      return name;
    }

    public String description() {
      return "Manager JVM " + (freeze ? "SIGSTOP (a dead machine: the failure detector's path)" : "kill -9 (its sentinel's path)")
          + " -> a new Manager answers status with the full desired state (" + String.format("%,d", nodes)
          + " nodes), and -> every node of a living host arrived again, median of 5; target <= 5 s and <= 8 s";
    }

    public void run(Report report) throws Exception {
      try (BenchCluster cluster = new BenchCluster(name(), BenchCluster.tuning(), List.of("manager,host", "manager,host", "manager,host"),
          Duration.ofSeconds(nodes > 1000 ? 30 : 2))) {
        Report.note("creating " + nodes + " nodes on bench-b and bench-c");
        for (String host : List.of("bench-b", "bench-c")) {
          cluster.client.createGroup(host + "/desired", true).toCompletableFuture().join();
          List<CompletableFuture<?>> created = new ArrayList<>();
          for (int i = 0; i < nodes / 2; i++) {
            created.add(cluster.client.createNode(host + "/desired/n" + i, NodeSpec.of("noop", Map.of()), NodeState.RUNNING)
                .toCompletableFuture());
            if (created.size() == 200) {
              CompletableFuture.allOf(created.toArray(CompletableFuture[]::new)).join();
              created.clear();
            }
          }
          CompletableFuture.allOf(created.toArray(CompletableFuture[]::new)).join();
        }
        long[] takeover = new long[5];
        long[] arrived = new long[5];
        for (int round = 0; round < 5; round++) {
          ClusterStatus now = cluster.await("3 hosts and every member up, " + nodes + " nodes running", s -> upHosts(s) == 3
              && allMembersUp(s, 3) && s.nodes().stream().filter(n -> n.state() == NodeState.RUNNING).count() == nodes);
          String managerAddress = now.manager().address();
          MemberProcess victim = cluster.members.members().stream()
              .filter(m -> m.alive() && m.address().equals(managerAddress)).findFirst().orElseThrow();
          String victimHost = victim.hostId();
          long killedAt = System.nanoTime();
          Report.note((freeze ? "freezing" : "killing") + " the Manager's member " + victim + " at " + LocalTime.now());
          stop(cluster, victim, freeze);
          takeover[round] = pollUntil(cluster, s -> !s.manager().address().equals(managerAddress)
              && s.groups().size() == 2 && s.nodes().size() == nodes
              && s.nodes().stream().allMatch(n -> n.requested() == NodeState.RUNNING)) - killedAt;
          // Every node of a living host RUNNING again as the new Manager sees it (those of the killed
          // member's host wait for it: their groups are the host's own).
          arrived[round] = pollUntil(cluster, s -> !s.manager().address().equals(managerAddress)
              && s.hosts().stream().filter(h -> !h.id().equals(victimHost)).allMatch(h -> h.status().equals("UP"))
              && s.nodes().size() == nodes && s.nodes().stream().filter(n -> !n.host().equals(victimHost))
                  .allMatch(n -> n.state() == NodeState.RUNNING)) - killedAt;
          Report.note("round " + round + ": new Manager with the full desired state after " + takeover[round] / 1_000_000
              + " ms, every node arrived after " + arrived[round] / 1_000_000 + " ms");
          cluster.members.kill(victim);
          cluster.members.restart(victim);
        }
        report.figure("kill-to-new-manager.median", median(takeover) / 1e6, "ms");
        report.figure("kill-to-new-manager.max", max(takeover) / 1e6, "ms");
        report.figure("kill-to-all-arrived.median", median(arrived) / 1e6, "ms");
        report.figure("kill-to-all-arrived.max", max(arrived) / 1e6, "ms");
      }
    }
  }

  /**
   * DOWNs of live members while both cores are kept busy and, every 30 s, one host member is killed
   * with kill -9 and started again at once (as systemd's Restart=always would): a member that exits
   * without having been killed was downed falsely.
   */
  static final class FalseDown implements Benchmark {
    public String name() {
      return "false-down";
    }

    public String description() {
      return "false DOWNs of live members during a run with both cores busy and a host member killed and restarted every 30 s "
          + "(default 300 s; -Dshepherd.bench.seconds=N); target 0";
    }

    public void run(Report report) throws Exception {
      long seconds = Long.getLong("shepherd.bench.seconds", 300);
      try (BenchCluster cluster = new BenchCluster(name(), BenchCluster.tuning(), List.of("manager,host", "host", "host"))) {
        List<Process> burners = new ArrayList<>();
        try {
          for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
            burners.add(new ProcessBuilder("sh", "-c", "while :; do :; done").start());
          }
          Report.note("running " + seconds + " s with " + burners.size() + " CPU burners, killing a host member every 30 s");
          int polls = 0;
          int kills = 0;
          int falseDowns = 0;
          List<String> victims = List.of("bench-b", "bench-c");
          List<MemberProcess> killed = new ArrayList<>();
          long nextKill = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
          long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
          while (System.nanoTime() < end) {
            for (MemberProcess member : List.copyOf(cluster.members.members())) {
              if (!member.alive() && !killed.contains(member) && !member.exitValue().isEmpty()) {
                // Exited without being killed: the cluster downed a live member. Start it again, as systemd would.
                falseDowns++;
                killed.add(member);
                Report.note("FALSE DOWN: " + member + " exited with status " + member.exitValue().getAsInt() + "; restarting it");
                cluster.members.restart(member);
              }
            }
            if (System.nanoTime() > nextKill) {
              MemberProcess victim = cluster.member(victims.get(kills % victims.size()));
              cluster.members.kill(victim);
              killed.add(victim);
              kills++;
              Report.note("kill -9 of " + victim + "; restarting it at once");
              cluster.members.restart(victim);
              nextKill = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            }
            try {
              cluster.client.status().toCompletableFuture().get(30, TimeUnit.SECONDS);
              polls++;
            } catch (Exception e) {
              Report.note("status failed: " + e);
            }
            TimeUnit.SECONDS.sleep(1);
          }
          report.figure("false-down.duration", seconds, "s");
          report.figure("false-down.polls", polls, "count");
          report.figure("false-down.member-kills", kills, "count");
          report.figure("false-down.members-downed-falsely", falseDowns, "count");
        } finally {
          burners.forEach(Process::destroyForcibly);
        }
      }
    }
  }

  static long upHosts(ClusterStatus status) {
    return status.hosts().stream().filter(h -> h.status().equals("UP")).count();
  }

  /** Exactly {@code count} members (clients never join), all Up and reachable. */
  static boolean allMembersUp(ClusterStatus status, int count) {
    return status.converged() && status.members().size() == count
        && status.members().stream().allMatch(m -> m.status().equals("Up") && m.reachable());
  }

  static boolean running(ClusterStatus status, String path) {
    return status.nodes().stream().anyMatch(n -> n.path().toString().equals(path) && n.state() == NodeState.RUNNING);
  }

  /** Polls status as fast as it answers; returns the time the condition first held. */
  /** kill -9 of a member JVM, or SIGSTOP: silent but alive, as the others see a machine that died. */
  static void stop(BenchCluster cluster, MemberProcess victim, boolean freeze) {
    if (freeze) {
      cluster.members.freeze(victim);
    } else {
      cluster.members.kill(victim);
    }
  }

  static long pollUntil(BenchCluster cluster, Predicate<ClusterStatus> condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline) {
      try {
        ClusterStatus status = cluster.client.status().toCompletableFuture().get(10, TimeUnit.SECONDS);
        if (condition.test(status)) {
          return System.nanoTime();
        }
      } catch (Exception e) {
        // no Manager for a moment
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    throw new IllegalStateException("condition not reached within 3 minutes");
  }

  static long median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  static long max(long[] values) {
    return Arrays.stream(values).max().orElse(0);
  }

  static Optional<NodeStatus> node(ClusterStatus status, String path) {
    return status.nodes().stream().filter(n -> n.path().toString().equals(path)).findFirst();
  }
}
