package io.shepherd.member;

import com.typesafe.config.ConfigFactory;
import io.shepherd.ShepherdConfig;
import io.shepherd.client.ClientSettings;
import io.shepherd.client.ShepherdClient;
import io.shepherd.client.StatusTable;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import io.shepherd.protocol.ProcessSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code shepherd demo}: three member JVMs on loopback, demo groups and nodes on every host, the
 * status table; on Ctrl-C or after {@code --duration}, everything stops and no JVM is left.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Starts a 3-member cluster on loopback (manager+host, host, host), runs demo nodes on every host",
        "and prints their status. Stops everything on Ctrl-C or after --duration."})
final class DemoCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--duration", paramLabel = "SECONDS", description = "Stop after this many seconds (default: run until Ctrl-C).")
  Integer duration;

  @Option(names = "--keep", description = "Keep the demo's folder (member logs, throwaway certificates) after it stops; "
      + "by default it is removed unless the demo failed.")
  boolean keep;

  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);

  @Override
  public Integer call() throws Exception {
    if (duration != null && duration < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--duration must be at least 1 second, got " + duration);
    }
    Thread hook = new Thread(() -> {
      stopRequested.countDown();
      try {
        stopped.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      System.out.flush();
      Runtime.getRuntime().halt(0);
    }, "demo-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    Path logs = Files.createTempDirectory("shepherd-demo-");
    // The demo's members and its client talk over mutual TLS too, with throwaway certificates.
    System.out.println("demo: making throwaway TLS certificates for the demo's members (keytool)");
    Certificates.create(logs.resolve("tls"), List.of("demo"), 30);
    Map<String, String> properties = Map.of(
        "shepherd.host.process.allowed.0", "/usr/bin/*",
        "shepherd.host.process.allowed.1", "/bin/*",
        "shepherd.host.work-root", logs.resolve("work").toString(),
        "shepherd.logs.server.dir", logs.resolve("server-logs").toString(),
        "shepherd.tls.enabled", "on",
        "shepherd.tls.dir", logs.resolve("tls").resolve("demo").toString());
    boolean failed = true;
    try (LocalCluster cluster = new LocalCluster(logs, LocalCluster.smallJvm(), properties)) {
      run(cluster, logs, properties);
      failed = false;
    } finally {
      System.out.println("demo: all member JVMs stopped.");
      if (keep || failed) {
        System.out.println("demo: its logs and certificates stay in " + logs);
      } else {
        removeFolder(logs);
      }
      stopped.countDown();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook exits 0
    }
    return 0;
  }

  private static void removeFolder(Path folder) {
    try (Stream<Path> files = Files.walk(folder)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      System.out.println("demo: removed " + folder + " (--keep keeps it)");
    } catch (IOException | UncheckedIOException e) {
      System.out.println("demo: could not remove " + folder + ": " + e.getMessage());
    }
  }

  private void run(LocalCluster cluster, Path logs, Map<String, String> properties) throws InterruptedException {
    System.out.println("demo: starting 3 member JVMs on loopback; their logs are in " + logs);
    List<MemberProcess> members = List.of(
        cluster.start("host-a", Set.of("manager", "host")),
        cluster.start("host-b", Set.of("host")),
        cluster.start("host-c", Set.of("host")));
    members.forEach(m -> System.out.println("demo:   " + m.hostId() + " on port " + m.port() + " (pid " + m.pid() + ")"));
    ClientSettings settings = ClientSettings.fromConfig(ShepherdConfig.load(ConfigFactory.parseMap(properties)))
        .withApi(cluster.apiUrls()).withConnectTimeout(Duration.ofSeconds(90)).withCallTimeout(Duration.ofSeconds(30));
    try (ShepherdClient client = ShepherdClient.connect(settings)) {
      awaitHosts(client, 3);
      System.out.println("demo: 3 hosts are up; creating groups and nodes");
      createDemoNodes(client);
      System.out.println();
      System.out.println(StatusTable.render(client.status().toCompletableFuture().join()));
      System.out.println("demo: the API is at " + cluster.apiUrls().get(0) + "; from another terminal try");
      System.out.println("demo:   bin/shepherd status --api " + cluster.apiUrls().get(0) + " --tls-dir " + logs.resolve("tls").resolve("demo"));
      System.out.println("demo:   bin/shepherd events -f --api " + cluster.apiUrls().get(0) + " --tls-dir " + logs.resolve("tls").resolve("demo"));
      System.out.println(duration == null ? "demo: running; press Ctrl-C to stop." : "demo: running for " + duration + " s.");
      long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.SECONDS.toNanos(duration);
      long nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < end && !stopRequested.await(Math.min(1_000_000_000L, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        if (System.nanoTime() >= nextReport) {
          nextReport += TimeUnit.SECONDS.toNanos(10);
          client.status().thenAccept(s -> System.out.println("demo: " + summary(s)));
        }
      }
      System.out.println("demo: stopping: removing the demo's groups, then stopping the members");
    }
  }

  private static void awaitHosts(ShepherdClient client, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      try {
        ClusterStatus status = client.status().toCompletableFuture().get(10, TimeUnit.SECONDS);
        if (status.hosts().stream().filter(h -> h.status().equals("UP")).count() >= count) {
          return;
        }
      } catch (Exception e) {
        // the Manager may still be starting
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the demo's hosts did not come up within 90 s; see the member logs");
  }

  private static void createDemoNodes(ShepherdClient client) {
    record Demo(String path, String type, Map<String, String> params) {}
    List<Demo> demo = List.of(
        new Demo("host-a/acq/sine", "sine", Map.of("frequency", "2", "rate", "200")),
        new Demo("host-a/acq/counter", "counter", Map.of("rate", "50")),
        new Demo("host-b/acq/sine", "sine", Map.of("frequency", "5", "rate", "500")),
        new Demo("host-b/acq/counter", "counter", Map.of()),
        new Demo("host-c/acq/counter", "counter", Map.of("rate", "20")),
        new Demo("host-c/acq/flaky", "flaky", Map.of("fail-after", "20s")),
        new Demo("any/analysis/reference", "sine", Map.of("frequency", "1")));
    List.of("host-a/acq", "host-b/acq", "host-c/acq", "any/analysis")
        .forEach(g -> client.createGroup(g).toCompletableFuture().join());
    List<CompletableFuture<NodeStatus>> running = new ArrayList<>();
    for (Demo d : demo) {
      running.add(client.createNode(d.path(), NodeSpec.of(d.type(), d.params()), NodeState.CREATED)
          .thenCompose(created -> client.requestAndAwait(d.path(), NodeState.RUNNING)).toCompletableFuture());
    }
    // An OS process too: a driver script whose output lines become the node's log records.
    running.add(client.createProcess("host-b/acq/driver", ProcessSpec.of("bash", "-c",
        "while true; do echo \"reading $RANDOM\"; sleep 2; done"), NodeState.RUNNING)
        .thenCompose(created -> client.requestAndAwait("host-b/acq/driver", NodeState.RUNNING)).toCompletableFuture());
    running.forEach(CompletableFuture::join);
  }

  private static String summary(ClusterStatus status) {
    long up = status.hosts().stream().filter(h -> h.status().equals("UP")).count();
    long running = status.nodes().stream().filter(n -> n.state() == NodeState.RUNNING).count();
    int restarts = status.nodes().stream().mapToInt(NodeStatus::restarts).sum();
    return up + "/" + status.hosts().size() + " hosts up, " + running + "/" + status.nodes().size() + " nodes running, "
        + restarts + " restarts so far (the flaky node crashes every 20 s and is restarted)";
  }
}
