package io.shepherd.it;

import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.client.LogSubscription;
import io.shepherd.client.ShepherdClient;
import io.shepherd.it.nodes.TickerNode;
import io.shepherd.member.LocalCluster;
import io.shepherd.member.MemberProcess;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.LogFilter;
import io.shepherd.protocol.LogLevel;
import io.shepherd.protocol.LogRecord;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.ProcessSpec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Central logs across real member JVMs: records of nodes on several hosts, process output and
 * uncaught exceptions reach a subscriber in time order; {@code logs -f} prints them as they come;
 * and killing the Manager's JVM while nodes log loses no record.
 */
class LogsIT {

  static final Path WORK = Path.of(System.getProperty("shepherd.it.logs", "target/it-logs"), "logs-work").toAbsolutePath();
  static final Pattern TICK = Pattern.compile("tick (\\d+)");

  TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static Map<String, String> config(String name) {
    return Map.of(
        "shepherd.host.allowed-packages.0", "io.shepherd.it.nodes",
        "shepherd.host.process.allowed.0", "/usr/bin/*",
        "shepherd.host.process.allowed.1", "/bin/*",
        "shepherd.host.work-root", WORK.resolve(name).toString(),
        "shepherd.logs.server.dir", WORK.resolve(name).resolve("server-logs").toString());
  }

  static <T> T get(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  static void awaitRecords(List<LogRecord> records, String what, Predicate<List<LogRecord>> condition) throws InterruptedException {
    long deadline = System.nanoTime() + TestCluster.PATIENCE.toNanos();
    while (!condition.test(List.copyOf(records))) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what + "; got " + records.size() + " records");
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  static NodeSpec ticker(long count, long rate, long throwAt) {
    return NodeSpec.of(TickerNode.class.getName(), Map.of("count", Long.toString(count), "rate", Long.toString(rate),
        "throw-at", Long.toString(throwAt)));
  }

  @Test
  void recordsOfTwoHostsProcessOutputAndUncaughtExceptionsReachASubscriberInTimeOrder() throws Exception {
    cluster = TestCluster.create("logs", config("logs"));
    cluster.start("alpha", "manager", "host");
    cluster.start("beta", "host");
    cluster.start("gamma", "host");
    ShepherdClient client = cluster.client();
    TestCluster.awaitHostsUp(client, List.of("alpha", "beta", "gamma"));

    List<LogRecord> records = new CopyOnWriteArrayList<>();
    try (LogSubscription subscription = client.logs().subscribe(new LogFilter("**", null, null), records::add)) {
      get(client.createGroup("beta/acq"));
      get(client.createGroup("gamma/acq"));
      get(client.createNode("beta/acq/t", ticker(100, 50, 0), NodeState.RUNNING));
      get(client.createNode("gamma/acq/t", ticker(100, 50, 0), NodeState.RUNNING));
      get(client.createNode("gamma/acq/broken", ticker(1000, 50, 20), NodeState.RUNNING));
      get(client.createProcess("beta/acq/script", ProcessSpec.of("bash", "-c", "echo to stdout; echo to stderr >&2; exec sleep 1000"),
          NodeState.RUNNING));

      awaitRecords(records, "100 ticks of both tickers, the script's output and the uncaught exception", list ->
          ticks(list, "beta/acq/t").size() == 100 && ticks(list, "gamma/acq/t").size() == 100
              && list.stream().anyMatch(r -> r.node().equals("beta/acq/script") && r.level() == LogLevel.INFO && r.message().equals("to stdout"))
              && list.stream().anyMatch(r -> r.node().equals("beta/acq/script") && r.level() == LogLevel.WARN && r.message().equals("to stderr"))
              && list.stream().anyMatch(r -> r.node().equals("gamma/acq/broken") && r.level() == LogLevel.ERROR && r.error() != null));
    }
    List<LogRecord> got = List.copyOf(records);
    for (int i = 1; i < got.size(); i++) {
      assertTrue(got.get(i - 1).micros() <= got.get(i).micros(), "in time order across hosts: " + got.get(i - 1) + " then " + got.get(i));
    }
    assertTrue(got.stream().anyMatch(r -> r.source().startsWith("beta@")) && got.stream().anyMatch(r -> r.source().startsWith("gamma@")));
    LogRecord uncaught = got.stream().filter(r -> r.node().equals("gamma/acq/broken") && r.error() != null).findFirst().orElseThrow();
    assertTrue(uncaught.message().contains("uncaught"), uncaught.message());
    assertTrue(uncaught.error().contains("IllegalStateException: ticker gamma/acq/broken broke at tick 20"), uncaught.error());
    assertTrue(uncaught.error().contains("at io.shepherd.it.nodes.TickerNode.tick"), "with its stack trace: " + uncaught.error());
    assertEquals(List.of(), missing(ticks(got, "beta/acq/t"), 100));

    ClusterStatus status = get(client.status());
    assertNotNull(status.logs());
    assertEquals(0, status.logs().gaps(), status.logs().toString());
    assertTrue(status.logs().records() > 200, status.logs().toString());

    // logs -f prints records as they arrive: the first tick of a node created once it follows (so not
    // a record it replayed) shows up in it.
    Process follow = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "io.shepherd.cli.Shepherd", "logs", "-f", "--node", "beta/late/*",
        "--api", cluster.apiUrls().stream().map(Object::toString).collect(Collectors.joining(",")))
        .redirectErrorStream(true).start();
    try {
      List<String> printed = new CopyOnWriteArrayList<>();
      Thread reader = new Thread(() -> new BufferedReader(new InputStreamReader(follow.getInputStream(), StandardCharsets.UTF_8))
          .lines().forEach(printed::add));
      reader.setDaemon(true);
      reader.start();
      awaitLine(printed, "logs -f saying it follows", l -> l.startsWith("logs: following"));
      get(client.createGroup("beta/late"));
      get(client.createNode("beta/late/t", ticker(1_000_000, 5, 0), NodeState.RUNNING));
      awaitLine(printed, "the new node's first tick", l -> l.contains(" beta/late/t [") && l.endsWith(" - tick 1"));
    } finally {
      follow.destroyForcibly().waitFor();
    }
  }

