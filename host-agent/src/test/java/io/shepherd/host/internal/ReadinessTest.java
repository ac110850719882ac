package io.shepherd.host.internal;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.ConfigFactory;
import io.shepherd.host.HostSettings;
import io.shepherd.host.NodeTypes;
import io.shepherd.host.internal.process.ProcessHost;
import io.shepherd.host.internal.process.Sessions;
import io.shepherd.host.testnodes.LateReadyNode;
import io.shepherd.host.testnodes.PoolNode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import io.shepherd.protocol.Probe;
import io.shepherd.protocol.ProcessSpec;
import io.shepherd.testing.TestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Readiness and liveness with real processes: programs that speak systemd's notify protocol over
 * the host's real Unix socket (written in Python with its standard library, as a lab's program
 * would), and tcp, http and command probes against real sockets and real commands.
 */
class ReadinessTest {

  static final Path WORK = Path.of("target", "readiness-test-" + ProcessHandle.current().pid());

  static final ActorTestKit kit = ActorTestKit.create("readiness", ConfigFactory.parseString("""
      shepherd.host.id = daq1
      shepherd.host.callback-timeout = 5s
      shepherd.host.remove-timeout = 10s
      shepherd.host.restart { min-backoff = 20ms, max-backoff = 200ms, jitter = 0, reset-after = 10s, max-restarts = 3, window = 1m }
      shepherd.host.process.allowed = ["/usr/bin/*", "/bin/*"]
      shepherd.host.work-root = "%s"
      shepherd.host.allowed-packages = ["io.shepherd.host.testnodes"]
      """.formatted(WORK)).withFallback(TestConfig.local()));

  static final HostSettings settings = HostSettings.create(kit.system());
  static final ProcessHost processes = new ProcessHost(settings);
  static final AtomicInteger names = new AtomicInteger();
  static final Duration WAIT = Duration.ofSeconds(20);
  /** What a Python program needs to speak the notify protocol: send(text) to NOTIFY_SOCKET (a path, or @abstract). */
  static final String NOTIFY = """
      import os, socket, sys, time
      def send(text):
          address = os.environ["NOTIFY_SOCKET"]
          if address.startswith("@"):
              address = "\\0" + address[1:]
          s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
          s.sendto(text.encode(), address)
          s.close()
      """;

