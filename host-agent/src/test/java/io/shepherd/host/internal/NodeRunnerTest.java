package io.shepherd.host.internal;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.FishingOutcomes;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import io.shepherd.host.HostSettings;
import io.shepherd.host.NodeTypes;
import io.shepherd.host.testnodes.CheckpointingNode;
import io.shepherd.host.testnodes.OwnDeadlineNode;
import io.shepherd.host.testnodes.RecordingNode;
import io.shepherd.host.testnodes.SlowStopNode;
import io.shepherd.protocol.Checkpoint;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import io.shepherd.protocol.RestartPolicy;
import io.shepherd.testing.TestConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class NodeRunnerTest {

  static final ActorTestKit kit = ActorTestKit.create("runner", ConfigFactory.parseString("""
      shepherd.host.id = daq1
      shepherd.host.callback-timeout = 1s
      shepherd.host.remove-timeout = 3s
      shepherd.host.restart { min-backoff = 20ms, max-backoff = 200ms, jitter = 0, reset-after = 10s, max-restarts = 3, window = 1m }
      shepherd.host.allowed-packages = ["io.shepherd.host.testnodes"]
      """).withFallback(TestConfig.local()));

  static final HostSettings settings = HostSettings.create(kit.system());
  static final NodeTypes types = NodeTypes.create(settings);
  static final AtomicInteger names = new AtomicInteger();
  static final Duration WAIT = Duration.ofSeconds(10);

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  final TestProbe<NodeEvent> events = kit.createTestProbe();

  NodePath newPath() {
    return NodePath.parse("daq1/test/n" + names.incrementAndGet());
  }

  ActorRef<NodeRunner.Command> spawn(NodePath path, NodeSpec spec, NodeState requested) {
    return kit.spawn(NodeRunner.create(path, spec, requested, 1, null, 0, new HostEnvironment(settings, types, events.getRef())));
  }

  static NodeSpec recording(Map<String, String> params) {
    return NodeSpec.of(RecordingNode.class.getName(), params);
  }

  /** The first status reported that matches, skipping earlier ones. */
  NodeStatus awaitStatus(Predicate<NodeStatus> condition) {
    return RunnerEvents.awaitStatus(events, WAIT, condition);
  }


  NodeStatus awaitState(NodeState state) {
    return awaitStatus(s -> s.state() == state);
  }

  @Test
  void drivesTheNodeThroughTheLifecycleOnNodeThreads() {
    NodePath path = newPath();
    spawn(path, recording(Map.of()), NodeState.RUNNING);
    NodeStatus running = awaitState(NodeState.RUNNING);
    assertTrue(running.arrived());
    assertEquals("daq1", running.host());
    assertEquals(RecordingNode.class.getName(), running.agentClass(), "OCS's agent_class: the class of the node's instance");
    assertEquals(List.of("configure", "initialize", "start"), RecordingNode.callbacks(path.toString()));
    for (String call : RecordingNode.calls(path.toString())) {
      assertTrue(call.contains("@shepherd-node-"), "callbacks run on the node dispatcher, not the actor: " + call);
    }
  }

  @Test
  void newerRequestsMoveTheNodeAndOlderOnesAreIgnored() {
    NodePath path = newPath();
    ActorRef<NodeRunner.Command> runner = spawn(path, recording(Map.of()), NodeState.RUNNING);
    awaitState(NodeState.RUNNING);
    runner.tell(new NodeRunner.Request(NodeState.STOPPED, 3));
    assertEquals(3, awaitState(NodeState.STOPPED).seq());
    runner.tell(new NodeRunner.Request(NodeState.RUNNING, 2));
    runner.tell(new NodeRunner.Request(NodeState.CLOSED, 4));
    NodeStatus closed = awaitState(NodeState.CLOSED);
    assertEquals(4, closed.seq());
    assertEquals(List.of("configure", "initialize", "start", "stop", "close"), RecordingNode.callbacks(path.toString()),
        "the request with seq 2 was older than the node's seq 3 and was ignored");
  }

  @Test
  void anAutoNodeThatThrowsIsRestartedAndDrivenBack() {
    spawn(newPath(), NodeSpec.of("flaky", Map.of("fail-in", "start", "fail-times", "1")), NodeState.RUNNING);
    NodeStatus failed = awaitState(NodeState.FAILED);
    assertTrue(failed.lastFailure().startsWith("start() threw IllegalStateException"), failed.lastFailure());
    assertNotNull(failed.lastFailureAt());
    NodeStatus running = awaitState(NodeState.RUNNING);
    assertEquals(1, running.restarts());
    assertFalse(running.stalled());
  }

  @Test
  void aCrashLoopEndsFailedOnceTheBudgetIsSpentAndANewRequestRevivesIt() {
    ActorRef<NodeRunner.Command> runner =
        spawn(newPath(), NodeSpec.of("flaky", Map.of("fail-in", "initialize")), NodeState.RUNNING);
    NodeStatus spent = awaitStatus(s -> s.state() == NodeState.FAILED && s.lastFailure().contains("restart budget spent"));
    assertEquals(3, spent.restarts(), "max-restarts = 3");
    events.expectNoMessage(Duration.ofMillis(500));
    runner.tell(new NodeRunner.Request(NodeState.RUNNING, 2));
    assertEquals(4, awaitStatus(s -> s.restarts() == 4).restarts(), "a new request starts the node again");
  }

  @Test
  void aManagedNodeStallsWhereItLandedUntilANewRequest() {
    ActorRef<NodeRunner.Command> runner = spawn(newPath(),
        NodeSpec.of("flaky", Map.of("fail-in", "start", "fail-times", "1")).withMode(Mode.MANAGED), NodeState.RUNNING);
    NodeStatus stalled = awaitState(NodeState.FAILED);
    assertTrue(stalled.stalled());
    assertEquals(0, stalled.restarts());
    events.expectNoMessage(Duration.ofMillis(300));
    runner.tell(new NodeRunner.Request(NodeState.RUNNING, 2));
    NodeStatus running = awaitState(NodeState.RUNNING);
    assertFalse(running.stalled());
  }

  @Test
  void aFailureOnANodeThreadIsACrashOfTheNode() {
    spawn(newPath(), NodeSpec.of("flaky", Map.of("fail-after", "100ms", "fail-times", "1")), NodeState.RUNNING);
    awaitState(NodeState.RUNNING);
    NodeStatus failed = awaitState(NodeState.FAILED);
    assertTrue(failed.lastFailure().startsWith("uncaught IllegalStateException"), failed.lastFailure());
    assertEquals(1, awaitState(NodeState.RUNNING).restarts());
  }

  @Test
  void aMissedKeepaliveIsAHangHandledAsACrash() {
    spawn(newPath(), NodeSpec.of("hang", Map.of("deadline", "200ms", "hang-after", "300ms", "hang-times", "1")),
        NodeState.RUNNING);
    awaitState(NodeState.RUNNING);
    NodeStatus failed = awaitState(NodeState.FAILED);
    assertTrue(failed.lastFailure().startsWith("deadlock-detected"), failed.lastFailure());
    assertEquals(1, awaitState(NodeState.RUNNING).restarts(), "the hung thread did not block the restart");
  }

  @Test
  void aKeepaliveDeadlineSetAtRunTimeByANodeThatDeclaredNoneIsWatched() {
    spawn(newPath(), new NodeSpec(OwnDeadlineNode.class.getName(), Map.of("deadline", "300ms"), null, null), NodeState.RUNNING);
    awaitState(NodeState.RUNNING);
    NodeStatus failed = awaitState(NodeState.FAILED);
    assertTrue(failed.lastFailure().startsWith("deadlock-detected") && failed.lastFailure().endsWith("(deadline 300 ms)"),
        failed.lastFailure());
  }

  @Test
  void aStopThatAsksForMoreTimeHasItAndOneThatDoesNotTimesOut() {
    NodePath patient = newPath();
    ActorRef<NodeRunner.Command> runner = spawn(patient, new NodeSpec(SlowStopNode.class.getName(),
        Map.of("extend", "4s", "stop-takes", "1500ms"), null, null), NodeState.RUNNING);
    awaitState(NodeState.RUNNING);
    runner.tell(new NodeRunner.Request(NodeState.STOPPED, 2));
    NodeStatus stopped = awaitStatus(s -> s.state() == NodeState.STOPPED || s.lastFailure() != null);
    assertNull(stopped.lastFailure(), "a stop() of 1.5 s that asked for 4 s, beyond the callback timeout of 1 s");

    ActorRef<NodeRunner.Command> hasty = spawn(newPath(), new NodeSpec(SlowStopNode.class.getName(), Map.of("stop-takes", "1500ms"),
        null, null), NodeState.RUNNING);
    awaitStatus(s -> !s.path().equals(patient) && s.state() == NodeState.RUNNING);
    hasty.tell(new NodeRunner.Request(NodeState.STOPPED, 2));
    NodeStatus failed = awaitStatus(s -> !s.path().equals(patient) && s.lastFailure() != null);
    assertEquals("callback-timeout: stop() did not return within 1000 ms", failed.lastFailure());
  }

  @Test
  void aCallbackThatNeverReturnsTimesOutAndIsAbandoned() {
    spawn(newPath(), NodeSpec.of("hang", Map.of("hang-in", "start", "hang-times", "1")), NodeState.RUNNING);
    NodeStatus failed = awaitState(NodeState.FAILED);
    assertTrue(failed.lastFailure().startsWith("callback-timeout: start() did not return within 1000 ms"), failed.lastFailure());
    assertEquals(1, awaitState(NodeState.RUNNING).restarts());
  }

  @Test
  void removalStopsAndClosesTheNodeThenReportsItRemoved() {
    NodePath path = newPath();
    ActorRef<NodeRunner.Command> runner = spawn(path, recording(Map.of()), NodeState.RUNNING);
    awaitState(NodeState.RUNNING);
    runner.tell(NodeRunner.Remove.INSTANCE);
    events.fishForMessage(WAIT, e -> e instanceof NodeEvent.Removed r && r.path().equals(path)
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    events.expectTerminated(runner, WAIT);
    assertEquals(List.of("configure", "initialize", "start", "stop", "close"), RecordingNode.callbacks(path.toString()));
  }

  @Test
  void anUnknownTypeIsRejectedAndNothingIsCreated() {
    NodePath path = newPath();
    ActorRef<NodeRunner.Command> runner = spawn(path, NodeSpec.of("sin", Map.of()), NodeState.RUNNING);
    NodeEvent.Rejected rejected = events.expectMessageClass(NodeEvent.Rejected.class, WAIT);
    assertEquals(ErrorCode.UNKNOWN_TYPE, rejected.code());
    assertTrue(rejected.message().contains("unknown node type 'sin'"));
    events.expectTerminated(runner, WAIT);
  }

  <T extends NodeEvent> T awaitEvent(Class<T> type, Predicate<T> condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      NodeEvent event = events.receiveMessage(Duration.ofNanos(deadline - System.nanoTime()));
      if (type.isInstance(event) && condition.test(type.cast(event))) {
        return type.cast(event);
      }
    }
    throw new AssertionError("no matching " + type.getSimpleName());
  }

  static String text(Checkpoint checkpoint) {
    return new String(checkpoint.data(), StandardCharsets.UTF_8);
  }

  static NodeSpec checkpointing(Map<String, String> params) {
    return NodeSpec.of(CheckpointingNode.class.getName(), params);
  }

  @Test
  void theNextIncarnationGetsTheLastCheckpointBeforeConfigure() {
    NodePath path = newPath();
    spawn(path, checkpointing(Map.of("fail-first", "true")), NodeState.RUNNING);
    assertEquals("i1-1", text(awaitEvent(NodeEvent.Checkpointed.class, e -> true).checkpoint()));
    NodeStatus again = awaitStatus(s -> s.state() == NodeState.RUNNING && s.restarts() == 1);
    assertEquals(2, again.incarnation(), "its second run");
    assertEquals(List.of("none", "i1-1"), CheckpointingNode.seen(path.toString()));
  }

  @Test
  void aNodeCreatedWithACheckpointStartsFromItAndCountsItsRunsOn() {
    NodePath path = newPath();
    Checkpoint saved = new Checkpoint(
        "from-another-host".getBytes(StandardCharsets.UTF_8), Instant.now());
    kit.spawn(NodeRunner.create(path, checkpointing(Map.of()), NodeState.RUNNING, 1, saved, 4,
        new HostEnvironment(settings, types, events.getRef())));
    // The node notifies from start(): that report and the RUNNING status may reach the host agent in either order.
    NodeStatus running = null;
    NodeEvent.Notified notified = null;
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (running == null || notified == null) {
      NodeEvent event = events.receiveMessage(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      if (event instanceof NodeEvent.StatusChanged changed && changed.status().state() == NodeState.RUNNING) {
        running = changed.status();
      } else if (event instanceof NodeEvent.Notified n) {
        notified = n;
      }
    }
    assertEquals(5, running.incarnation(), "its fifth run: four were elsewhere");
    assertEquals(List.of("from-another-host"), CheckpointingNode.seen(path.toString()));
    assertEquals("started incarnation 5", notified.message(), "the node sees it too");
  }

  @Test
  void frequentCheckpointsAreCoalescedAndTheLatestWins() {
    spawn(newPath(), checkpointing(Map.of("saves", "1000")), NodeState.RUNNING);
    List<Integer> sent = new ArrayList<>();
    awaitEvent(NodeEvent.Checkpointed.class, e -> {
      sent.add(Integer.parseInt(text(e.checkpoint()).substring("i1-".length())));
      return text(e.checkpoint()).equals("i1-1000");
    });
    // Coalesced by content: fewer sends than saves, each newer than the one before, the latest last.
    assertTrue(sent.size() < 1000, "1000 checkpoints in a burst were sent as " + sent.size());
    for (int i = 1; i < sent.size(); i++) {
      assertTrue(sent.get(i) > sent.get(i - 1), "never an older checkpoint after a newer one: " + sent);
    }
  }

  @Test
  void anOversizedCheckpointIsRefusedToTheNode() {
    spawn(newPath(), checkpointing(Map.of("size", "70000")).withRestart(
        new RestartPolicy(Duration.ZERO, Duration.ZERO, 0, Duration.ZERO, 0, Duration.ofMinutes(1))),
        NodeState.RUNNING);
    NodeStatus failed = awaitState(NodeState.FAILED);
    assertTrue(failed.lastFailure().contains("larger than shepherd.host.max-checkpoint-size"), failed.lastFailure());
    assertEquals("wait", failed.nextAction(), "no restarts allowed: it waits for a new request");
  }

  @Test
  void notificationsFromTheNodeAreReported() {
    NodePath path = newPath();
    spawn(path, checkpointing(Map.of()), NodeState.RUNNING);
    NodeEvent.Notified notified = awaitEvent(NodeEvent.Notified.class, e -> true);
    assertEquals(path, notified.path());
    assertEquals("started incarnation 1", notified.message());
  }

  @Test
  void aStalledNodeSetToAutoRecoversByItself() {
    ActorRef<NodeRunner.Command> runner = spawn(newPath(),
        NodeSpec.of("flaky", Map.of("fail-in", "start", "fail-times", "1")).withMode(Mode.MANAGED), NodeState.RUNNING);
    NodeStatus stalled = awaitState(NodeState.FAILED);
    assertTrue(stalled.stalled());
    assertEquals("wait", stalled.nextAction(), "a stalled node waits for its manager");
    runner.tell(new NodeRunner.SetMode(Mode.AUTO));
    NodeStatus running = awaitState(NodeState.RUNNING);
    assertEquals(Mode.AUTO, running.mode());
    assertFalse(running.stalled());
    assertEquals("none", running.nextAction());
  }

  @Test
  void aNodeBlockedInACallbackDoesNotDelayAnother() {
    NodePath slow = newPath();
    spawn(slow, recording(Map.of("block-in", "start", "block-ms", "3000")), NodeState.RUNNING);
    NodePath quick = newPath();
    spawn(quick, recording(Map.of()), NodeState.RUNNING);
    NodeStatus running = awaitState(NodeState.RUNNING);
    assertEquals(quick, running.path(), "the quick node arrives while the slow one is still in start()");
  }
}
