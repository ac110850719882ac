package io.shepherd.host.internal;

import io.shepherd.protocol.Autorestart;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.RestartPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * What a crash of one node leads to: a MANAGED node stalls (its manager decides), an AUTO node is
 * restarted after the backoff its {@link RestartTracker} gives, or, with its restart budget spent
 * or with {@link Autorestart#NEVER}, stays FAILED until a new request. Not thread-safe; owned by
 * one NodeRunner.
 */
final class CrashPolicy {

  /** What the runner does after a crash. */
  sealed interface Decision {}

  /** A MANAGED node holds, FAILED, until a new request or a revive. */
  enum Stall implements Decision { INSTANCE }

  /** The restart budget is spent: the node holds, FAILED, until a new request; {@code why} says so in its status. */
  record GiveUp(String why) implements Decision {}

  /** A new incarnation after {@code delay} (zero: at once). */
  record Restart(Duration delay) implements Decision {}

  private final RestartPolicy policy;
  private final Autorestart autorestart;
  private final RestartTracker tracker;

  CrashPolicy(RestartPolicy policy, Autorestart autorestart, DoubleSupplier random) {
    this.policy = policy;
    this.autorestart = autorestart;
    this.tracker = new RestartTracker(policy, random);
  }

  /** Decides what a crash at {@code at} of a node in {@code mode} leads to; an AUTO restart counts against the budget. */
  Decision decide(Mode mode, Instant at) {
    if (mode == Mode.MANAGED) {
      return Stall.INSTANCE;
    }
    if (autorestart == Autorestart.NEVER) {
      return new GiveUp("autorestart = never: the node stays FAILED until a new request");
    }
    Optional<Duration> delay = tracker.onCrash(at);
    if (delay.isEmpty()) {
      return new GiveUp("restart budget spent: " + policy.maxRestarts() + " restarts within " + policy.window().toMillis()
          + " ms; the node stays FAILED until a new request");
    }
    return new Restart(delay.get());
  }

  /** The node reached its requested state at {@code now}. */
  void arrived(Instant now) {
    tracker.arrived(now);
  }

  /** The node was asked for another state. */
  void departed() {
    tracker.departed();
  }

  /** A new request (or a revive) wipes the slate. */
  void reset() {
    tracker.reset();
  }
}
