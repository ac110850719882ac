package io.shepherd.host.internal;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import io.shepherd.host.HostSettings;
import io.shepherd.host.NodeTypes;
import io.shepherd.host.internal.process.ProcessHost;
import io.shepherd.host.internal.process.Sessions;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import io.shepherd.protocol.ProcessSpec;
import io.shepherd.testing.TestConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Process nodes in cgroups, with the machine's real cgroups (skipped, saying why, where this
 * member may not write them): a daemon that double-forks and calls setsid is still ended by a
 * stop, limits are written, and a process killed for want of memory is a crash "oom".
 */
class ContainmentTest {

  static final Path WORK = Path.of("target", "containment-test-" + ProcessHandle.current().pid());
  static final ActorTestKit kit = ActorTestKit.create("containment", ConfigFactory.parseString("""
      shepherd.host.id = cg%d
      shepherd.host.callback-timeout = 5s
      shepherd.host.remove-timeout = 10s
      shepherd.host.restart { min-backoff = 20ms, max-backoff = 200ms, jitter = 0, reset-after = 10s, max-restarts = 3, window = 1m }
      shepherd.host.process.allowed = ["/usr/bin/*", "/bin/*"]
      shepherd.host.process.cgroups = on
      shepherd.host.work-root = "%s"
      """.formatted(ProcessHandle.current().pid(), WORK)).withFallback(TestConfig.local()));
  static final HostSettings settings = HostSettings.create(kit.system());
  static final ProcessHost processes = new ProcessHost(settings);
  static final AtomicInteger names = new AtomicInteger();
  static final Duration WAIT = Duration.ofSeconds(20);

  final TestProbe<NodeEvent> events = kit.createTestProbe();

  @BeforeAll
  static void needsCgroups() {
    processes.start(Runnable::run).join();
    System.out.println("containment on this machine: " + processes.containment());
    assumeTrue(processes.containment().startsWith("cgroup"), "no writable cgroups here: " + processes.containment());
  }

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
    processes.close();
  }

  ActorRef<NodeRunner.Command> spawn(NodeSpec spec) {
    return kit.spawn(NodeRunner.create(NodePath.parse("cg/c/n" + names.incrementAndGet()), spec, NodeState.RUNNING, 1, null, 0,
        new HostEnvironment(settings, NodeTypes.create(settings), processes, events.getRef())));
  }

  NodeStatus await(Predicate<NodeStatus> condition) {
    return RunnerEvents.awaitStatus(events, WAIT, condition);
  }

  /** The pids of {@code sleep MARKER}. */
  static List<Long> running(String marker) {
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> {
        try {
          return new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ').trim().endsWith("sleep " + marker)
              && !Sessions.stat(Long.parseLong(p.getFileName().toString())).map(Sessions.Stat::zombie).orElse(true);
        } catch (IOException e) {
          return false;
        }
      }).map(p -> Long.parseLong(p.getFileName().toString())).toList();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static void awaitTrue(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  @Test
  void aDaemonThatDoubleForkedAndLeftItsSessionIsEndedByAStop() throws Exception {
    String marker = "4242" + names.incrementAndGet();
    // The classic daemon: fork, setsid, fork again; the grandchild runs on in a session of its own.
    ActorRef<NodeRunner.Command> runner = spawn(NodeSpec.process(ProcessSpec.of("/usr/bin/python3", "-c", """
        import os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execv("/usr/bin/sleep", ["sleep", "%s"])
            os._exit(0)
        time.sleep(1000)
        """.formatted(marker))));
    long pid = await(s -> s.state() == NodeState.RUNNING && s.pid() != null).pid();
    awaitTrue("the daemon running", () -> running(marker).size() == 1);
    long daemon = running(marker).get(0);
    assertNotEquals(pid, Sessions.stat(daemon).orElseThrow().session(), "the daemon left the node's session");
    try {
      runner.tell(new NodeRunner.Request(NodeState.STOPPED, 2));
      await(s -> s.state() == NodeState.STOPPED);
      awaitTrue("the daemon ended with its node", () -> running(marker).isEmpty());
    } finally {
      running(marker).forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
      runner.tell(NodeRunner.Remove.INSTANCE);
    }
  }

  @Test
  void aProcessOverItsMemoryLimitIsACrashOom() {
    ActorRef<NodeRunner.Command> runner = spawn(NodeSpec.process(ProcessSpec.of("/usr/bin/python3", "-c",
        "import time\ntime.sleep(0.3)\nx = bytearray(200 * 1024 * 1024)\ntime.sleep(1000)")
        .withLimits(new ProcessSpec.Limits(64L * 1024 * 1024, 1.5, 64))));
    try {
      NodeStatus failed = await(s -> s.lastFailure() != null);
      assertTrue(failed.lastFailure().startsWith("oom: "), failed.lastFailure());
      assertTrue(failed.lastFailure().contains("memory limit 67108864 bytes"), failed.lastFailure());
    } finally {
      runner.tell(NodeRunner.Remove.INSTANCE);
    }
  }

  @Test
  void limitsAreWrittenToTheNodesCgroup() throws Exception {
    String marker = "4343" + names.incrementAndGet();
    ActorRef<NodeRunner.Command> runner = spawn(NodeSpec.process(ProcessSpec.of("/usr/bin/sleep", marker)
        .withLimits(new ProcessSpec.Limits(256L * 1024 * 1024, 0.5, 32))));
    try {
      long pid = await(s -> s.state() == NodeState.RUNNING && s.pid() != null).pid();
      List<String> cgroups = Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"));
      String memory = cgroups.stream().filter(l -> l.contains(":memory:") || l.startsWith("0::")).findFirst().orElseThrow();
      String dir = memory.substring(memory.lastIndexOf(':') + 1);
      assertTrue(dir.contains("shepherd.cg") && dir.contains("cg_c_n"), "in a cgroup of the node's own: " + cgroups);
      if (memory.startsWith("0::")) {
        assertEquals("268435456", Files.readString(Path.of("/sys/fs/cgroup" + dir, "memory.max")).trim());
      } else {
        assertEquals("268435456", Files.readString(Path.of("/sys/fs/cgroup/memory" + dir, "memory.limit_in_bytes")).trim());
        assertEquals("32", Files.readString(Path.of("/sys/fs/cgroup/pids" + dir, "pids.max")).trim());
        assertEquals("50000", Files.readString(Path.of("/sys/fs/cgroup/cpu" + dir, "cpu.cfs_quota_us")).trim());
      }
      runner.tell(new NodeRunner.Request(NodeState.STOPPED, 2));
      await(s -> s.state() == NodeState.STOPPED);
      String gone = dir;
      awaitTrue("the node's cgroup removed", () -> !Files.exists(Path.of(memory.startsWith("0::") ? "/sys/fs/cgroup" + gone
          : "/sys/fs/cgroup/memory" + gone)));
    } finally {
      running(marker).forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
      runner.tell(NodeRunner.Remove.INSTANCE);
    }
  }
}
