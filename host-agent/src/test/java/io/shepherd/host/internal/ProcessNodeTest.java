package io.shepherd.host.internal;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.ConfigFactory;
import io.shepherd.host.HostSettings;
import io.shepherd.host.NodeTypes;
import io.shepherd.host.internal.process.PortRegistry;
import io.shepherd.host.internal.process.ProcessHost;
import io.shepherd.host.internal.process.Sessions;
import io.shepherd.protocol.Autorestart;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NextAction;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import io.shepherd.protocol.ProcessSpec;
import io.shepherd.testing.TestConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Process nodes run by a real NodeRunner: real OS processes, started, stopped, killed and crashed. */
class ProcessNodeTest {

  static final Path WORK = Path.of("target", "process-node-test-" + ProcessHandle.current().pid());

  static final ActorTestKit kit = ActorTestKit.create("process", ConfigFactory.parseString("""
      shepherd.host.id = daq1
      shepherd.host.callback-timeout = 5s
      shepherd.host.remove-timeout = 10s
      shepherd.host.restart { min-backoff = 20ms, max-backoff = 200ms, jitter = 0, reset-after = 10s, max-restarts = 3, window = 1m }
      shepherd.host.process.allowed = ["/usr/bin/*", "/bin/*"]
      shepherd.host.work-root = "%s"
      """.formatted(WORK)).withFallback(TestConfig.local()));

