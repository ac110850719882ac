package io.shepherd.host.internal;

import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.protocol.Autorestart;
import io.shepherd.protocol.Mode;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CrashPolicyTest {

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  final CrashPolicy policy = new CrashPolicy(RestartTrackerTest.policy(2, Duration.ofMinutes(1), 0), Autorestart.ALWAYS, () -> 0.0);

  @Test
  void aManagedNodeStallsAndSpendsNoBudget() {
    for (int i = 0; i < 5; i++) {
      assertEquals(CrashPolicy.Stall.INSTANCE, policy.decide(Mode.MANAGED, T0.plusSeconds(i)));
    }
    assertEquals(new CrashPolicy.Restart(Duration.ZERO), policy.decide(Mode.AUTO, T0.plusSeconds(5)));
  }

  @Test
  void anAutoNodeRestartsWithBackoffUntilItsBudgetIsSpentThenGivesUpSayingWhy() {
    assertEquals(new CrashPolicy.Restart(Duration.ZERO), policy.decide(Mode.AUTO, T0));
    assertEquals(new CrashPolicy.Restart(Duration.ofMillis(100)), policy.decide(Mode.AUTO, T0.plusSeconds(1)));
    CrashPolicy.GiveUp giveUp = assertInstanceOf(CrashPolicy.GiveUp.class, policy.decide(Mode.AUTO, T0.plusSeconds(2)));
    assertEquals("restart budget spent: 2 restarts within 60000 ms; the node stays FAILED until a new request", giveUp.why());
  }

  @Test
  void aNewRequestWipesTheSlate() {
    policy.decide(Mode.AUTO, T0);
    policy.decide(Mode.AUTO, T0.plusSeconds(1));
    policy.reset();
    assertEquals(new CrashPolicy.Restart(Duration.ZERO), policy.decide(Mode.AUTO, T0.plusSeconds(2)));
  }

  @Test
  void anAutoNodeThatIsNeverRestartedStaysFailedSayingWhyAndAManagedOneStillStalls() {
    CrashPolicy never = new CrashPolicy(RestartTrackerTest.policy(2, Duration.ofMinutes(1), 0), Autorestart.NEVER, () -> 0.0);
    CrashPolicy.GiveUp giveUp = assertInstanceOf(CrashPolicy.GiveUp.class, never.decide(Mode.AUTO, T0));
    assertEquals("autorestart = never: the node stays FAILED until a new request", giveUp.why());
    assertEquals(CrashPolicy.Stall.INSTANCE, never.decide(Mode.MANAGED, T0.plusSeconds(1)));
  }
}