  final TestProbe<NodeEvent> events = kit.createTestProbe();
  final List<ActorRef<NodeRunner.Command>> runners = new ArrayList<>();
  final List<Process> outsiders = new ArrayList<>();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
    processes.close();
  }

  @AfterEach
  void removeNodes() throws InterruptedException {
    outsiders.forEach(Process::destroyForcibly);
    for (ActorRef<NodeRunner.Command> runner : runners) {
      runner.tell(NodeRunner.Remove.INSTANCE);
    }
    for (ActorRef<NodeRunner.Command> runner : runners) {
      kit.createTestProbe().expectTerminated(runner, WAIT);
    }
  }

  NodePath newPath() {
    return NodePath.parse("daq1/ready/n" + names.incrementAndGet());
  }

  NodePath spawn(NodeSpec spec) {
    NodePath path = newPath();
    runners.add(kit.spawn(NodeRunner.create(path, spec, NodeState.RUNNING, 1, null, 0,
        new HostEnvironment(settings, NodeTypes.create(settings), processes, events.getRef()))));
    return path;
  }

  static NodeSpec python(String program) {
    return NodeSpec.process(ProcessSpec.of("/usr/bin/python3", "-u", "-c", NOTIFY + program));
  }

  NodeStatus await(Predicate<NodeStatus> condition) {
    return RunnerEvents.awaitStatus(events, WAIT, condition);
  }

  @Test
  void aProcessThatSaysReadyLateIsStartingUntilThenRunningWithWhatItSays() {
    spawn(python("""
        send("STATUS=warming up")
        time.sleep(1.0)
        send("READY=1\\nSTATUS=taking data")
        time.sleep(1000)
        """).withReadiness(Probe.of(Probe.Type.NOTIFY)));
    NodeStatus starting = await(s -> s.state() == NodeState.STARTING && "warming up".equals(s.statusText()));
    assertNotNull(starting.pid(), "its process runs while it is STARTING");
    assertFalse(starting.arrived(), "STARTING is not the requested RUNNING");
    NodeStatus running = await(s -> s.state() == NodeState.RUNNING);
    assertEquals("taking data", running.statusText(), "the text sent with READY=1");
    assertEquals(starting.pid(), running.pid());
    assertEquals(0, running.restarts());
  }

  @Test
  void aProcessNeverReadyCrashesNotReadyAfterItsStartTimeoutAndIsRestarted() {
    spawn(python("time.sleep(1000)").withReadiness(Probe.of(Probe.Type.NOTIFY)).withStartTimeout(Duration.ofMillis(600)));
    NodeStatus failed = await(s -> s.lastFailure() != null);
    assertTrue(failed.lastFailure().startsWith("not-ready: "), failed.lastFailure());
    assertTrue(failed.lastFailure().contains("start timeout 600 ms"), failed.lastFailure());
    NodeStatus again = await(s -> s.state() == NodeState.STARTING && s.restarts() >= 1);
    assertTrue(again.incarnation() >= 2, "a new incarnation: " + again);
  }

  @Test
  void aStartTimeoutIsExtendedByExtendTimeoutUsec() {
    spawn(python("""
        time.sleep(0.2)
        send("EXTEND_TIMEOUT_USEC=3000000")
        time.sleep(1.2)
        send("READY=1")
        time.sleep(1000)
        """).withReadiness(Probe.of(Probe.Type.NOTIFY)).withStartTimeout(Duration.ofMillis(800)));
    NodeStatus running = await(s -> s.state() == NodeState.RUNNING || s.lastFailure() != null);
    assertEquals(NodeState.RUNNING, running.state(), "ready 1.4 s after its start, with 3 s asked for at 0.2 s: " + running.lastFailure());
  }

  @Test
  void aWatchdogThatStopsIsDeadlockDetected() {
    spawn(python("""
        send("READY=1\\nSTATUS=" + os.environ["WATCHDOG_USEC"])
        for i in range(10):
            send("WATCHDOG=1")
            time.sleep(0.1)
        time.sleep(1000)
        """).withReadiness(Probe.of(Probe.Type.NOTIFY)).withLiveness(Probe.of(Probe.Type.NOTIFY).withTimeout(Duration.ofMillis(700))));
    NodeStatus running = await(s -> s.state() == NodeState.RUNNING);
    assertEquals("700000", running.statusText(), "WATCHDOG_USEC is the liveness timeout in microseconds");
    NodeStatus failed = await(s -> s.lastFailure() != null);
    assertTrue(failed.lastFailure().startsWith("deadlock-detected: "), failed.lastFailure());
  }

  @Test
  void aWatchdogTimeoutSetAtRunTimeWithWatchdogUsecHoldsUntilTheNextStart() throws Exception {
    Path marker = Files.createTempDirectory(WORK.toAbsolutePath().getParent(), "watchdog-usec-").resolve("started-once");
    spawn(python("""
        if not os.path.exists("%s"):
            open("%s", "w").close()
            send("READY=1\\nWATCHDOG_USEC=3000000")
            for i in range(3):
                time.sleep(0.9)
                send("WATCHDOG=1")
            send("STATUS=kept alive")
        else:
            send("READY=1\\nSTATUS=second start")
        time.sleep(1000)
        """.formatted(marker, marker)).withReadiness(Probe.of(Probe.Type.NOTIFY))
        .withLiveness(Probe.of(Probe.Type.NOTIFY).withTimeout(Duration.ofMillis(400))));
    NodeStatus kept = await(s -> "kept alive".equals(s.statusText()) || s.lastFailure() != null);
    assertNull(kept.lastFailure(), "keepalives 0.9 s apart hold a 3 s watchdog, though the node's own is 400 ms");
    NodeStatus missed = await(s -> s.lastFailure() != null);
    assertTrue(missed.lastFailure().startsWith("deadlock-detected: ") && missed.lastFailure().endsWith("(deadline 3000 ms)"),
        missed.lastFailure());
    NodeStatus again = await(s -> s.lastFailure() != null && s.restarts() >= 1 && !s.lastFailure().equals(missed.lastFailure()));
    assertTrue(again.lastFailure().endsWith("(deadline 400 ms)"), "the next start has the node's own timeout: " + again.lastFailure());
  }

  @Test
  void aProcessThatAsksForMoreTimeToStopWithExtendTimeoutUsecHasItBeforeSigkill() throws Exception {
    Path flushed = Files.createTempDirectory(WORK.toAbsolutePath().getParent(), "extend-stop-").resolve("flushed");
    NodeSpec spec = NodeSpec.process(ProcessSpec.of("/usr/bin/python3", "-u", "-c", NOTIFY + """
        import signal
        def term(signum, frame):
            send("EXTEND_TIMEOUT_USEC=4000000\\nWATCHDOG=trigger")
            time.sleep(1.5)
            open("%s", "w").close()
            os._exit(0)
        signal.signal(signal.SIGTERM, term)
        send("READY=1")
        time.sleep(1000)
        """.formatted(flushed)).withStopGrace(Duration.ofMillis(500))).withReadiness(Probe.of(Probe.Type.NOTIFY))
        .withLiveness(Probe.of(Probe.Type.NOTIFY).withTimeout(Duration.ofSeconds(60)));
    ActorRef<NodeRunner.Command> runner = kit.spawn(NodeRunner.create(newPath(), spec, NodeState.RUNNING, 1, null, 0,
        new HostEnvironment(settings, NodeTypes.create(settings), processes, events.getRef())));
    runners.add(runner);
    await(s -> s.state() == NodeState.RUNNING);
    runner.tell(new NodeRunner.Request(NodeState.STOPPED, 2));
    NodeStatus stopped = await(s -> s.state() == NodeState.STOPPED || s.lastFailure() != null);
    assertEquals(NodeState.STOPPED, stopped.state(), "a WATCHDOG=trigger sent while stopping is no crash: " + stopped.lastFailure());
    assertTrue(Files.exists(flushed), "the process had the 1.5 s it asked for, past its stop grace of 500 ms");
    assertEquals("exit 0", stopped.exit());
  }

  @Test
  void aDatagramFromOutsideTheNodesSessionIsNotHeard() throws Exception {
    NodePath path = spawn(python("time.sleep(1000)").withReadiness(Probe.of(Probe.Type.NOTIFY)));
    NodeStatus starting = await(s -> s.state() == NodeState.STARTING && s.path().equals(path));
    String socket = ProcessHandle.of(starting.pid()).isPresent() ? readEnv(starting.pid(), "NOTIFY_SOCKET") : null;
    assertNotNull(socket, "the node's process has NOTIFY_SOCKET");
    // Another process of the same user, outside the node's session, claims to be ready for it.
    ListAppender<ILoggingEvent> warnings = new ListAppender<>();
    warnings.start();
    Logger hostLog = (Logger) LoggerFactory.getLogger(ProcessHost.class);
    hostLog.addAppender(warnings);
    try {
      ProcessBuilder outsider = new ProcessBuilder("/usr/bin/python3", "-c", NOTIFY + "send('READY=1')\ntime.sleep(1000)");
      outsider.environment().put("NOTIFY_SOCKET", socket);
      Process sender = outsider.start();
      outsiders.add(sender);
      String heard = "ignored a notify datagram from pid " + sender.pid() + ": it belongs to no process node of this host";
      ProcessNodeTest.awaitTrue("the outsider's datagram", () -> {
        synchronized (warnings) {
          return warnings.list.stream().anyMatch(e -> e.getFormattedMessage().startsWith(heard));
        }
      });
    } finally {
      hostLog.detachAppender(warnings);
    }
    for (NodeEvent event : drain(Duration.ofMillis(500))) {
      if (event instanceof NodeEvent.StatusChanged changed) {
        assertNotEquals(NodeState.RUNNING, changed.status().state(), "a process outside the node's session made it ready");
      }
    }
  }

  /** Every event reported within {@code time}. */
  List<NodeEvent> drain(Duration time) {
    List<NodeEvent> all = new ArrayList<>();
    long until = System.nanoTime() + time.toNanos();
    for (long left = time.toNanos(); left > 0; left = until - System.nanoTime()) {
      try {
        all.add(events.receiveMessage(Duration.ofNanos(left)));
      } catch (AssertionError timedOut) {
        break;
      }
    }
    return all;
  }

  @Test
  void aTcpProbeOnAReservedPortMakesItReadyAndItsFailuresAreALivenessCrash() {
    spawn(NodeSpec.process(ProcessSpec.of("/usr/bin/python3", "-u", "-c", """
            import os, socket, time
            time.sleep(0.5)
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", int(os.environ["SHEPHERD_PORT_DATA"])))
            s.listen(16)
            time.sleep(1.5)
            s.close()
            time.sleep(1000)
            """))
        .withReadiness(Probe.tcp("${port:data}").withPeriod(Duration.ofMillis(100)))
        .withLiveness(Probe.tcp("${port:data}").withPeriod(Duration.ofMillis(100)).withFailures(3)));
    await(s -> s.state() == NodeState.STARTING);
    NodeStatus running = await(s -> s.state() == NodeState.RUNNING);
    assertNull(running.lastFailure());
    NodeStatus failed = await(s -> s.lastFailure() != null);
    assertTrue(failed.lastFailure().startsWith("liveness-failed: 3 tcp probes in a row failed"), failed.lastFailure());
  }

  @Test
  void anHttpProbeWaitsForA2xxAnswer() {
    spawn(NodeSpec.process(ProcessSpec.of("/usr/bin/python3", "-u", "-c", """
            import http.server, os, time
            time.sleep(0.3)
            http.server.HTTPServer(("127.0.0.1", int(os.environ["SHEPHERD_PORT_WEB"])), http.server.SimpleHTTPRequestHandler).serve_forever()
            """).withWorkingDir(WORK.toAbsolutePath().toString()))
        .withReadiness(Probe.http("http://127.0.0.1:${port:web}/").withPeriod(Duration.ofMillis(100))));
    await(s -> s.state() == NodeState.STARTING);
    assertNull(await(s -> s.state() == NodeState.RUNNING).lastFailure());
  }

  @Test
  void aCommandProbeIsReadyWhenTheCommandExitsZero() throws Exception {
    Path flag = WORK.toAbsolutePath().resolve("ready-" + names.incrementAndGet());
    NodePath path = spawn(NodeSpec.process(ProcessSpec.of("sleep", "1000"))
        .withReadiness(Probe.command("/usr/bin/test", "-f", flag.toString()).withPeriod(Duration.ofMillis(100))));
    await(s -> s.state() == NodeState.STARTING && s.path().equals(path));
    Files.writeString(flag, "");
    assertNull(await(s -> s.state() == NodeState.RUNNING).lastFailure());
  }

  @Test
  void aCommandProbeRunsInASessionOfItsOwnWhatItLeavesThereIsKilledAndAHungOneIsKilledWhole() throws Exception {
    // "bash" by its name: the probe runs the allowed path it resolved to.
    String marker = Long.toString(4_700_000 + ProcessHandle.current().pid() % 10_000);
    NodePath path = spawn(NodeSpec.process(ProcessSpec.of("sleep", "1000"))
        .withReadiness(Probe.command("bash", "-c", "sleep " + marker + " & exit 0"))
        .withLiveness(Probe.command("bash", "-c", "sleep 1" + marker + " & sleep 2" + marker).withTimeout(Duration.ofMillis(300))
            .withPeriod(Duration.ofMillis(100)).withFailures(1000)));
    assertNull(await(s -> s.state() == NodeState.RUNNING && s.path().equals(path)).lastFailure());
    // The readiness probe exited at once; the process it left in its session is killed.
    awaitCount("sleep " + marker, 0);
    // Each liveness probe hangs past its timeout: both its processes are killed each time, none piles up.
    awaitCount("sleep 2" + marker, 1);
    for (int i = 0; i < 10; i++) {
      assertTrue(running("sleep 1" + marker).size() <= 1 && running("sleep 2" + marker).size() <= 1,
          "one probe's processes at a time: " + running("sleep 1" + marker) + " " + running("sleep 2" + marker));
      TimeUnit.MILLISECONDS.sleep(100);
    }
    // In a session of its own, led by the probe's bash, not in this JVM's.
    long jvmSession = Sessions.stat(ProcessHandle.current().pid()).orElseThrow().session();
    awaitCount("sleep 2" + marker, 1);
    Optional<ProcessHandle> sleeper = running("sleep 2" + marker).stream().findFirst().flatMap(ProcessHandle::of);
    Optional<Long> session = sleeper.flatMap(p -> Sessions.stat(p.pid())).map(Sessions.Stat::session);
    Optional<Long> parent = sleeper.flatMap(ProcessHandle::parent).map(ProcessHandle::pid);
    if (session.isPresent() && parent.isPresent() && sleeper.get().isAlive()) {
      assertNotEquals(jvmSession, session.get());
      assertEquals(parent.get(), session.get(), "its bash leads its session");
    }
  }

  @Test
  void aStopKillsTheCommandProbeItsNodeIsRunning() throws Exception {
    String marker = Long.toString(3_700_000 + ProcessHandle.current().pid() % 10_000);
    NodePath path = spawn(NodeSpec.process(ProcessSpec.of("sleep", "1000"))
        .withLiveness(Probe.command("sleep", marker).withTimeout(Duration.ofMinutes(10)).withPeriod(Duration.ofMillis(100))));
    await(s -> s.state() == NodeState.RUNNING && s.path().equals(path));
    awaitCount("sleep " + marker, 1);
    runners.get(runners.size() - 1).tell(new NodeRunner.Request(NodeState.STOPPED, 2));
    await(s -> s.state() == NodeState.STOPPED && s.path().equals(path));
    awaitCount("sleep " + marker, 0);
  }

  /** The pids of the processes that run {@code sleep SECONDS} ({@code command}). */
  static List<Long> running(String command) {
    String seconds = command.substring("sleep ".length());
    return ProcessHandle.allProcesses().filter(p -> p.info().command().map(c -> c.endsWith("/sleep")).orElse(false)
        && p.info().arguments().map(a -> List.of(a).equals(List.of(seconds))).orElse(false))
        .filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList();
  }

  static void awaitCount(String command, int count) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (running(command).size() != count) {
      assertTrue(System.nanoTime() < deadline, count + " processes run " + command + ", not " + running(command));
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  @Test
  void aStopWhileStartingStopsTheProcessWithoutACrash() throws Exception {
    ActorRef<NodeRunner.Command> runner = kit.spawn(NodeRunner.create(newPath(), python("time.sleep(1000)")
        .withReadiness(Probe.of(Probe.Type.NOTIFY)), NodeState.RUNNING, 1, null, 0,
        new HostEnvironment(settings, NodeTypes.create(settings), processes, events.getRef())));
    runners.add(runner);
    long pid = await(s -> s.state() == NodeState.STARTING).pid();
    runner.tell(new NodeRunner.Request(NodeState.STOPPED, 2));
    NodeStatus stopped = await(s -> s.state() == NodeState.STOPPED);
    assertNull(stopped.lastFailure());
    assertTrue(Sessions.stat(pid).map(Sessions.Stat::zombie).orElse(true), "its process has ended");
  }

  @Test
  void aNodeStartedAgainAfterAStopIsStartingUntilItSaysReadyAgain() {
    ActorRef<NodeRunner.Command> runner = kit.spawn(NodeRunner.create(newPath(), python("""
        time.sleep(0.3)
        send("READY=1")
        time.sleep(1000)
        """).withReadiness(Probe.of(Probe.Type.NOTIFY)), NodeState.RUNNING, 1, null, 0,
        new HostEnvironment(settings, NodeTypes.create(settings), processes, events.getRef())));
    runners.add(runner);
    await(s -> s.state() == NodeState.RUNNING);
    runner.tell(new NodeRunner.Request(NodeState.STOPPED, 2));
    await(s -> s.state() == NodeState.STOPPED);
    runner.tell(new NodeRunner.Request(NodeState.RUNNING, 3));
    NodeStatus again = await(s -> s.state() == NodeState.STARTING || s.state() == NodeState.RUNNING);
    assertEquals(NodeState.STARTING, again.state(), "its second start is not ready because its first was");
    assertEquals(1, again.incarnation(), "the same instance, started again");
    await(s -> s.state() == NodeState.RUNNING);
  }

  @Test
  void aJavaNodeWithExplicitReadinessIsRunningWhenItSaysSo() {
    // Status texts are reported at most every 200 ms: the first STARTING report may come before the text.
    spawn(new NodeSpec(LateReadyNode.class.getName(), Map.of("ready-after-ms", "1500"), null, null)
        .withReadiness(Probe.of(Probe.Type.EXPLICIT)));
    await(s -> s.state() == NodeState.STARTING && "warming up".equals(s.statusText()));
    assertEquals("taking data", await(s -> s.state() == NodeState.RUNNING).statusText());
  }

  @Test
  void garbageAndOversizedDatagramsAreDroppedWhole() {
    spawn(python("""
        address = os.environ["NOTIFY_SOCKET"]
        raw = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        raw.sendto(b"READY=1\\nSTATUS=\\xff\\xfe", address if not address.startswith("@") else "\\0" + address[1:])
        send("READY=1\\nSTATUS=" + "x" * 5000)
        time.sleep(0.5)
        send("READY=1\\nSTATUS=after")
        time.sleep(1000)
        """).withReadiness(Probe.of(Probe.Type.NOTIFY)));
    NodeStatus running = await(s -> s.state() == NodeState.RUNNING);
    assertEquals("after", running.statusText(), "neither the garbage nor the oversized READY=1 counted");
  }

  @Test
  void aMainPidInTheNodesSessionIsFollowedWhenTheFirstProcessExits() throws Exception {
    spawn(python("""
        child = os.fork()
        if child == 0:
            time.sleep(1000)
            os._exit(0)
        send("MAINPID=%d\\nREADY=1" % child)
        time.sleep(0.3)
        os._exit(0)
        """).withReadiness(Probe.of(Probe.Type.NOTIFY)));
    long main = await(s -> s.state() == NodeState.RUNNING).pid();
    long leader = Sessions.stat(main).orElseThrow().session();
    assertNotEquals(leader, main, "status shows the main process it named, not the first");
    assertFollowsMainProcessUntilItEnds(leader, main);
  }

  /** The first process ({@code leader}) exits and is no crash; a kill -9 of {@code main} is one, of the main process. */
  void assertFollowsMainProcessUntilItEnds(long leader, long main) throws Exception {
    ProcessNodeTest.awaitTrue("the first process gone", () -> ProcessNodeTest.ended(leader));
    for (NodeEvent event : drain(Duration.ofMillis(500))) {
      if (event instanceof NodeEvent.StatusChanged changed) {
        assertNull(changed.status().lastFailure(), "the node follows its main process: no crash when the first one exits");
      }
    }
    new ProcessBuilder("kill", "-9", Long.toString(main)).start().waitFor();
    NodeStatus failed = await(s -> s.lastFailure() != null);
    assertEquals("main process " + main + " (MAINPID) ended", failed.lastFailure());
  }

  @Test
  void aDaemonThatLeftTheSessionIsHeardAndFollowedAsTheMainProcessThroughItsNodesCgroup() throws Exception {
    assumeTrue(processes.containment().startsWith("cgroup"), "no writable cgroups here: " + processes.containment());
    spawn(python("""
        leader = os.getpid()
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                send("MAINPID=%d\\nREADY=1\\nSTATUS=left session %d" % (os.getpid(), leader))
                time.sleep(1000)
            os._exit(0)
        time.sleep(0.3)
        os._exit(0)
        """).withReadiness(Probe.of(Probe.Type.NOTIFY)));
    NodeStatus running = await(s -> s.state() == NodeState.RUNNING);
    long main = running.pid();
    long leader = Long.parseLong(running.statusText().substring("left session ".length()));
    assertNotEquals(leader, Sessions.stat(main).orElseThrow().session(), "the daemon is in a session of its own");
    assertFollowsMainProcessUntilItEnds(leader, main);
  }

  @Test
  void aMonitoredPoolThatCompletesNothingWithinItsDeadlineIsAHangOfItsNode() throws Exception {
    NodePath working = spawn(new NodeSpec(PoolNode.class.getName(), Map.of("deadline-ms", "300"), null, null));
    await(s -> s.path().equals(working) && s.state() == NodeState.RUNNING);
    ProcessNodeTest.awaitTrue("a task of the working pool done", () -> PoolNode.SEEN.containsKey(working.toString()));
    assertEquals(working.toString(), PoolNode.SEEN.get(working.toString()), "the pool's threads carry the node's path");

    NodePath stuck = spawn(new NodeSpec(PoolNode.class.getName(), Map.of("deadline-ms", "300", "stick", "true"), null, null));
    NodeStatus failed = await(s -> s.path().equals(stuck) && s.lastFailure() != null);
    assertTrue(failed.lastFailure().startsWith("pool-stuck: pool work completed no task for "), failed.lastFailure());
    for (NodeEvent event : drain(Duration.ofMillis(800))) {
      if (event instanceof NodeEvent.StatusChanged changed && changed.status().path().equals(working)) {
        assertNull(changed.status().lastFailure(), "a pool that completes its work is never stuck");
      }
    }
  }

  static String readEnv(long pid, String name) throws Exception {
    for (String entry : new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ"))).split("\0")) {
      if (entry.startsWith(name + "=")) {
        return entry.substring(name.length() + 1);
      }
    }
    return null;
  }
}
