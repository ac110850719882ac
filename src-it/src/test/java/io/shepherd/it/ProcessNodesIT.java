package io.shepherd.it;

import static io.shepherd.it.TestCluster.group;
import static io.shepherd.it.TestCluster.node;
import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.client.ShepherdClient;
import io.shepherd.client.ShepherdException;
import io.shepherd.host.internal.process.Sessions;
import io.shepherd.member.MemberProcess;
import io.shepherd.protocol.Autorestart;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import io.shepherd.protocol.Probe;
import io.shepherd.protocol.ProcessSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * Process nodes and site files across real member JVMs: apply, re-apply with changes, up/down in
 * order, a refused file that changes nothing, and no orphan process after a host JVM is killed,
 * whether its watchdog survives it or not.
 */
class ProcessNodesIT {

  static final Path WORK = Path.of(System.getProperty("shepherd.it.logs", "target/it-logs"), "process-work").toAbsolutePath();
  static TestCluster cluster;
  static ShepherdClient client;
  static MemberProcess gamma;
  /** Sessions of process nodes a test saw: ended at the end whatever happened, as a dead host's may not be. */
  static final Set<Long> SESSIONS = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void start() {
    cluster = TestCluster.create("process-nodes", Map.of(
        "shepherd.host.process.allowed.0", "/usr/bin/*",
        "shepherd.host.process.allowed.1", "/bin/*",
        "shepherd.host.process.cgroups", "on",
        "shepherd.host.work-root", WORK.toString()));
    cluster.start("daq1", "manager", "host");
    cluster.start("daq2", "host");
    gamma = cluster.start("gamma", "host");
    client = cluster.client();
    TestCluster.awaitHostsUp(client, List.of("daq1", "daq2", "gamma"));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    SESSIONS.forEach(sid -> Sessions.signal(sid, true));
    for (String marker : List.of("4711001", "4711002")) {
      daemons(marker).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
  }

  static <T> T get(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  static Path site(String name, String text) throws Exception {
    Files.createDirectories(WORK);
    Path file = WORK.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  static NodeStatus await(String path, String what, Predicate<NodeStatus> condition) {
    return node(TestCluster.awaitStatus(client, path + " " + what, s -> node(s, path).filter(condition).isPresent()), path).orElseThrow();
  }

  /** The arguments of process {@code pid} once it runs {@code program} (setsid execs it right after the fork); read from /proc. */
  static List<String> awaitProgram(long pid, String program) throws Exception {
    long deadline = System.nanoTime() + TestCluster.PATIENCE.toNanos();
    while (true) {
      List<String> arguments = List.of(Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).split("\0"));
      if (Path.of(arguments.get(0)).getFileName().toString().equals(program) || System.nanoTime() > deadline) {
        return arguments;
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  static boolean ended(long sid) {
    return Sessions.members(sid).isEmpty();
  }

  static void awaitEnded(String what, long sid) throws InterruptedException {
    long deadline = System.nanoTime() + TestCluster.PATIENCE.toNanos();
    while (!ended(sid)) {
      assertTrue(System.nanoTime() < deadline, what + ": session " + sid + " still has " + Sessions.members(sid));
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  @Test
  void aSiteFileIsAppliedAndReappliedWithItsChanges() throws Exception {
    Path first = site("site-1.conf", """
        hosts {
          daq1.groups.daq.nodes {
            ticker { command = ["bash", "-c", "while true; do echo tick; sleep 0.2; done"] }
            idle { command = ["sleep", "1000"], target = down }
          }
          daq2.groups.rec.nodes {
            rec { command = ["sleep", "1000"], stop-grace = 2s }
          }
          any.groups.ana.nodes {
            worker { command = ["sleep", "1000"] }
          }
        }
        """);
    ManagerProtocol.SiteApplied applied = get(client.apply(first));
    assertEquals(List.of("any/ana/worker", "daq1/daq/idle", "daq1/daq/ticker", "daq2/rec/rec"), applied.added());
    long ticker = await("daq1/daq/ticker", "RUNNING", n -> n.state() == NodeState.RUNNING && n.pid() != null).pid();
    long rec = await("daq2/rec/rec", "RUNNING", n -> n.state() == NodeState.RUNNING && n.pid() != null).pid();
    long worker = await("any/ana/worker", "RUNNING", n -> n.state() == NodeState.RUNNING && n.pid() != null).pid();
    NodeStatus idle = await("daq1/daq/idle", "ready, never started", n -> n.state() == NodeState.INITIALIZED);
    assertNull(idle.pid(), "a node declared down is not started");
    assertNull(idle.exit());

    ManagerProtocol.SiteApplied again = get(client.apply(first));
    assertEquals(List.of(), again.added());
    assertEquals(List.of(), again.changed());
    assertEquals(List.of(), again.removed());
    assertEquals(4, again.unchanged().size());
    ClusterStatus same = get(client.status());
    assertEquals(ticker, node(same, "daq1/daq/ticker").orElseThrow().pid(), "unchanged entries are left alone");

    Path second = site("site-2.conf", """
        hosts {
          daq1.groups.daq.nodes {
            ticker { command = ["bash", "-c", "while true; do echo tick; sleep 0.2; done"] }
            idle { command = ["sleep", "1000"], target = up }
            fresh { command = ["sleep", "1000"] }
          }
          daq2.groups.rec.nodes {
            rec { command = ["sleep", "2000"], stop-grace = 2s }
          }
        }
        """);
    ManagerProtocol.SiteApplied changed = get(client.apply(second));
    assertEquals(List.of("daq1/daq/fresh"), changed.added());
    assertEquals(List.of("daq1/daq/idle", "daq2/rec/rec"), changed.changed());
    assertEquals(List.of("any/ana/worker"), changed.removed());
    assertEquals(List.of("daq1/daq/ticker"), changed.unchanged());

    long newRec = await("daq2/rec/rec", "restarted with its new command", n -> n.state() == NodeState.RUNNING && n.pid() != null
        && n.pid() != rec).pid();
    assertTrue(ended(rec), "the old process of the changed node is gone");
    // The process's own arguments, from /proc: a check that cannot pass when they cannot be read.
    // The node's pid is its session leader: once setsid has exec'd the program, its own arguments (absolute path first).
    List<String> arguments = awaitProgram(newRec, "sleep");
    assertEquals(2, arguments.size(), arguments.toString());
    assertEquals("sleep", Path.of(arguments.get(0)).getFileName().toString(), arguments.toString());
    assertEquals("2000", arguments.get(1), arguments.toString());
    await("daq1/daq/idle", "up now that the file says so", n -> n.state() == NodeState.RUNNING && n.pid() != null);
    await("daq1/daq/fresh", "RUNNING", n -> n.state() == NodeState.RUNNING);
    ClusterStatus after = TestCluster.awaitStatus(client, "the removed group gone",
        s -> group(s, "any/ana").isEmpty() && node(s, "any/ana/worker").isEmpty());
    awaitEnded("the removed node's process", worker);
    assertEquals(ticker, node(after, "daq1/daq/ticker").orElseThrow().pid());

    // Clients may not slip nodes into a group the site file owns.
    CompletionException refused = assertThrows(CompletionException.class,
        () -> get(client.createProcess("daq1/daq/sneaky", ProcessSpec.of("sleep", "5"), NodeState.RUNNING)));
    assertInstanceOf(ShepherdException.NotAllowed.class, refused.getCause());
  }

  @Test
  void theExampleSiteFileRunsItsMixOfJavaAndProcessNodes() throws Exception {
    Path example = Path.of(ProcessNodesIT.class.getResource("/example-site.conf").toURI());
    ManagerProtocol.SiteApplied applied = get(client.apply(example));
    assertEquals(5, applied.added().size(), applied.toString());
    await("daq1/readout/digitizer", "RUNNING", n -> n.state() == NodeState.RUNNING && n.pid() != null);
    await("daq1/readout/calibration", "ready, down", n -> n.state() == NodeState.INITIALIZED);
    await("daq2/recording/recorder", "RUNNING", n -> n.state() == NodeState.RUNNING && n.pid() != null);
    await("daq2/recording/counter", "RUNNING", n -> n.state() == NodeState.RUNNING);
    NodeStatus spectrum = await("any/analysis/spectrum", "RUNNING", n -> n.state() == NodeState.RUNNING);
    assertEquals(Mode.MANAGED, spectrum.mode());
    get(client.sendInput("daq2/recording/recorder", "start run 42"));
    // An empty site file removes everything a site file declared.
    get(client.apply(site("empty.conf", "hosts {}\n")));
    TestCluster.awaitStatus(client, "the example's groups removed", s -> s.groups().stream()
        .noneMatch(g -> List.of("daq1/readout", "daq2/recording", "any/analysis").contains(g.path().toString())));
  }

  @Test
  void upAndDownApplyInOrderAndKillAndPurgeFollowTheArchitect() {
    get(client.createGroup("daq2/ops", true));
    get(client.createProcess("daq2/ops/a", ProcessSpec.of("sleep", "1000"), NodeState.INITIALIZED));
    get(client.createProcess("daq2/ops/b", ProcessSpec.of("sleep", "1000"), NodeState.INITIALIZED));
    get(client.createProcess("daq2/ops/c", ProcessSpec.of("bash", "-c", "trap '' TERM; sleep 1000").withStopGrace(
        Duration.ofSeconds(60)), NodeState.INITIALIZED));

    String answer = get(client.update(List.of(new ManagerProtocol.TargetState("daq2/ops", NodeState.RUNNING),
        new ManagerProtocol.TargetState("daq2/ops/b", NodeState.STOPPED))));
    assertTrue(answer.contains("up for 2") && answer.contains("down for 1"), answer);
    await("daq2/ops/a", "up", n -> n.state() == NodeState.RUNNING);
    long c = await("daq2/ops/c", "up", n -> n.state() == NodeState.RUNNING && n.pid() != null).pid();
    assertEquals(NodeState.INITIALIZED, node(get(client.status()), "daq2/ops/b").orElseThrow().state(),
        "down for a node never started leaves it ready, not started");

    NodeStatus killed = get(client.kill("daq2/ops/c"));
    assertEquals(NodeState.STOPPED, killed.state());
    assertEquals("signal 9", killed.exit(), "kill does not wait for the 60 s grace of a process that ignores SIGTERM");
    assertTrue(ended(c));
    assertEquals(0, killed.restarts(), "a kill is a requested exit");

    CompletionException running = assertThrows(CompletionException.class, () -> get(client.purge("daq2/ops/a")));
    assertInstanceOf(ShepherdException.InvalidTransition.class, running.getCause());
    get(client.purge("daq2/ops/c"));
    assertTrue(node(get(client.status()), "daq2/ops/c").isEmpty());

    CompletionException unknown = assertThrows(CompletionException.class, () -> get(client.down("daq2/ops/nope")));
    assertTrue(unknown.getCause().getMessage().contains("no node daq2/ops/nope"), unknown.getCause().getMessage());
    get(client.removeGroup("daq2/ops"));
  }

  @Test
  void oneShotRolesEndAsTheArchitectsDoTheirRequestedStateFollowsAndPurgeRemovesThem() throws Exception {
    get(client.apply(site("one-shot.conf", """
        hosts {
          daq1.groups.once.nodes {
            calibrate { command = ["bash", "-c", "sleep 1000 & sleep 0.3; echo calibrated; exit 0"], autorestart = on-failure }
            check { command = ["sh", "-c", "sleep 0.3; exit 3"], autorestart = never }
          }
        }
        """)));
    get(client.createGroup("daq2/roles", true));
    get(client.createNode("daq2/roles/job", NodeSpec.process(ProcessSpec.of("sh", "-c", "sleep 0.3; exit 0"))
        .withAutorestart(Autorestart.NEVER), NodeState.RUNNING));

    for (String path : List.of("daq1/once/calibrate", "daq1/once/check", "daq2/roles/job")) {
      NodeStatus done = await(path, "done, and requested STOPPED", n -> n.requested() == NodeState.STOPPED);
      assertEquals(NodeState.STOPPED, done.state(), path);
      assertEquals(path.endsWith("check") ? "exit 3" : "exit 0", done.exit(), path);
      assertEquals(0, done.restarts(), path + ": an end its policy keeps is not a crash");
      assertNull(done.lastFailure(), path);
      assertEquals(1, done.incarnation(), path + " ran once");
      assertEquals("none", done.nextAction(), path);
      assertEquals(path.endsWith("calibrate") ? "bash" : "sh", done.agentClass(), path + ": OCS's agent_class, its executable");
    }

    get(client.purge("daq2/roles/job"));
    assertTrue(node(get(client.status()), "daq2/roles/job").isEmpty(), "purge removes an ended role");
    // Up runs it again, and it ends again by itself.
    get(client.up("daq1/once/calibrate"));
    await("daq1/once/calibrate", "run again and done", n -> n.incarnation() == 2 && n.requested() == NodeState.STOPPED
        && n.state() == NodeState.STOPPED && "exit 0".equals(n.exit()));
    get(client.apply(site("none.conf", "hosts {}\n")));
    get(client.removeGroup("daq2/roles"));
  }

  @Test
  void aSiteFileWithAnyErrorChangesNothingAndListsEveryError() throws Exception {
    ClusterStatus before = get(client.status());
    Path bad = site("bad.conf", """
        hosts {
          daq1.groups.bad.nodes {
            fine { command = ["sleep", "1000"] }
            evil { command = ["/opt/evil/bin/rootkit"] }
            script { command = ["%s"] }
            typo { type = sinus }
          }
          nosuchhost.groups.x.nodes { y { type = sine } }
        }
        """.formatted(site("tool.sh", "#!/bin/sh\nsleep 1000\n").toString()));
    WORK.resolve("tool.sh").toFile().setExecutable(true);
    CompletionException e = assertThrows(CompletionException.class, () -> get(client.apply(bad)));
    String message = e.getCause().getMessage();
    assertInstanceOf(ShepherdException.InvalidArgument.class, e.getCause());
    assertTrue(message.contains("4 errors"), message);
    assertTrue(message.contains("no host nosuchhost"), message);
    assertTrue(message.contains("/opt/evil/bin/rootkit"), message);
    assertTrue(message.contains("not allowed") && message.contains("tool.sh"), message);
    assertTrue(message.contains("sinus"), message);
    assertTrue(message.contains("nothing changed"), message);
    ClusterStatus after = get(client.status());
    assertEquals(before.groups(), after.groups(), "no group was created or changed");
    assertEquals(desired(before), desired(after), "no node was created, removed or asked anything");
    assertTrue(group(after, "daq1/bad").isEmpty());
  }

  /** What is asked of each node: its path, type, requested state, mode and request number. */
  static List<String> desired(ClusterStatus status) {
    return status.nodes().stream().map(n -> n.path() + " " + n.type() + " " + n.requested() + " " + n.mode() + " " + n.seq()).toList();
  }

  @Test
  void noProcessOutlivesAKilledHostJvmWithOrWithoutItsWatchdog() throws Exception {
    get(client.createGroup("gamma/drivers", true));
    get(client.createProcess("gamma/drivers/forker", ProcessSpec.of("bash", "-c", "sleep 1000 & sleep 1000 & wait"),
        NodeState.RUNNING));
    long sid = await("gamma/drivers/forker", "RUNNING", n -> n.state() == NodeState.RUNNING && n.pid() != null).pid();
    awaitGrandchildren(sid);
    // A daemon that double-forked and left its node's session: only the node's cgroup holds it.
    boolean cgroups = TestCluster.host(get(client.status()), "gamma").orElseThrow().containment().startsWith("cgroup");
    if (cgroups) {
      get(client.createProcess("gamma/drivers/daemon", ProcessSpec.of("/usr/bin/python3", "-c", DAEMON.formatted("4711001")),
          NodeState.RUNNING));
      awaitDaemons("4711001", 1);
    } else {
      System.out.println("gamma contains processes by their sessions only (" + TestCluster.host(get(client.status()), "gamma")
          .orElseThrow().containment() + "): the daemon part of this test needs cgroups");
    }

    // A liveness probe's command that hangs: recorded like a node's process.
    get(client.createNode("gamma/drivers/probed", NodeSpec.process(ProcessSpec.of("sleep", "1000"))
        .withLiveness(Probe.command("sleep", "4711002").withTimeout(Duration.ofHours(1))), NodeState.RUNNING));
    awaitDaemons("4711002", 1);

    // The JVM dies; its watchdog ends the session, what is in the node's cgroups, and the probe, at once.
    cluster.kill(gamma);
    awaitEnded("after kill -9 of the host JVM", sid);
    awaitDaemons("4711002", 0);
    if (cgroups) {
      awaitDaemons("4711001", 0);
    }

    // The host comes back; its pinned group and node with it, in a new session.
    gamma = cluster.restart(gamma);
    long second = await("gamma/drivers/forker", "RUNNING again on the restarted host",
        n -> n.state() == NodeState.RUNNING && n.pid() != null && n.pid() != sid).pid();
    awaitGrandchildren(second);
    awaitDaemons("4711002", 1);
    get(client.removeNode("gamma/drivers/probed"));
    awaitDaemons("4711002", 0);

    // kill -9 of the member's whole process group (a closed terminal, a careless service script):
    // the watchdog, in a session of its own, outlives it and ends the node's session at once.
    long group = Sessions.stat(gamma.pid()).orElseThrow().processGroup();
    assertEquals(gamma.pid(), group, "the member leads its own process group");
    assertTrue(watchdog(gamma).isPresent(), "the host agent's watchdog runs");
    Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + group).inheritIO().start();
    assertEquals(0, kill.waitFor(), "kill -9 -- -" + group);
    awaitExit(gamma);
    awaitEnded("after kill -9 of the member's whole process group", second);

    gamma = cluster.restart(gamma);
    long third = await("gamma/drivers/forker", "RUNNING in a third session", n -> n.state() == NodeState.RUNNING && n.pid() != null
        && n.pid() != sid && n.pid() != second).pid();
    awaitGrandchildren(third);

    // The JVM and its watchdog both die (the watchdog killed first): the processes outlive them
    // until the host agent starts again and ends what it recorded.
    if (cgroups) {
      await("gamma/drivers/daemon", "RUNNING again", n -> n.state() == NodeState.RUNNING);
      awaitDaemons("4711001", 1);
    }
    watchdog(gamma).orElseThrow().destroyForcibly();
    cluster.kill(gamma); // returns once the JVM has exited
    assertFalse(gamma.alive());
    assertFalse(ended(third), "without its watchdog the session outlives the JVM for now");
    gamma = cluster.restart(gamma);
    awaitEnded("after the host agent restarted", third);
    if (cgroups) {
      // The restarted host ended the old daemon from its record; the node's new process starts a new one.
      awaitDaemons("4711001", 1);
      get(client.removeNode("gamma/drivers/daemon"));
      awaitDaemons("4711001", 0);
    }
    await("gamma/drivers/forker", "RUNNING in a fourth session", n -> n.state() == NodeState.RUNNING && n.pid() != null
        && n.pid() != sid && n.pid() != second && n.pid() != third);
    assertTrue(Files.readString(gamma.log()).contains("left running"), "the restarted host says what it ended");
  }

  /** A python program that forks a daemon the classic way (fork, setsid, fork): {@code sleep MARKER} in a session of its own. */
  static final String DAEMON = """
      import os, time
      if os.fork() == 0:
          os.setsid()
          if os.fork() == 0:
              os.execv("/usr/bin/sleep", ["sleep", "%s"])
          os._exit(0)
      time.sleep(1000)
      """;

  /** Waits until exactly {@code count} processes run {@code sleep MARKER}. */
  static void awaitDaemons(String marker, int count) throws Exception {
    long deadline = System.nanoTime() + TestCluster.PATIENCE.toNanos();
    while (daemons(marker).size() != count) {
      assertTrue(System.nanoTime() < deadline, count + " daemons sleep " + marker + ", not " + daemons(marker));
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  static List<Long> daemons(String marker) {
    return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().map(c -> c.endsWith("sleep " + marker)).orElse(false))
        .filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList();
  }

  /** The host agent's process watchdog: a child of the member JVM (in a session of its own). */
  static Optional<ProcessHandle> watchdog(MemberProcess member) {
    List<ProcessHandle> watchdogs = ProcessHandle.of(member.pid()).orElseThrow().descendants()
        .filter(p -> p.info().commandLine().map(c -> c.contains("declare -A sessions")).orElse(false)).toList();
    assertTrue(watchdogs.size() <= 1, "one watchdog per host agent: " + watchdogs);
    return watchdogs.stream().findFirst();
  }

  static void awaitExit(MemberProcess member) throws InterruptedException {
    long deadline = System.nanoTime() + TestCluster.PATIENCE.toNanos();
    while (member.alive()) {
      assertTrue(System.nanoTime() < deadline, member + " exited");
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  static void awaitGrandchildren(long sid) throws InterruptedException {
    SESSIONS.add(sid);
    long deadline = System.nanoTime() + TestCluster.PATIENCE.toNanos();
    while (Sessions.members(sid).size() < 3) {
      assertTrue(System.nanoTime() < deadline, "the grandchildren of session " + sid + " started");
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }
}
