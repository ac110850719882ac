package io.shepherd.host.internal;

import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.protocol.Autorestart;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NextAction;
import io.shepherd.protocol.NodeState;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NodeIntentTest {

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  static NodeIntent intent(Mode mode) {
    return new NodeIntent(NodeState.RUNNING, 5, mode,
        new CrashPolicy(RestartTrackerTest.policy(1, Duration.ofMinutes(1), 0), Autorestart.ALWAYS, () -> 0.0));
  }

  @Test
  void anOlderRequestIsOutdatedAndARepeatedOneChangesNothing() {
    NodeIntent intent = intent(Mode.AUTO);
    assertTrue(intent.isOutdated(4));
    assertFalse(intent.isOutdated(5));
    assertFalse(intent.take(NodeState.RUNNING, 5));
    assertTrue(intent.take(NodeState.RUNNING, 6), "a new number is a change even for the same state");
    assertTrue(intent.take(NodeState.STOPPED, 7));
    assertEquals(NodeState.STOPPED, intent.requested());
    assertEquals(7, intent.seq());
  }

  @Test
  void aManagedNodeThatCrashesIsHeldUntilReleasedAndWaitsMeanwhile() {
    NodeIntent intent = intent(Mode.MANAGED);
    assertEquals(CrashPolicy.Stall.INSTANCE, intent.crashed(T0));
    assertTrue(intent.stalled());
    assertEquals(NextAction.WAIT, intent.nextAction(NodeState.FAILED));
    intent.release();
    assertFalse(intent.stalled());
    assertEquals(NextAction.UP, intent.nextAction(NodeState.FAILED));
  }

  @Test
  void aStalledNodeSetToAutoRecoversAloneButNotWhileBeingRemoved() {
    NodeIntent intent = intent(Mode.MANAGED);
    intent.crashed(T0);
    assertFalse(intent.setMode(Mode.MANAGED), "the same mode is no change");
    assertTrue(intent.setMode(Mode.AUTO));
    assertTrue(intent.recoversAlone());
    assertFalse(intent.stalled());
    assertFalse(intent.recoversAlone(), "only once");

    NodeIntent removed = intent(Mode.MANAGED);
    removed.crashed(T0);
    assertTrue(removed.startRemoving());
    assertFalse(removed.startRemoving(), "removal starts once");
    removed.setMode(Mode.AUTO);
    assertFalse(removed.recoversAlone());
    assertEquals(NextAction.DOWN, removed.nextAction(NodeState.FAILED));
  }

  @Test
  void anAutoNodeThatSpendsItsBudgetWaitsButIsNotStalled() {
    NodeIntent intent = intent(Mode.AUTO);
    assertEquals(new CrashPolicy.Restart(Duration.ZERO), intent.crashed(T0));
    assertEquals(NextAction.UP, intent.nextAction(NodeState.FAILED));
    assertInstanceOf(CrashPolicy.GiveUp.class, intent.crashed(T0.plusSeconds(1)));
    assertFalse(intent.stalled(), "a spent budget is not a stall: setting AUTO does not restart it");
    assertFalse(intent.recoversAlone());
    assertEquals(NextAction.WAIT, intent.nextAction(NodeState.FAILED));
  }

  @Test
  void onlyTheRequestedStateCountsAsArrivalAndAStayLongEnoughStartsTheBackoffOver() {
    NodeIntent intent = new NodeIntent(NodeState.RUNNING, 1, Mode.AUTO,
        new CrashPolicy(RestartTrackerTest.policy(10, Duration.ofMinutes(5), 0), Autorestart.ALWAYS, () -> 0.0));
    assertEquals(new CrashPolicy.Restart(Duration.ZERO), intent.crashed(T0));
    assertEquals(new CrashPolicy.Restart(Duration.ofMillis(100)), intent.crashed(T0.plusSeconds(1)));
    intent.observe(NodeState.CONFIGURED, T0.plusSeconds(2));
    assertEquals(new CrashPolicy.Restart(Duration.ofMillis(200)), intent.crashed(T0.plusSeconds(30)),
        "a state on the way is no arrival: the backoff grows");
    intent.observe(NodeState.RUNNING, T0.plusSeconds(31));
    assertEquals(new CrashPolicy.Restart(Duration.ZERO), intent.crashed(T0.plusSeconds(45)),
        "ten seconds at the requested state start the backoff over");
  }

  @Test
  void aFinishedNodeWaitsAsNoCrashAndANewRequestReleasesIt() {
    NodeIntent intent = intent(Mode.MANAGED);
    intent.finish();
    assertTrue(intent.finished());
    assertFalse(intent.stalled(), "a process that ended by itself under its policy is no crash");
    assertEquals(NextAction.WAIT, intent.nextAction(NodeState.STOPPED));
    assertTrue(intent.take(NodeState.STOPPED, 6));
    intent.release();
    assertFalse(intent.finished());
    assertEquals(NextAction.NONE, intent.nextAction(NodeState.STOPPED));
  }
}
