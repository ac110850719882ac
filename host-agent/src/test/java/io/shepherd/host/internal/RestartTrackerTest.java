package io.shepherd.host.internal;

import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.protocol.RestartPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RestartTrackerTest {

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  static RestartPolicy policy(int maxRestarts, Duration window, double jitter) {
    return new RestartPolicy(Duration.ofMillis(100), Duration.ofSeconds(1), jitter, Duration.ofSeconds(10), maxRestarts, window);
  }

  @Test
  void firstRestartIsImmediateThenBackoffDoublesUpToTheMax() {
    RestartTracker tracker = new RestartTracker(policy(100, Duration.ofHours(1), 0), () -> 0.0);
    long[] expected = {0, 100, 200, 400, 800, 1000, 1000};
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Optional.of(Duration.ofMillis(expected[i])), tracker.onCrash(T0.plusSeconds(i)), "crash " + (i + 1));
    }
  }

  @Test
  void jitterAddsUpToItsShareButNeverPassesTheMax() {
    RestartTracker tracker = new RestartTracker(policy(100, Duration.ofHours(1), 0.5), () -> 1.0);
    assertEquals(Duration.ZERO, tracker.onCrash(T0).orElseThrow());
    assertEquals(Duration.ofMillis(150), tracker.onCrash(T0.plusSeconds(1)).orElseThrow());
    assertEquals(Duration.ofMillis(300), tracker.onCrash(T0.plusSeconds(2)).orElseThrow());
    for (int i = 3; i < 10; i++) {
      assertTrue(tracker.onCrash(T0.plusSeconds(i)).orElseThrow().compareTo(Duration.ofSeconds(1)) <= 0);
    }
  }

  @Test
  void theBudgetCountsRestartsWithinTheWindow() {
    RestartTracker tracker = new RestartTracker(policy(3, Duration.ofSeconds(10), 0), () -> 0.0);
    assertTrue(tracker.onCrash(T0).isPresent());
    assertTrue(tracker.onCrash(T0.plusSeconds(1)).isPresent());
    assertTrue(tracker.onCrash(T0.plusSeconds(2)).isPresent());
    assertTrue(tracker.onCrash(T0.plusSeconds(3)).isEmpty(), "the fourth restart within 10 s is over budget");
    assertEquals(3, tracker.restartsInWindow());
    // Once the first restart has left the window, there is room again.
    assertTrue(tracker.onCrash(T0.plusSeconds(10).plusMillis(1)).isPresent());
  }

  @Test
  void aStablePeriodResetsTheBackoff() {
    RestartTracker tracker = new RestartTracker(policy(100, Duration.ofHours(1), 0), () -> 0.0);
    tracker.onCrash(T0);
    tracker.onCrash(T0.plusSeconds(1));
    assertEquals(Duration.ofMillis(200), tracker.onCrash(T0.plusSeconds(2)).orElseThrow());
    tracker.arrived(T0.plusSeconds(3));
    // Arrived for less than reset-after (10 s): the backoff goes on.
    assertEquals(Duration.ofMillis(400), tracker.onCrash(T0.plusSeconds(5)).orElseThrow());
    tracker.arrived(T0.plusSeconds(6));
    assertEquals(Duration.ZERO, tracker.onCrash(T0.plusSeconds(17)).orElseThrow(), "11 s stable: start again");
  }

  @Test
  void resetForgetsTheBudget() {
    RestartTracker tracker = new RestartTracker(policy(1, Duration.ofHours(1), 0), () -> 0.0);
    assertTrue(tracker.onCrash(T0).isPresent());
    assertTrue(tracker.onCrash(T0.plusSeconds(1)).isEmpty());
    tracker.reset();
    assertEquals(Optional.of(Duration.ZERO), tracker.onCrash(T0.plusSeconds(2)));
  }

  @Test
  void aZeroBudgetNeverRestarts() {
    RestartTracker tracker = new RestartTracker(policy(0, Duration.ofHours(1), 0), () -> 0.0);
    assertTrue(tracker.onCrash(T0).isEmpty());
  }
}
