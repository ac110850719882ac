package io.shepherd.host.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * The share of a recent window a node spent in its requested state (OCS's stability). A node
 * starts with a clean record: the part of the window before it was created counts as stable, so
 * that a new node is not judged by its few milliseconds of start-up. Not thread-safe.
 */
final class StabilityTracker {

  private record Change(Instant at, boolean arrived) {}

  private final Duration window;
  private final ArrayDeque<Change> changes = new ArrayDeque<>();

  StabilityTracker(Duration window, Instant createdAt) {
    this.window = window;
    changes.add(new Change(createdAt.minus(window), true));
    changes.add(new Change(createdAt, false));
  }

  /** Records whether the node is in its requested state from {@code now} on. */
  void record(Instant now, boolean arrived) {
    if (changes.peekLast().arrived() != arrived) {
      changes.addLast(new Change(now, arrived));
    }
    prune(now);
  }

  /** The share of the window up to {@code now} spent arrived, from 0 to 1. */
  double stability(Instant now) {
    prune(now);
    Instant start = now.minus(window);
    long total = Duration.between(start, now).toNanos();
    if (total <= 0) {
      return changes.peekLast().arrived() ? 1.0 : 0.0;
    }
    long arrivedNanos = 0;
    Change[] list = changes.toArray(Change[]::new);
    for (int i = 0; i < list.length; i++) {
      Instant from = latest(list[i].at(), start);
      Instant to = i + 1 < list.length ? list[i + 1].at() : now;
      if (list[i].arrived() && to.isAfter(from)) {
        arrivedNanos += Duration.between(from, to).toNanos();
      }
    }
    return Math.max(0.0, Math.min(1.0, (double) arrivedNanos / total));
  }

  private void prune(Instant now) {
    Instant start = now.minus(window);
    // Keep the last change before the window: it says what the window starts with.
    while (changes.size() > 1) {
      Change first = changes.pollFirst();
      if (changes.peekFirst().at().isAfter(start)) {
        changes.addFirst(first);
        return;
      }
    }
  }

  private static Instant latest(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
