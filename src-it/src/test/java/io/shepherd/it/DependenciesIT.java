package io.shepherd.it;

import static io.shepherd.it.TestCluster.node;
import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.client.ShepherdClient;
import io.shepherd.client.ShepherdException;
import io.shepherd.host.internal.process.Sessions;
import io.shepherd.protocol.DependencyFailure;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import io.shepherd.protocol.ProcessSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Start order, stop order and dependency failures across real member JVMs and real processes:
 * programs that say when they are ready over systemd's notify protocol (with the Python package's
 * {@code shepherd.notify}) and write what they do to a file, so that the order is the processes'
 * own, not the status's.
 */
class DependenciesIT {

  static final Path WORK = Path.of(System.getProperty("shepherd.it.logs", "target/it-logs"), "dependencies-work").toAbsolutePath();
  static final Path PYTHON_PACKAGE = Path.of("..", "python").toAbsolutePath().normalize();
  /** Appends "start NAME" to FILE, says READY=1 a second later, and appends "stop NAME" on SIGTERM before it exits. */
  static final String PROGRAM = """
      import signal, sys, time
      from shepherd import notify
      log, name = sys.argv[1], sys.argv[2]
      def out(word):
          with open(log, "a") as f:
              f.write(word + " " + name + "\\n")
      def stop(*args):
          out("stop")
          sys.exit(0)
      signal.signal(signal.SIGTERM, stop)
      out("start")
      time.sleep(1)
      notify.ready()
      while True:
          time.sleep(1)
      """;
  static TestCluster cluster;
  static ShepherdClient client;
  static final Set<Long> SESSIONS = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void start() throws Exception {
    Files.createDirectories(WORK);
    Files.writeString(WORK.resolve("step.py"), PROGRAM);
    cluster = TestCluster.create("dependencies", Map.of(
        "shepherd.host.process.allowed.0", "/usr/bin/*",
        "shepherd.host.process.allowed.1", "/bin/*",
        "shepherd.host.work-root", WORK.resolve("hosts").toString()));
    cluster.start("daq1", "manager", "host");
    cluster.start("daq2", "host");
    client = cluster.client();
    TestCluster.awaitHostsUp(client, List.of("daq1", "daq2"));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    SESSIONS.forEach(sid -> Sessions.signal(sid, true));
  }

