package io.shepherd.host.internal;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StabilityTrackerTest {

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void aNodeThatArrivesAtOnceIsFullyStable() {
    StabilityTracker tracker = new StabilityTracker(Duration.ofSeconds(100), T0);
    tracker.record(T0, true);
    assertEquals(1.0, tracker.stability(T0.plusSeconds(50)), 0.006);
  }

  @Test
  void aNewNodeIsNotJudgedByItsStartUp() {
    StabilityTracker tracker = new StabilityTracker(Duration.ofSeconds(100), T0);
    tracker.record(T0.plusMillis(100), true);
    assertEquals(0.999, tracker.stability(T0.plusSeconds(1)), 0.006);
  }

  @Test
  void timeOutsideTheRequestedStateCountsAgainst() {
    StabilityTracker tracker = new StabilityTracker(Duration.ofSeconds(100), T0);
    tracker.record(T0, true);
    tracker.record(T0.plusSeconds(40), false);
    tracker.record(T0.plusSeconds(50), true);
    assertEquals(0.9, tracker.stability(T0.plusSeconds(100)), 0.006);
  }

  @Test
  void onlyTheRecentWindowCounts() {
    StabilityTracker tracker = new StabilityTracker(Duration.ofSeconds(100), T0);
    tracker.record(T0, false);
    tracker.record(T0.plusSeconds(50), true);
    assertEquals(0.5, tracker.stability(T0.plusSeconds(100)), 0.006);
    assertEquals(1.0, tracker.stability(T0.plusSeconds(200)), 0.006, "the bad half has left the window");
  }

  @Test
  void aNodeThatChangesVeryOftenCostsNoMoreMemoryOrTime() {
    StabilityTracker tracker = new StabilityTracker(Duration.ofSeconds(600), T0);
    Instant t = T0;
    for (int i = 0; i < 1_000_000; i++) {
      t = t.plusNanos(500_000);
      tracker.record(t, i % 2 == 0);
    }
    // Half the time arrived over the last 500 s, clean before it.
    assertEquals(1.0 - 500.0 / 600 / 2, tracker.stability(t), 0.006);
  }

  @Test
  void aNodeThatNeverArrivesLosesItsStabilityOverTheWindow() {
    StabilityTracker tracker = new StabilityTracker(Duration.ofSeconds(10), T0);
    assertEquals(0.5, tracker.stability(T0.plusSeconds(5)), 0.006);
    assertEquals(0.0, tracker.stability(T0.plusSeconds(20)), 0.006);
  }
}