  static final HostSettings settings = HostSettings.create(kit.system());
  static final ProcessHost processes = new ProcessHost(settings);
  static final AtomicInteger names = new AtomicInteger();
  static final Duration WAIT = Duration.ofSeconds(15);

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
    processes.close();
  }

  final TestProbe<NodeEvent> events = kit.createTestProbe();

  NodePath newPath() {
    return NodePath.parse("daq1/proc/p" + names.incrementAndGet());
  }

  ActorRef<NodeRunner.Command> spawn(NodePath path, ProcessSpec process, NodeState requested) {
    return spawn(path, NodeSpec.process(process), requested);
  }

  ActorRef<NodeRunner.Command> spawn(NodePath path, NodeSpec spec, NodeState requested) {
    return kit.spawn(NodeRunner.create(path, spec, requested, 1, null, 0,
        new HostEnvironment(settings, NodeTypes.create(settings), processes, events.getRef())));
  }

  NodeStatus awaitStatus(Predicate<NodeStatus> condition) {
    return RunnerEvents.awaitStatus(events, WAIT, condition);
  }


  static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting for " + what);
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  /** The records of one node: they reach the appenders of the node logger, named after the node. */
  static ListAppender<ILoggingEvent> capture(NodePath path) {
    ListAppender<ILoggingEvent> appender = new ListAppender<>() {
      @Override
      protected void append(ILoggingEvent event) {
        if (event.getLoggerName().equals("node." + path)) {
          super.append(event);
        }
      }
    };
    appender.start();
    ((Logger) LoggerFactory.getLogger("node")).addAppender(appender);
    return appender;
  }

  static boolean logged(ListAppender<ILoggingEvent> appender, String level, String message) {
    synchronized (appender) {
      return List.copyOf(appender.list).stream().anyMatch(e -> e.getLevel().toString().equals(level)
          && e.getFormattedMessage().equals(message) && path(e) != null);
    }
  }

  /** True once a process has ended: gone, or a zombie waiting to be reaped. */
  static boolean ended(long pid) {
    return Sessions.stat(pid).map(Sessions.Stat::zombie).orElse(true);
  }

  void awaitRemoved() {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!(events.receiveMessage(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))) instanceof NodeEvent.Removed)) {
      assertTrue(System.nanoTime() < deadline, "removed in time");
    }
  }

  static String path(ILoggingEvent event) {
    return event.getMDCPropertyMap().get("shepherdNode");
  }

  @Test
  void runningIsUpAndStopEndsTheProcessWithSigterm() throws Exception {
    NodePath path = newPath();
    ActorRef<NodeRunner.Command> runner = spawn(path, ProcessSpec.of("sleep", "1000"), NodeState.RUNNING);
    NodeStatus running = awaitStatus(s -> s.state() == NodeState.RUNNING);
    assertNotNull(running.pid(), "a running process node reports its pid");
    assertEquals("running", running.exit());
    long pid = running.pid();
    assertTrue(ProcessHandle.of(pid).isPresent());
    // With the setsid launcher the session is made between the fork and the exec of the program: poll for it.
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (Sessions.stat(pid).orElseThrow().session() != pid && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(pid, Sessions.stat(pid).orElseThrow().session(), "the process leads a session of its own");
    // The reaper is a pooled thread that takes the process's name once it starts waiting: poll for it too.
    while (Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("shepherd-reaper-" + pid))
        && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("shepherd-reaper-" + pid)),
        "started by posix_spawn, the default launcher (its processes have a reaper thread of Shepherd's)");

    runner.tell(new NodeRunner.Request(NodeState.STOPPED, 2));
    NodeStatus stopped = awaitStatus(s -> s.state() == NodeState.STOPPED);
    assertEquals("signal 15", stopped.exit());
    assertNull(stopped.pid());
    assertEquals(0, stopped.restarts(), "a requested exit is not a crash");
    assertTrue(ended(pid));

    runner.tell(new NodeRunner.Request(NodeState.RUNNING, 3));
    NodeStatus again = awaitStatus(s -> s.state() == NodeState.RUNNING);
    assertNotEquals(pid, again.pid(), "up again is a new process");
    runner.tell(NodeRunner.Remove.INSTANCE);
    awaitRemoved();
    awaitTrue("the process gone after removal", () -> ended(again.pid()));
  }

  @Test
  void anExitNobodyAskedForIsACrashAndAutoRestartsIt() {
    NodePath path = newPath();
    spawn(path, ProcessSpec.of("sh", "-c", "sleep 0.2; exit 3"), NodeState.RUNNING);
    NodeStatus crashed = awaitStatus(s -> s.state() == NodeState.FAILED);
    assertEquals("exit 3", crashed.exit());
    assertTrue(crashed.lastFailure().contains("exited by itself (exit 3)"), crashed.lastFailure());
    NodeStatus restarted = awaitStatus(s -> s.state() == NodeState.RUNNING && s.restarts() >= 1);
    assertEquals("running", restarted.exit());
    // Three restarts in the budget, then FAILED for good.
    NodeStatus spent = awaitStatus(s -> s.state() == NodeState.FAILED && s.lastFailure().contains("budget"));
    assertEquals(3, spent.restarts());
  }

  @Test
  void aOneShotThatExitsWithZeroUnderOnFailureIsDoneNotACrashAndCanBeRunAgain() throws Exception {
    NodePath path = newPath();
    // The leader exits 0; its child stays behind in the session: the end must not leave it running.
    ActorRef<NodeRunner.Command> runner = spawn(path, NodeSpec.process(ProcessSpec.of("bash", "-c", "sleep 1000 & sleep 0.3; exit 0"))
        .withAutorestart(Autorestart.ON_FAILURE), NodeState.RUNNING);
    long first = awaitStatus(s -> s.state() == NodeState.RUNNING && s.pid() != null).pid();
    NodeStatus done = awaitStatus(s -> s.state() != NodeState.RUNNING);
    assertEquals(NodeState.STOPPED, done.state(), "an exit with 0 under on-failure is no crash");
    assertTrue(done.finished());
    assertEquals("exit 0", done.exit());
    assertNull(done.pid());
    assertEquals(0, done.restarts());
    assertNull(done.lastFailure());
    assertEquals(NodeState.RUNNING, done.requested(), "the host does not change a request: the Manager does, seeing finished");
    assertEquals(NextAction.WAIT, done.nextAction());
    assertEquals("bash", done.agentClass(), "OCS's agent_class of a process node: its executable");
    awaitTrue("the ended session's grandchild ended", () -> Sessions.members(first).isEmpty());

    runner.tell(new NodeRunner.Request(NodeState.STOPPED, 2)); // what the Manager sends when it sees finished
    NodeStatus followed = awaitStatus(s -> s.requested() == NodeState.STOPPED);
    assertEquals(NodeState.STOPPED, followed.state());
    assertFalse(followed.finished());
    assertEquals(NextAction.NONE, followed.nextAction());

    runner.tell(new NodeRunner.Request(NodeState.RUNNING, 3));
    NodeStatus again = awaitStatus(s -> s.state() == NodeState.RUNNING && s.pid() != null);
    assertNotEquals(first, again.pid(), "up again runs it again");
    assertEquals(0, again.restarts(), "a run asked for is not a restart after a crash");
    assertTrue(awaitStatus(s -> s.state() != NodeState.RUNNING).finished(), "and it ends as before");
  }

  @Test
  void onFailureRestartsAFailedExitAndNeverKeepsAnyExitStopped() {
    NodePath onFailure = newPath();
    spawn(onFailure, NodeSpec.process(ProcessSpec.of("sh", "-c", "sleep 0.2; exit 3")).withAutorestart(Autorestart.ON_FAILURE),
        NodeState.RUNNING);
    NodeStatus ended = awaitStatus(s -> s.path().equals(onFailure) && (s.state() == NodeState.FAILED || s.finished()));
    assertEquals(NodeState.FAILED, ended.state(), "exit 3 is a failure");
    awaitStatus(s -> s.path().equals(onFailure) && s.state() == NodeState.RUNNING && s.restarts() >= 1);

    NodePath never = newPath();
    spawn(never, NodeSpec.process(ProcessSpec.of("sh", "-c", "sleep 0.2; exit 3")).withAutorestart(Autorestart.NEVER),
        NodeState.RUNNING);
    NodeStatus done = awaitStatus(s -> s.path().equals(never) && (s.state() == NodeState.FAILED || s.finished()));
    assertEquals(NodeState.STOPPED, done.state());
    assertEquals("exit 3", done.exit(), "the exit is shown, as Architect's poll does");
    assertEquals(0, done.restarts());
  }

  @Test
  void aSignalFromOutsideIsReportedAsSuch() throws Exception {
    NodePath path = newPath();
    spawn(path, ProcessSpec.of("sleep", "1000"), NodeState.RUNNING);
    long pid = awaitStatus(s -> s.state() == NodeState.RUNNING && s.pid() != null).pid();
    assertEquals(0, new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor());
    NodeStatus crashed = awaitStatus(s -> s.state() == NodeState.FAILED);
    assertEquals("signal 9", crashed.exit());
    assertTrue(crashed.lastFailure().contains("was killed by signal 9, not by Shepherd"), crashed.lastFailure());
  }

  @Test
  void stopKillsGrandchildrenAndWhatIgnoresSigtermAfterTheGrace() throws Exception {
    NodePath path = newPath();
    ProcessSpec spec = ProcessSpec.of("bash", "-c", "trap '' TERM; sleep 1000 & sleep 1000 & (trap '' TERM; sleep 1000) & wait")
        .withStopGrace(Duration.ofMillis(600));
    ActorRef<NodeRunner.Command> runner = spawn(path, spec, NodeState.RUNNING);
    long sid = awaitStatus(s -> s.state() == NodeState.RUNNING).pid();
    awaitTrue("the grandchildren started", () -> Sessions.members(sid).size() >= 4);
    List<Long> members = Sessions.members(sid);

    long stopAt = System.nanoTime();
    runner.tell(new NodeRunner.Request(NodeState.STOPPED, 2));
    NodeStatus stopped = awaitStatus(s -> s.state() == NodeState.STOPPED);
    long tookMs = (System.nanoTime() - stopAt) / 1_000_000;
    assertTrue(tookMs >= 500, "SIGKILL waited for the grace, took " + tookMs + " ms");
    assertEquals("signal 9", stopped.exit(), "the leader ignored SIGTERM");
    for (long member : members) {
      assertTrue(ended(member), "process " + member + " of the session is gone");
    }
    assertTrue(Sessions.members(sid).isEmpty());
  }

  @Test
  void aCrashEndsTheWholeSessionBeforeTheRestart() throws Exception {
    NodePath path = newPath();
    // The leader exits; its child stays behind in the session until the crash handling ends it.
    spawn(path, ProcessSpec.of("bash", "-c", "sleep 1000 & sleep 0.3; exit 1"), NodeState.RUNNING);
    long first = awaitStatus(s -> s.state() == NodeState.RUNNING).pid();
    awaitStatus(s -> s.state() == NodeState.FAILED);
    awaitTrue("the crashed session's grandchild ended", () -> Sessions.members(first).isEmpty());
  }

  @Test
  void killIsSigkillAtOnceAndARequestedExit() {
    NodePath path = newPath();
    ActorRef<NodeRunner.Command> runner = spawn(path, ProcessSpec.of("bash", "-c", "trap '' TERM; sleep 1000")
        .withStopGrace(Duration.ofSeconds(60)), NodeState.RUNNING);
    long pid = awaitStatus(s -> s.state() == NodeState.RUNNING).pid();
    long killAt = System.nanoTime();
    runner.tell(new NodeRunner.Request(NodeState.STOPPED, 2));
    runner.tell(NodeRunner.Kill.INSTANCE);
    NodeStatus stopped = awaitStatus(s -> s.state() == NodeState.STOPPED);
    assertTrue((System.nanoTime() - killAt) / 1_000_000 < 30_000, "did not wait for the 60 s grace");
    assertEquals("signal 9", stopped.exit());
    assertEquals(0, stopped.restarts());
    assertTrue(Sessions.members(pid).isEmpty());
  }

  @Test
  void stdoutAndStderrBecomeLogRecordsOfTheNode() throws Exception {
    NodePath path = newPath();
    ListAppender<ILoggingEvent> log = capture(path);
    spawn(path, ProcessSpec.of("bash", "-c", "echo hello out; echo hello err >&2; printf 'no newline'; exec sleep 1000"),
        NodeState.RUNNING);
    awaitTrue("stdout as INFO", () -> logged(log, "INFO", "hello out"));
    awaitTrue("stderr as WARN", () -> logged(log, "WARN", "hello err"));
    synchronized (log) {
      assertTrue(log.list.stream().filter(e -> e.getFormattedMessage().equals("hello out"))
          .allMatch(e -> path.toString().equals(path(e))), "records carry the node path");
    }
  }

  @Test
  void inputGoesToStdinAndIsRefusedWithAReasonOtherwise() throws Exception {
    NodePath path = newPath();
    ListAppender<ILoggingEvent> log = capture(path);
    ActorRef<NodeRunner.Command> runner = spawn(path, ProcessSpec.of("cat").withStdin(true), NodeState.RUNNING);
    awaitStatus(s -> s.state() == NodeState.RUNNING);
    TestProbe<ManagerProtocol.Reply> replies = kit.createTestProbe();
    runner.tell(new NodeRunner.SendInput("ping 1", replies.getRef()));
    assertInstanceOf(ManagerProtocol.Ok.class, replies.receiveMessage(WAIT));
    awaitTrue("cat echoed the line", () -> logged(log, "INFO", "ping 1"));

    NodePath closed = newPath();
    ActorRef<NodeRunner.Command> noStdin = spawn(closed, ProcessSpec.of("sleep", "1000"), NodeState.RUNNING);
    awaitStatus(s -> s.state() == NodeState.RUNNING && s.path().equals(closed));
    noStdin.tell(new NodeRunner.SendInput("ping", replies.getRef()));
    ManagerProtocol.Failed refused = assertInstanceOf(ManagerProtocol.Failed.class, replies.receiveMessage(WAIT));
    assertEquals(ErrorCode.INVALID_ARGUMENT, refused.code());
    assertTrue(refused.message().contains("stdin"), refused.message());
  }

  @Test
  void anExecutableOffTheAllowListIsRefusedAndNothingStarts() {
    NodePath path = newPath();
    spawn(path, ProcessSpec.of("/opt/not-allowed/tool"), NodeState.RUNNING);
    NodeEvent.Rejected rejected = events.expectMessageClass(NodeEvent.Rejected.class, WAIT);
    assertEquals(ErrorCode.INVALID_ARGUMENT, rejected.code(), rejected.message());

    NodePath other = newPath();
    Path script = WORK.resolve("tool.sh").toAbsolutePath();
    try {
      Files.createDirectories(WORK);
      Files.writeString(script, "#!/bin/sh\nsleep 1000\n");
      script.toFile().setExecutable(true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    spawn(other, ProcessSpec.of(script.toString()), NodeState.RUNNING);
    NodeEvent.Rejected notAllowed = events.expectMessageClass(NodeEvent.Rejected.class, WAIT);
    assertEquals(ErrorCode.NOT_ALLOWED, notAllowed.code());
    assertTrue(notAllowed.message().contains("shepherd.host.process.allowed"), notAllowed.message());
  }

  @Test
  void portReferencesAreFilledWithReservedPortsKeptAcrossRestartsAndReleasedOnRemoval() throws Exception {
    NodePath path = newPath();
    ListAppender<ILoggingEvent> log = capture(path);
    ProcessSpec spec = ProcessSpec.of("bash", "-c", "echo \"arg=$0 env=$DATA_PORT\"; sleep 0.3; exit 1", "${port:data}")
        .withEnv(Map.of("DATA_PORT", "${port:data}"));
    ActorRef<NodeRunner.Command> runner = spawn(path, spec, NodeState.RUNNING);
    awaitTrue("the port printed", () -> {
      synchronized (log) {
        return log.list.stream().anyMatch(e -> e.getFormattedMessage().startsWith("arg="));
      }
    });
    String line;
    synchronized (log) {
      line = log.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.startsWith("arg=")).findFirst().orElseThrow();
    }
    String[] parts = line.split("[ =]");
    int port = Integer.parseInt(parts[1]);
    assertEquals(parts[1], parts[3], "the same port in the command and the env: " + line);
    assertTrue(processes.ports().isReserved(PortRegistry.Protocol.TCP, port));
    // It crashes and restarts: the same port again.
    awaitStatus(s -> s.restarts() >= 1 && s.state() == NodeState.RUNNING);
    awaitTrue("the restart printed its port", () -> {
      synchronized (log) {
        return log.list.stream().filter(e -> e.getFormattedMessage().startsWith("arg=")).count() >= 2;
      }
    });
    synchronized (log) {
      assertTrue(log.list.stream().filter(e -> e.getFormattedMessage().startsWith("arg=")).allMatch(e -> e.getFormattedMessage().equals(line)));
    }
    runner.tell(NodeRunner.Remove.INSTANCE);
    awaitRemoved();
    assertFalse(processes.ports().isReserved(PortRegistry.Protocol.TCP, port), "released on removal");
  }
}
