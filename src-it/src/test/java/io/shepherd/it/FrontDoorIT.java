package io.shepherd.it;

import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.client.EventSubscription;
import io.shepherd.client.ShepherdClient;
import io.shepherd.member.Certificates;
import io.shepherd.member.MemberProcess;
import io.shepherd.protocol.ApiJson;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.Event;
import io.shepherd.protocol.LogFilter;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.ProcessSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The front door with real processes: a 3-member cluster over TLS (alpha and beta may run the
 * Manager and serve the API, gamma runs nodes), driven by {@code bin/shepherd} (a thin HTTPS client
 * with the cluster's certificate, or a token) and by the Java client; events and logs followed
 * across a kill -9 of the Manager's member.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FrontDoorIT {

  static final Path HOME = Path.of(System.getProperty("user.dir")).getParent();
  static final Path CERTS = Path.of(System.getProperty("shepherd.it.logs", "target/it-logs"), "front-door-certs");
  static TestCluster cluster;
  static MemberProcess alpha;
  static MemberProcess beta;
  static ShepherdClient client;
  static final List<Process> followers = new CopyOnWriteArrayList<>();

  static Map<String, String> tls(String name) {
    return Map.of("shepherd.tls.enabled", "on", "shepherd.tls.dir", CERTS.resolve(name).toString());
  }

  @BeforeAll
  static void start() throws Exception {
    if (Files.exists(CERTS)) {
      try (var files = Files.walk(CERTS)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Certificates.create(CERTS, List.of("alpha", "beta", "gamma", "operator"), 2);
    cluster = TestCluster.create("front-door", Map.of("shepherd.host.process.allowed.0", "/usr/bin/*",
        "shepherd.host.process.allowed.1", "/bin/*", "shepherd.host.allowed-packages.0", "io.shepherd.host.nodes"));
    alpha = cluster.startWith("alpha", tls("alpha"), "manager", "host");
    beta = cluster.startWith("beta", tls("beta"), "manager", "host");
    cluster.startWith("gamma", tls("gamma"), "host");
    client = cluster.client(Duration.ofSeconds(30), tls("operator"));
    TestCluster.awaitHostsUp(client, List.of("alpha", "beta", "gamma"));
  }

  @AfterAll
  static void stop() {
    followers.forEach(Process::destroyForcibly);
    if (cluster != null) {
      cluster.close();
    }
  }

  static String api() {
    return cluster.apiUrls().stream().map(Object::toString).collect(Collectors.joining(","));
  }

  /** bin/shepherd with this cluster's API and the operator's certificate. */
  static List<String> cli(String... args) {
    List<String> command = new ArrayList<>(List.of(HOME.resolve("bin").resolve("shepherd").toString()));
    command.addAll(List.of(args));
    command.addAll(List.of("--api", api(), "--tls-dir", CERTS.resolve("operator").toString()));
    return command;
  }

  record Result(int status, String out) {}

  static Result run(List<String> command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("SHEPHERD_NO_BUILD", "1");
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "bin/shepherd ended");
    return new Result(process.exitValue(), out);
  }

  static Result ok(String... args) throws Exception {
    Result result = run(cli(args));
    assertEquals(0, result.status(), () -> String.join(" ", args) + " failed: " + result.out());
    return result;
  }

  /** A follower ({@code logs -f}, {@code events -f}): its output lines as they come. */
  static List<String> follow(String... args) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(cli(args)).redirectErrorStream(true);
    builder.environment().put("SHEPHERD_NO_BUILD", "1");
    Process process = builder.start();
    followers.add(process);
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  static void awaitLine(List<String> lines, String what, Predicate<String> match) throws InterruptedException {
    long deadline = System.nanoTime() + TestCluster.PATIENCE.toNanos();
    while (lines.stream().noneMatch(match)) {
      assertTrue(System.nanoTime() < deadline, () -> "no line with " + what + " in: " + lines);
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  @Test
  @Order(1)
  void theCliRunsEveryOperatorCommandOverHttpsWithoutAkka() throws Exception {
    // The CLI's class path holds no Akka at all: every command below runs without it.
    try (var jars = Files.list(HOME.resolve("cli").resolve("target").resolve("lib"))) {
      List<String> names = jars.map(p -> p.getFileName().toString()).toList();
      assertTrue(names.stream().anyMatch(n -> n.startsWith("shepherd-client")), names.toString());
      assertTrue(names.stream().noneMatch(n -> n.startsWith("akka") || n.startsWith("scala")), "no Akka on the CLI's class path: " + names);
    }
    Result status = ok("status");
    assertTrue(status.out().contains("MANAGER akka://shepherd@127.0.0.1:" + alpha.port()), status.out());
    assertTrue(status.out().contains("gamma"), status.out());
    // --json is the API's own JSON.
    ClusterStatus fromCli = ApiJson.mapper()
        .readValue(ok("status", "--json").out(), ClusterStatus.class);
    assertEquals(client.status().toCompletableFuture().join().hosts(), fromCli.hosts());

    Path site = Files.createTempFile("front-door-", ".conf");
    Files.writeString(site, """
        hosts.gamma.groups.door.nodes {
          talker { command = ["/bin/sh", "-c", "while true; do echo talking; sleep 0.2; done"] }
          reader { command = ["/bin/cat"], stdin = on }
          quiet { type = noop, target = down }
        }
        """);
    assertContains(ok("apply", site.toString(), "--dry-run").out(), "would be added: 3");
    assertTrue(client.status().toCompletableFuture().join().nodes().stream().noneMatch(n -> n.path().toString().startsWith("gamma/door/")),
        "a dry run changes nothing");
    assertContains(ok("apply", site.toString()).out(), "added: 3");
    TestCluster.awaitStatus(client, "the site's nodes", s -> node(s, "gamma/door/talker", NodeState.RUNNING)
        && node(s, "gamma/door/reader", NodeState.RUNNING) && node(s, "gamma/door/quiet", NodeState.INITIALIZED));
    assertContains(ok("up", "gamma/door/quiet").out(), "requested up for 1 nodes");
    assertContains(ok("down", "gamma/door/quiet").out(), "down for 1 nodes");
    assertContains(ok("restart", "gamma/door/talker", "--timeout", "60s").out(), "restarted 1 node");
    ok("input", "gamma/door/reader", "hello", "cat");
    ok("logs", "--node", "gamma/door/reader", "--limit", "5");
    TestCluster.awaitStatus(client, "reader's echo in the log server", s -> {
      try {
        return client.logs().tail(new LogFilter("gamma/door/reader", null, null), 10).toCompletableFuture().join()
            .records().stream().anyMatch(r -> r.message().equals("hello cat"));
      } catch (RuntimeException e) {
        return false;
      }
    });
    assertContains(ok("kill", "gamma/door/reader").out(), "killed gamma/door/reader: STOPPED");
    assertContains(ok("purge", "gamma/door/reader").out(), "purged gamma/door/reader");
    ok("mode", "managed", "gamma/door/quiet", "--as", "night-shift");
    assertEquals("night-shift", client.nodeStatus("gamma/door/quiet").toCompletableFuture().join().managedBy());
    ok("mode", "auto", "gamma/door/quiet");
    assertContains(ok("register-type", "gamma/door", "Quiet2", "io.shepherd.host.nodes.NoopNode").out(), "registered node type Quiet2");
    Result outside = run(cli("register-type", "gamma/door", "List", "java.util.ArrayList"));
    assertEquals(1, outside.status(), outside.out());
    assertContains(outside.out(), "not allowed");
    Result events = ok("events", "--node", "gamma/door/*");
    assertTrue(events.out().contains("node") && events.out().contains("gamma/door/talker"), events.out());

    // Errors: message only and status 1; a bad command line: usage and status 2.
    Result refused = run(cli("up", "gamma/nowhere"));
    assertEquals(1, refused.status(), refused.out());
    assertTrue(refused.out().startsWith("error: nothing was changed"), refused.out());
    assertFalse(refused.out().contains("Usage:"), refused.out());
    Result usage = run(cli("up"));
    assertEquals(2, usage.status(), usage.out());
    assertTrue(usage.out().contains("Usage: shepherd up"), usage.out());
    // A read token may read, not operate.
    Path token = Files.createTempFile("read-token-", "");
    Files.writeString(token, Files.readAllLines(CERTS.resolve("operator").resolve(Certificates.API_TOKENS)).stream()
        .filter(l -> l.startsWith("read ")).findFirst().orElseThrow());
    List<String> withToken = new ArrayList<>(List.of(HOME.resolve("bin/shepherd").toString(), "status", "--api", api(), "--tls-dir",
        CERTS.resolve("gamma").toString(), "--token-file", token.toString()));
    assertEquals(0, run(withToken).status());
    withToken.set(1, "down");
    withToken.add(2, "all");
    Result forbidden = run(withToken);
    assertEquals(1, forbidden.status(), forbidden.out());
    assertTrue(forbidden.out().contains("may only read"), forbidden.out());
    // No API to be reached: a clear error within the timeout.
    Result unreachable = run(List.of(HOME.resolve("bin/shepherd").toString(), "status", "--api", "https://127.0.0.1:1", "--tls-dir",
        CERTS.resolve("operator").toString(), "--timeout", "2s"));
    assertEquals(1, unreachable.status());
    assertTrue(unreachable.out().contains("cannot reach the Shepherd API at https://127.0.0.1:1"), unreachable.out());
  }

  static void assertContains(String text, String expected) {
    assertTrue(text.contains(expected), () -> "expected '" + expected + "' in: " + text);
  }

  static boolean node(ClusterStatus status, String path, NodeState state) {
    return TestCluster.node(status, path).map(n -> n.state() == state).orElse(false);
  }

  @Test
  @Order(2)
  void theGroupsOfAJavaClientKilledWithKill9GoWhenItsLeaseLapses() throws Exception {
    Process application = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dshepherd.client.api.0=" + cluster.apiUrls().get(0), "-Dshepherd.client.api.1=" + cluster.apiUrls().get(1),
        "-Dshepherd.tls.dir=" + CERTS.resolve("operator"), "-Dshepherd.client.lease-ttl=2s",
        "-cp", System.getProperty("java.class.path"), LeasedClient.class.getName(), "gamma/leased", "gamma/kept")
        .redirectErrorStream(true).start();
    followers.add(application);
    List<String> out = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> new BufferedReader(new InputStreamReader(application.getInputStream(), StandardCharsets.UTF_8))
        .lines().forEach(out::add));
    reader.setDaemon(true);
    reader.start();
    awaitLine(out, "ready", "ready"::equals);
    ClusterStatus before = client.status().toCompletableFuture().join();
    assertTrue(node(before, "gamma/leased/sleeper", NodeState.RUNNING), before.nodes().toString());
    // The application never joined the cluster: the members are the three hosts, no client.
    assertEquals(cluster.members().stream().map(MemberProcess::address).sorted().toList(),
        before.members().stream().map(ClusterStatus.Member::address).sorted().toList());

    application.destroyForcibly(); // SIGKILL: no goodbye, the lease lapses
    assertTrue(application.waitFor(30, TimeUnit.SECONDS));
    TestCluster.awaitStatus(client, "the killed client's group removed", s -> s.groups().stream()
        .noneMatch(g -> g.path().toString().equals("gamma/leased")) && TestCluster.node(s, "gamma/leased/sleeper").isEmpty());
    ClusterStatus after = client.status().toCompletableFuture().join();
    assertTrue(after.groups().stream().anyMatch(g -> g.path().toString().equals("gamma/kept")), "a persistent group stays");
    client.removeGroup("gamma/kept").toCompletableFuture().join();
  }

  @Test
  @Order(3)
  void eventsAndLogsFollowAFailoverOfTheManagersMember() throws Exception {
    client.createGroup("gamma/follow", true).toCompletableFuture().join();
    client.createProcess("gamma/follow/ticker", ProcessSpec.of("/bin/sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; "
        + "sleep 0.2; done"), NodeState.RUNNING).toCompletableFuture().join();
    List<String> logs = follow("logs", "-f", "--node", "gamma/follow/*", "--timeout", "60s");
    List<String> events = follow("events", "-f", "--node", "gamma/follow/**");
    List<Event> javaEvents = new CopyOnWriteArrayList<>();
    EventSubscription subscription = client.events().subscribe(null, "gamma/follow/*", javaEvents::add);
    assertTrue(subscription.awaitConnected(Duration.ofSeconds(30)));
    awaitLine(logs, "a tick", l -> l.contains("gamma/follow/ticker") && l.contains("tick "));

    cluster.kill(alpha);
    // A new Manager (on beta) takes over; a node created now shows in both followers.
    TestCluster.awaitStatus(client, "beta's Manager", s -> s.manager().address().equals(beta.address()));
    client.createProcess("gamma/follow/after", ProcessSpec.of("/bin/sh", "-c", "echo after the failover; sleep 600"),
        NodeState.RUNNING).toCompletableFuture().join();
    awaitLine(events, "the new node's events", l -> l.contains("gamma/follow/after") && l.contains("RUNNING"));
    awaitLine(events, "the resync of the new epoch", l -> l.contains("resync") || l.contains(" manager "));
    awaitLine(logs, "the new node's output", l -> l.contains("gamma/follow/after") && l.contains("after the failover"));
    long after = logs.stream().filter(l -> l.contains("gamma/follow/ticker")).count();
    awaitLine(logs, "the ticker still followed", l -> logs.stream().filter(x -> x.contains("gamma/follow/ticker")).count() > after + 3);
    // The Java client's subscription followed too, and said that events were missed.
    TestCluster.awaitStatus(client, "the Java subscription's events", s -> javaEvents.stream()
        .anyMatch(e -> "gamma/follow/after".equals(e.path()) && e.state() == NodeState.RUNNING));
    assertTrue(javaEvents.stream().anyMatch(e -> Event.RESYNC.equals(e.type()) || Event.MANAGER.equals(e.type())), javaEvents.toString());
    subscription.close();

    // With no manager member left, logs -f ends with an error (status 1) after its timeout.
    Process logsFollower = followers.get(followers.size() - 2);
    cluster.kill(beta);
    assertTrue(logsFollower.waitFor(TestCluster.PATIENCE.toSeconds(), TimeUnit.SECONDS), "logs -f ended");
    assertEquals(1, logsFollower.exitValue());
    awaitLine(logs, "the error", l -> l.startsWith("error: no "));
  }
}
