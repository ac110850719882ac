package io.shepherd.protocol;

import java.time.Duration;

/**
 * How an {@code AUTO} node is restarted after a crash (Erlang/OTP intensity and period, with
 * exponential backoff). The first restart after a stable period is immediate; each further one
 * waits {@code minBackoff * 2^(n-2)} plus up to {@code jitter} of that, capped at
 * {@code maxBackoff}. Once a node has been in its requested state for {@code resetAfter}, the count starts again.
 * More than {@code maxRestarts} restarts within {@code window} and the node stays {@code FAILED}
 * until a new request.
 */
public record RestartPolicy(
    Duration minBackoff, Duration maxBackoff, double jitter, Duration resetAfter, int maxRestarts, Duration window)
    implements CborSerializable {

  /** Largest restart budget accepted. */
  public static final int MAX_RESTARTS_LIMIT = 1_000_000;

  public RestartPolicy {
    requireNonNegative("minBackoff", minBackoff);
    requireNonNegative("maxBackoff", maxBackoff);
    requireNonNegative("resetAfter", resetAfter);
    requireNonNegative("window", window);
    if (maxBackoff.compareTo(minBackoff) < 0) {
      throw new IllegalArgumentException("restart maxBackoff (" + maxBackoff + ") is below minBackoff (" + minBackoff + ")");
    }
    if (!(jitter >= 0.0 && jitter <= 1.0)) {
      throw new IllegalArgumentException("restart jitter must be between 0.0 and 1.0, got " + jitter);
    }
    if (maxRestarts < 0 || maxRestarts > MAX_RESTARTS_LIMIT) {
      throw new IllegalArgumentException(
          "restart maxRestarts must be between 0 and " + MAX_RESTARTS_LIMIT + ", got " + maxRestarts);
    }
  }

  private static void requireNonNegative(String name, Duration value) {
    if (value == null || value.isNegative()) {
      throw new IllegalArgumentException("restart " + name + " must be a duration of zero or more, got " + value);
    }
  }
}
