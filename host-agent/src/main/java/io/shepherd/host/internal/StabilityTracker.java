package io.shepherd.host.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * The share of a recent window a node spent in its requested state (OCS's stability), kept in a
 * ring of time buckets: constant memory and cost however often the node changes. The window is
 * covered to within one bucket (1/200 of it). A node starts with a clean record: time before it was
 * created counts as stable, so that a new node is not judged by its few milliseconds of start-up.
 * Not thread-safe.
 */
final class StabilityTracker {

  private static final int BUCKETS = 200;

  private final long bucketNanos;
  private final long[] arrivedNanos = new long[BUCKETS];
  private final long[] bucketOf = new long[BUCKETS];
  private long accountedUntil;
  private boolean arrived;

  StabilityTracker(Duration window, Instant createdAt) {
    this.bucketNanos = Math.max(1, window.toNanos() / BUCKETS);
    long created = nanos(createdAt);
    Arrays.fill(bucketOf, Long.MIN_VALUE);
    this.accountedUntil = created - window.toNanos();
    this.arrived = true;
    advance(created);
    this.arrived = false;
  }

  /** Records whether the node is in its requested state from {@code now} on. */
  void record(Instant now, boolean arrivedNow) {
    advance(nanos(now));
    arrived = arrivedNow;
  }

  /** The share of the window up to {@code now} spent arrived, from 0 to 1. */
  double stability(Instant now) {
    long t = nanos(now);
    advance(t);
    long newest = t / bucketNanos;
    long oldest = newest - BUCKETS + 1;
    long sum = 0;
    for (int i = 0; i < BUCKETS; i++) {
      if (bucketOf[i] >= oldest && bucketOf[i] <= newest) {
        sum += arrivedNanos[i];
      }
    }
    long covered = t - oldest * bucketNanos;
    return covered <= 0 ? (arrived ? 1.0 : 0.0) : Math.max(0.0, Math.min(1.0, (double) sum / covered));
  }

  /** Accounts the time from the last change to {@code until} to the buckets it falls in. */
  private void advance(long until) {
    if (until - accountedUntil > (long) BUCKETS * bucketNanos) {
      accountedUntil = until - (long) BUCKETS * bucketNanos; // older time has left the window anyway
    }
    while (accountedUntil < until) {
      long bucket = Math.floorDiv(accountedUntil, bucketNanos);
      long end = Math.min(until, (bucket + 1) * bucketNanos);
      int slot = (int) Math.floorMod(bucket, BUCKETS);
      if (bucketOf[slot] != bucket) {
        bucketOf[slot] = bucket;
        arrivedNanos[slot] = 0;
      }
      if (arrived) {
        arrivedNanos[slot] += end - accountedUntil;
      }
      accountedUntil = end;
    }
  }

  private static long nanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }
}
