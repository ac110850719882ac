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
    assertEquals(1.0, tracker.stability(T0.plusSeconds(50)), 1e-9);
  }

  @Test
  void aNewNodeIsNotJudgedByItsStartUp() {
    StabilityTracker tracker = new StabilityTracker(Duration.ofSeconds(100), T0);
    tracker.record(T0.plusMillis(100), true);
    assertEquals(0.999, tracker.stability(T0.plusSeconds(1)), 1e-9);
  }

  @Test
  void timeOutsideTheRequestedStateCountsAgainst() {
    StabilityTracker tracker = new StabilityTracker(Duration.ofSeconds(100), T0);
    tracker.record(T0, true);
    tracker.record(T0.plusSeconds(40), false);
    tracker.record(T0.plusSeconds(50), true);
    assertEquals(0.9, tracker.stability(T0.plusSeconds(100)), 1e-9);
  }

  @Test
  void onlyTheRecentWindowCounts() {
    StabilityTracker tracker = new StabilityTracker(Duration.ofSeconds(100), T0);
    tracker.record(T0, false);
    tracker.record(T0.plusSeconds(50), true);
    assertEquals(0.5, tracker.stability(T0.plusSeconds(100)), 1e-9);
    assertEquals(1.0, tracker.stability(T0.plusSeconds(200)), 1e-9, "the bad half has left the window");
  }

  @Test
  void aNodeThatNeverArrivesLosesItsStabilityOverTheWindow() {
    StabilityTracker tracker = new StabilityTracker(Duration.ofSeconds(10), T0);
    assertEquals(0.5, tracker.stability(T0.plusSeconds(5)), 1e-9);
    assertEquals(0.0, tracker.stability(T0.plusSeconds(20)), 1e-9);
  }
}