  @Test
  void killingTheManagersJvmWhileNodesLogLosesNoRecord() throws Exception {
    cluster = TestCluster.create("logs-failover", config("logs-failover"));
    MemberProcess alpha = cluster.start("alpha", "manager", "host");
    cluster.start("beta", "manager", "host");
    cluster.start("gamma", "manager", "host");
    ShepherdClient client = cluster.client(Duration.ofSeconds(10));
    TestCluster.awaitHostsUp(client, List.of("alpha", "beta", "gamma"));
    assertEquals(alpha.address(), get(client.status()).manager().address());

    List<LogRecord> records = new CopyOnWriteArrayList<>();
    long total = 1500;
    try (LogSubscription subscription = client.logs().subscribe(new LogFilter("*/acq/*", null, null), records::add)) {
      get(client.createGroup("beta/acq", true));
      get(client.createGroup("gamma/acq", true));
      get(client.createNode("beta/acq/t", ticker(total, 100, 0), NodeState.RUNNING));
      get(client.createNode("gamma/acq/t", ticker(total, 100, 0), NodeState.RUNNING));
      awaitRecords(records, "the first 300 ticks", list -> ticks(list, "beta/acq/t").size() >= 300);
      cluster.kill(alpha);
      awaitRecords(records, "every tick of both nodes, through the failover", list ->
          ticks(list, "beta/acq/t").size() == total && ticks(list, "gamma/acq/t").size() == total);
    }
    List<LogRecord> got = List.copyOf(records);
    assertEquals(List.of(), missing(ticks(got, "beta/acq/t"), total));
    assertEquals(List.of(), missing(ticks(got, "gamma/acq/t"), total));
    Map<String, Long> perNumber = new HashMap<>();
    got.stream().filter(r -> TICK.matcher(r.message()).matches()).forEach(r -> perNumber.merge(r.node() + " " + r.message(), 1L, Long::sum));
    assertTrue(perNumber.values().stream().allMatch(c -> c == 1), "no record twice");
    ClusterStatus after = TestCluster.awaitStatus(client, "the new Manager's log server reporting", s ->
        !s.manager().address().equals(alpha.address()) && s.logs() != null);
    assertEquals(0, after.logs().gaps(), "the new log server saw no gap: " + after.logs());
  }

  static TreeSet<Long> ticks(List<LogRecord> records, String node) {
    TreeSet<Long> ticks = new TreeSet<>();
    for (LogRecord r : records) {
      if (node.equals(r.node())) {
        Matcher m = TICK.matcher(r.message());
        if (m.matches()) {
          ticks.add(Long.parseLong(m.group(1)));
        }
      }
    }
    return ticks;
  }

  static List<Long> missing(TreeSet<Long> ticks, long total) {
    List<Long> missing = new ArrayList<>();
    for (long n = 1; n <= total && missing.size() < 20; n++) {
      if (!ticks.contains(n)) {
        missing.add(n);
      }
    }
    return missing;
  }

