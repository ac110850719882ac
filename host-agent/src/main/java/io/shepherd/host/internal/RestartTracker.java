package io.shepherd.host.internal;

import io.shepherd.protocol.RestartPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * The restart decisions of one AUTO node: exponential backoff with jitter, reset after a stable
 * period, and a budget of restarts within a window (Erlang/OTP's intensity and period). Not
 * thread-safe; owned by one NodeRunner.
 */
final class RestartTracker {

  private final RestartPolicy policy;
  private final DoubleSupplier random;
  private final ArrayDeque<Instant> restarts = new ArrayDeque<>();
  private int consecutive;
  private Instant arrivedSince;

  RestartTracker(RestartPolicy policy, DoubleSupplier random) {
    this.policy = policy;
    this.random = random;
  }

  /** The node reached its requested state at {@code now}. */
  void arrived(Instant now) {
    if (arrivedSince == null) {
      arrivedSince = now;
    }
  }

  /** The node left its requested state, or was asked for another one. */
  void departed() {
    arrivedSince = null;
  }

  /** Forget every earlier crash: a new request wipes the slate. */
  void reset() {
    restarts.clear();
    consecutive = 0;
    arrivedSince = null;
  }

  /**
   * Decides what to do about a crash at {@code now}.
   *
   * @return the delay before the restart, or empty if the budget is spent and the node must stay FAILED
   */
  Optional<Duration> onCrash(Instant now) {
    if (arrivedSince != null && !Duration.between(arrivedSince, now).minus(policy.resetAfter()).isNegative()) {
      consecutive = 0;
    }
    arrivedSince = null;
    Instant windowStart = now.minus(policy.window());
    while (!restarts.isEmpty() && restarts.peekFirst().isBefore(windowStart)) {
      restarts.pollFirst();
    }
    if (restarts.size() >= policy.maxRestarts()) {
      return Optional.empty();
    }
    restarts.addLast(now);
    consecutive++;
    return Optional.of(delayFor(consecutive));
  }

  /** Restarts counted in the current window. */
  int restartsInWindow() {
    return restarts.size();
  }

  private Duration delayFor(int attempt) {
    if (attempt <= 1) {
      return Duration.ZERO;
    }
    long min = policy.minBackoff().toNanos();
    long max = policy.maxBackoff().toNanos();
    int shift = Math.min(attempt - 2, 62);
    long base = min > (max >> shift) ? max : Math.min(max, min << shift);
    long jitter = (long) (base * policy.jitter() * random.getAsDouble());
    return Duration.ofNanos(Math.min(max, base + jitter));
  }
}
