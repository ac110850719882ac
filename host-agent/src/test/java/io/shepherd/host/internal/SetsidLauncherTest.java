package io.shepherd.host.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Process nodes started the JDK's way, through the setsid program ({@code shepherd.host.process.launcher
 * = setsid}, and what a host falls back to where posix_spawn cannot make sessions): the same
 * contract as {@link ProcessNodeTest} checks for the default launcher.
 */
class SetsidLauncherTest {

  static final ActorTestKit kit = ActorTestKit.create("setsid", ConfigFactory.parseString("""
      shepherd.host.id = daq1
      shepherd.host.restart { min-backoff = 20ms, max-backoff = 200ms, jitter = 0, reset-after = 10s, max-restarts = 3, window = 1m }
      shepherd.host.process.allowed = ["/usr/bin/*", "/bin/*"]
      shepherd.host.process.launcher = setsid
      shepherd.host.work-root = "%s"
      """.formatted(Path.of("target", "setsid-launcher-test-" + ProcessHandle.current().pid()))).withFallback(TestConfig.local()));

  static final HostSettings settings = HostSettings.create(kit.system());
  static final ProcessHost processes = new ProcessHost(settings);
  static final Duration WAIT = Duration.ofSeconds(15);

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
    processes.close();
  }

  final TestProbe<NodeEvent> events = kit.createTestProbe();

  ActorRef<NodeRunner.Command> spawn(String name, ProcessSpec process) {
    return kit.spawn(NodeRunner.create(NodePath.parse("daq1/proc/" + name), NodeSpec.process(process), NodeState.RUNNING, 1, null, 0,
        new HostEnvironment(settings, NodeTypes.create(settings), processes, events.getRef())));
  }

  NodeStatus awaitStatus(Predicate<NodeStatus> condition) {
    return RunnerEvents.awaitStatus(events, WAIT, condition);
  }

  @Test
  void theProcessLeadsASessionOfItsOwnAndStopEndsItWithSigterm() throws Exception {
    ActorRef<NodeRunner.Command> runner = spawn("sleeper", ProcessSpec.of("sleep", "1000"));
    long pid = awaitStatus(s -> s.state() == NodeState.RUNNING && s.pid() != null).pid();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!Sessions.stat(pid).map(s -> s.session() == pid).orElse(false) && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(pid, Sessions.stat(pid).orElseThrow().session(), "setsid made a session led by the process");
    assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("shepherd-reaper-" + pid)),
        "started by the JDK, not by posix_spawn (whose processes have a reaper thread of Shepherd's)");
    runner.tell(new NodeRunner.Request(NodeState.STOPPED, 2));
    NodeStatus stopped = awaitStatus(s -> s.state() == NodeState.STOPPED);
    assertEquals("signal 15", stopped.exit());
    assertNull(stopped.pid());
    assertTrue(Sessions.members(pid).isEmpty(), "the session ended");
  }

  @Test
  void anExitNobodyAskedForIsACrashWithItsStatus() {
    spawn("quitter", ProcessSpec.of("sh", "-c", "sleep 0.2; exit 3"));
    NodeStatus crashed = awaitStatus(s -> s.state() == NodeState.FAILED);
    assertEquals("exit 3", crashed.exit());
    assertTrue(crashed.lastFailure().contains("exited by itself (exit 3)"), crashed.lastFailure());
  }
}