  @Test
  void recordsAMemberLoggedBeforeItCouldJoinAreWrittenMarkedLateAndCounted() throws Exception {
    // pyacq's log server sorts by time; a record that comes after its window is written marked, not out of order.
    cluster = TestCluster.create("logs-late", config("logs-late"));
    int alphaPort = LocalCluster.freePort();
    MemberProcess beta = cluster.startJoining("beta", List.of("127.0.0.1:" + alphaPort), "host");
    TestCluster.awaitLine(beta, "host agent beta started"); // beta logs while there is no cluster to join
    cluster.startOn(alphaPort, "alpha", "manager", "host");
    ShepherdClient client = cluster.client();
    TestCluster.awaitHostsUp(client, List.of("alpha", "beta"));
    ClusterStatus status = TestCluster.awaitStatus(client, "beta's early records written late", s -> s.logs() != null
        && s.logs().late() > 0);
    String file = status.logs().file();
    long deadline = System.nanoTime() + TestCluster.PATIENCE.toNanos();
    List<String> late = List.of();
    while (late.isEmpty() && System.nanoTime() < deadline) {
      late = Files.readAllLines(Path.of(file)).stream().filter(l -> l.contains("LATE(+") && l.contains("beta")).toList();
      TimeUnit.MILLISECONDS.sleep(100);
    }
    assertFalse(late.isEmpty(), "beta's start-up records marked LATE in " + file);
    assertTrue(late.stream().anyMatch(l -> l.contains("host agent beta started")), late.toString());
  }

  @Test
  void aNodesLogLevelSetAtRunTimeOpensItsDebugRecordsToTheCentralLogAndDefaultClosesThem() throws Exception {
    cluster = TestCluster.create("logs-level", config("logs-level"));
    cluster.start("alpha", "manager", "host");
    cluster.start("beta", "host");
    ShepherdClient client = cluster.client();
    TestCluster.awaitHostsUp(client, List.of("alpha", "beta"));
    List<LogRecord> records = new CopyOnWriteArrayList<>();
    try (LogSubscription subscription = client.logs().subscribe(new LogFilter("beta/acq/*", null, null), records::add)) {
      get(client.createGroup("beta/acq"));
      NodeSpec chatty = NodeSpec.of(TickerNode.class.getName(), Map.of("count", "1000000", "rate", "20", "debug", "true"));
      get(client.createNode("beta/acq/chatty", chatty, NodeState.RUNNING));
      get(client.createNode("beta/acq/quiet", chatty, NodeState.RUNNING));
      awaitRecords(records, "20 INFO ticks of each", list -> ticks(list, "beta/acq/chatty").size() >= 20
          && ticks(list, "beta/acq/quiet").size() >= 20);
      assertTrue(records.stream().noneMatch(r -> r.level() == LogLevel.DEBUG), "no DEBUG record at the configured INFO");

      long set = System.currentTimeMillis() * 1000;
      assertTrue(get(client.logs().setLevel("beta/acq/chatty", "debug")).contains("set to DEBUG"));
      awaitRecords(records, "the node's DEBUG records, of its node logger and of its class's", list -> list.stream().anyMatch(r ->
          debug(r, "beta/acq/chatty", "debug tick")) && list.stream().anyMatch(r -> debug(r, "beta/acq/chatty", "class logger tick")));
      LogRecord first = records.stream().filter(r -> r.level() == LogLevel.DEBUG).findFirst().orElseThrow();
      System.out.printf("first DEBUG record made %.1f ms after the call, received within the reorder window after%n",
          (first.micros() - set) / 1000.0);
      assertTrue(records.stream().noneMatch(r -> r.level() == LogLevel.DEBUG && r.node().equals("beta/acq/quiet")),
          "only the node named is opened");
      ClusterStatus status = get(client.status());
      assertEquals(Map.of("node:beta/acq/chatty", "DEBUG"), TestCluster.host(status, "beta").orElseThrow().logLevels());

      assertTrue(get(client.logs().setLevel("beta/acq/chatty", "default")).contains("back to its configured one"));
      long reset = System.currentTimeMillis() * 1000;
      int before = ticks(List.copyOf(records), "beta/acq/chatty").size();
      awaitRecords(records, "20 more INFO ticks", list -> ticks(list, "beta/acq/chatty").size() >= before + 20);
      assertTrue(records.stream().noneMatch(r -> r.level() == LogLevel.DEBUG && r.micros() > reset),
          "no DEBUG record made after the level went back");
      assertEquals(Map.of(), TestCluster.host(get(client.status()), "beta").orElseThrow().logLevels());
    }
    CompletionException bad = assertThrows(CompletionException.class, () -> get(client.logs().setLevel("beta", "LOUD")));
    assertTrue(bad.getCause().getMessage().contains("log level must be"), bad.getMessage());
  }

  static boolean debug(LogRecord record, String node, String prefix) {
    return record.level() == LogLevel.DEBUG && record.node().equals(node) && record.message().startsWith(prefix);
  }

  static void awaitLine(List<String> lines, String what, Predicate<String> match) throws InterruptedException {
    long deadline = System.nanoTime() + TestCluster.PATIENCE.toNanos();
    while (lines.stream().noneMatch(match)) {
      assertTrue(System.nanoTime() < deadline, () -> "no line with " + what + " in: " + lines);
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }
}