  static <T> T get(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  static NodeStatus await(String path, String what, Predicate<NodeStatus> condition) {
    NodeStatus found = node(TestCluster.awaitStatus(client, path + " " + what, s -> node(s, path).filter(condition).isPresent()), path)
        .orElseThrow();
    if (found.pid() != null) {
      SESSIONS.add(found.pid());
    }
    return found;
  }

  static String step(String log, String name) {
    return "{ command = [\"/usr/bin/python3\", \"" + WORK.resolve("step.py") + "\", \"" + log + "\", \"" + name + "\"], env { PYTHONPATH = \""
        + PYTHON_PACKAGE + "\" }, readiness = notify, stop-grace = 5s";
  }

  static List<String> lines(Path log) throws Exception {
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  static void awaitLines(Path log, int count) throws Exception {
    long deadline = System.nanoTime() + TestCluster.PATIENCE.toNanos();
    while (lines(log).size() < count) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + count + " lines in " + log + ": " + lines(log));
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  @Test
  void aChainAcrossTwoHostsComesUpInOrderGoesDownInReverseAndRestartsWithItsDependents() throws Exception {
    Path log = WORK.resolve("chain.log");
    Files.deleteIfExists(log);
    Path site = WORK.resolve("chain.conf");
    Files.writeString(site, """
        hosts {
          daq1.groups.chain.nodes {
            a %s }
            c %s, depends-on = ["daq2/chain/b"] }
          }
          daq2.groups.chain.nodes {
            b %s, depends-on = ["daq1/chain/a"] }
          }
        }
        """.formatted(step(log.toString(), "a"), step(log.toString(), "c"), step(log.toString(), "b")));
    get(client.apply(site));
    NodeStatus waiting = await("daq1/chain/c", "waiting for b", n -> n.waitingFor() != null && n.waitingFor().contains("daq2/chain/b"));
    assertEquals(NodeState.RUNNING, waiting.requested(), "its request is RUNNING while it waits: " + waiting);
    assertNotEquals(NodeState.RUNNING, waiting.state());
    assertNull(waiting.pid(), "not started before its dependency runs");
    for (String name : List.of("daq1/chain/a", "daq2/chain/b", "daq1/chain/c")) {
      assertNull(await(name, "RUNNING", n -> n.state() == NodeState.RUNNING && n.pid() != null).waitingFor());
    }
    awaitLines(log, 3);
    assertEquals(List.of("start a", "start b", "start c"), lines(log), "each started once the one before was ready");

    get(client.down("daq1/chain", "daq2/chain"));
    for (String name : List.of("daq1/chain/a", "daq2/chain/b", "daq1/chain/c")) {
      await(name, "STOPPED", n -> n.state() == NodeState.STOPPED);
    }
    assertEquals(List.of("stop c", "stop b", "stop a"), lines(log).subList(3, 6), "dependents stopped first: " + lines(log));

    get(client.up("all"));
    for (String name : List.of("daq1/chain/a", "daq2/chain/b", "daq1/chain/c")) {
      await(name, "RUNNING again", n -> n.state() == NodeState.RUNNING);
    }
    awaitLines(log, 9);
    assertEquals(List.of("start a", "start b", "start c"), lines(log).subList(6, 9));

    // Restarting the first restarts what depends on it: down from the last, up from the first.
    get(client.restart("daq1/chain/a"));
    awaitLines(log, 15);
    assertEquals(List.of("stop c", "stop b", "stop a", "start a", "start b", "start c"), lines(log).subList(9, 15), lines(log).toString());
    for (String name : List.of("daq1/chain/a", "daq2/chain/b", "daq1/chain/c")) {
      await(name, "RUNNING after the restart", n -> n.state() == NodeState.RUNNING && n.arrived());
    }
    get(client.apply(emptySite()));
    TestCluster.awaitStatus(client, "the chain removed", s -> node(s, "daq1/chain/a").isEmpty() && node(s, "daq2/chain/b").isEmpty());
  }

  static Path emptySite() throws Exception {
    Path empty = WORK.resolve("empty.conf");
    Files.writeString(empty, "hosts {}\n");
    return empty;
  }

  @Test
  void whenADependencyCrashesKeepRunsOnStopWaitsForItAndRestartFollowsItsNewIncarnation() throws Exception {
    get(client.createGroup("daq1/pol"));
    get(client.createGroup("daq2/pol"));
    // MANAGED: after its crash the dependency holds FAILED until it is asked again, so that the window is the test's.
    NodeSpec dep = NodeSpec.process(ProcessSpec.of("sleep", "1000")).withMode(Mode.MANAGED);
    get(client.createNode("daq1/pol/dep", dep, NodeState.RUNNING));
    List<NodePath> onDep = List.of(NodePath.parse("daq1/pol/dep"));
    for (DependencyFailure policy : DependencyFailure.values()) {
      get(client.createNode("daq2/pol/" + policy.spelling(), NodeSpec.process(ProcessSpec.of("sleep", "1000")).withDependsOn(onDep)
          .withOnDependencyFailure(policy), NodeState.RUNNING));
    }
    long depPid = await("daq1/pol/dep", "RUNNING", n -> n.state() == NodeState.RUNNING && n.pid() != null).pid();
    int depRun = await("daq1/pol/dep", "RUNNING", n -> n.state() == NodeState.RUNNING).incarnation();
    Map<String, Long> pids = new ConcurrentHashMap<>();
    for (DependencyFailure policy : DependencyFailure.values()) {
      pids.put(policy.spelling(), await("daq2/pol/" + policy.spelling(), "RUNNING", n -> n.state() == NodeState.RUNNING && n.pid() != null)
          .pid());
    }

    new ProcessBuilder("kill", "-9", Long.toString(depPid)).start().waitFor();
    NodeStatus stopped = await("daq2/pol/stop", "stopped while its dependency is down", n -> n.state() == NodeState.STOPPED);
    assertEquals(NodeState.RUNNING, stopped.requested());
    assertTrue(stopped.waitingFor() != null && stopped.waitingFor().contains("daq1/pol/dep"), String.valueOf(stopped.waitingFor()));
    assertTrue(ProcessNodesIT.ended(pids.get("stop")), "its process has ended");
    NodeStatus kept = await("daq2/pol/keep", "RUNNING", n -> n.state() == NodeState.RUNNING);
    assertEquals(pids.get("keep"), kept.pid(), "keep: the same process runs on while its dependency is down");
    assertEquals(pids.get("restart"), await("daq2/pol/restart", "RUNNING", n -> n.state() == NodeState.RUNNING).pid(),
        "restart: runs on until its dependency is back");
    get(client.request("daq1/pol/dep", NodeState.RUNNING));
    await("daq1/pol/dep", "back as a new incarnation", n -> n.state() == NodeState.RUNNING && n.incarnation() > depRun);

    long stopPid = await("daq2/pol/stop", "started again", n -> n.state() == NodeState.RUNNING && n.pid() != null
        && !n.pid().equals(pids.get("stop"))).pid();
    long restartPid = await("daq2/pol/restart", "restarted after its dependency", n -> n.state() == NodeState.RUNNING && n.pid() != null
        && !n.pid().equals(pids.get("restart"))).pid();
    assertTrue(ProcessNodesIT.ended(pids.get("restart")), "the restarted node's old process has ended");
    kept = await("daq2/pol/keep", "RUNNING", n -> n.state() == NodeState.RUNNING);
    assertEquals(pids.get("keep"), kept.pid(), "keep: the same process ran on");
    assertEquals(0, kept.restarts());
    assertNotEquals(stopPid, restartPid);

    for (DependencyFailure policy : DependencyFailure.values()) {
      get(client.removeNode("daq2/pol/" + policy.spelling()));
    }
    get(client.removeNode("daq1/pol/dep"));
    get(client.removeGroup("daq1/pol"));
    get(client.removeGroup("daq2/pol"));
  }

  @Test
  void aMissingDependencyOrACycleIsRefusedWithItsNameAndNothingChanges() throws Exception {
    get(client.createGroup("daq1/bad"));
    CompletionException missing = assertThrows(CompletionException.class, () -> get(client.createNode("daq1/bad/x",
        NodeSpec.process(ProcessSpec.of("sleep", "1000")).withDependsOn(List.of(NodePath.parse("daq2/nowhere/y"))), NodeState.RUNNING)));
    assertInstanceOf(ShepherdException.InvalidArgument.class, missing.getCause());
    assertTrue(missing.getCause().getMessage().contains("depends on daq2/nowhere/y, which does not exist"), missing.getMessage());
    assertTrue(node(get(client.status()), "daq1/bad/x").isEmpty(), "nothing was created");

    Path cyclic = WORK.resolve("cycle.conf");
    Files.writeString(cyclic, """
        hosts.daq1.groups.loop.nodes {
          p { command = ["sleep", "1000"], depends-on = ["daq1/loop/r"] }
          q { command = ["sleep", "1000"], depends-on = ["daq1/loop/p"] }
          r { command = ["sleep", "1000"], depends-on = ["daq1/loop/q"] }
        }
        """);
    CompletionException cycle = assertThrows(CompletionException.class, () -> get(client.apply(cyclic)));
    assertInstanceOf(ShepherdException.InvalidArgument.class, cycle.getCause());
    assertTrue(cycle.getCause().getMessage().contains("dependency cycle: daq1/loop/p -> daq1/loop/r -> daq1/loop/q -> daq1/loop/p"),
        cycle.getCause().getMessage());
    List<String> groups = new ArrayList<>();
    get(client.status()).groups().forEach(g -> groups.add(g.path().toString()));
    assertFalse(groups.contains("daq1/loop"), "nothing was applied: " + groups);
    get(client.removeGroup("daq1/bad"));
  }
}
