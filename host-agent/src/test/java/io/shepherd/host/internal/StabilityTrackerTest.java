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
    // Window (100 s .. 200 s] is entirely arrived.
    assertEquals(1.0, tracker.stability(T0.plusSeconds(200)), 1e-9);
    // Window (60 s .. 160 s]: arrived throughout too; (0 .. 100]: half.
    StabilityTracker early = new StabilityTracker(Duration.ofSeconds(100), T0);
    early.record(T0, false);
    early.record(T0.plusSeconds(50), true);
    assertEquals(0.5, early.stability(T0.plusSeconds(100)), 1e-9);
  }

  @Test
  void aNodeNeverArrivedHasZero() {
    StabilityTracker tracker = new StabilityTracker(Duration.ofSeconds(10), T0);
    assertEquals(0.0, tracker.stability(T0.plusSeconds(5)), 1e-9);
  }
}
