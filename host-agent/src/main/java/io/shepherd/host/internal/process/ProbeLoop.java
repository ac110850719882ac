package io.shepherd.host.internal.process;

import io.shepherd.protocol.Probe;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One node's tcp, http or command check, run every period until it decides: as readiness, the
 * first probe that succeeds makes the node ready; as liveness, {@code failures} failed probes in a
 * row are a crash. Probes never overlap; each is given the probe's timeout by {@link Probes}. No
 * thread of its own: it runs on the host's probe scheduler.
 */
final class ProbeLoop {

  /** What a probe's outcome leads to. */
  enum Verdict { GO_ON, READY, FAILED }

  /**
   * The counting of outcomes, apart from any timing: what each outcome leads to, and the failure
   * that decided.
   */
  static final class Count {
    private final boolean readiness;
    private final int failures;
    private int inARow;
    private String lastError;

    Count(boolean readiness, int failures) {
      this.readiness = readiness;
      this.failures = failures;
    }

    /** One probe's outcome: null if it succeeded, else why it failed. */
    Verdict record(String error) {
      if (error == null) {
        inARow = 0;
        return readiness ? Verdict.READY : Verdict.GO_ON;
      }
      lastError = error;
      inARow++;
      return !readiness && inARow >= failures ? Verdict.FAILED : Verdict.GO_ON;
    }

    /** The failures in a row so far. */
    int inARow() {
      return inARow;
    }

    /** Why the last failed probe failed, or null. */
    String lastError() {
      return lastError;
    }
  }

  private final Probe probe;
  private final Supplier<CompletableFuture<String>> once;
  private final ScheduledExecutorService scheduler;
  private final Count count;
  private final Runnable ready;
  private final Consumer<String> failed;
  private volatile boolean stopped;
  /** The probe running now, if any: cancelled by a stop (a command's process is killed). */
  private volatile CompletableFuture<String> inFlight;

  /**
   * @param once runs one probe: completes with null if it succeeded, else why not
   * @param ready told once, when a readiness probe succeeds
   * @param failed told once, with the reason, when a liveness probe failed too often
   */
  ProbeLoop(Probe probe, boolean readiness, Supplier<CompletableFuture<String>> once, ScheduledExecutorService scheduler,
            Runnable ready, Consumer<String> failed) {
    this.probe = probe;
    this.once = once;
    this.scheduler = scheduler;
    this.count = new Count(readiness, probe.failuresOrDefault());
    this.ready = ready;
    this.failed = failed;
  }

  /** Runs the first probe now (readiness) or after one period (liveness). */
  ProbeLoop start(boolean now) {
    schedule(now ? 0 : probe.periodOrDefault().toNanos());
    return this;
  }

  /** No further probe; one still in flight is cancelled (a command's process killed) and its outcome ignored. */
  void stop() {
    stopped = true;
    CompletableFuture<String> running = inFlight;
    if (running != null) {
      running.cancel(false);
    }
  }

  /** Why the last failed probe failed, or null. */
  String lastError() {
    return count.lastError();
  }

  private void schedule(long delayNanos) {
    if (!stopped) {
      scheduler.schedule(this::probeOnce, delayNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void probeOnce() {
    if (stopped) {
      return;
    }
    CompletableFuture<String> outcome;
    try {
      outcome = once.get();
    } catch (RuntimeException e) {
      outcome = CompletableFuture.completedFuture(String.valueOf(e.getMessage()));
    }
    inFlight = outcome;
    if (stopped) {
      outcome.cancel(false); // a stop came while it started
    }
    long started = System.nanoTime();
    outcome.whenComplete((error, thrown) -> {
      inFlight = null;
      if (stopped) {
        return;
      }
      String why = thrown != null ? Probes.describe(thrown) : error;
      switch (count.record(why)) {
        case READY -> {
          stopped = true;
          ready.run();
        }
        case FAILED -> {
          stopped = true;
          failed.accept("liveness-failed: " + count.inARow() + " " + probe.type().spelling() + " probes in a row failed; the last: " + why);
        }
        case GO_ON -> schedule(Math.max(0, probe.periodOrDefault().toNanos() - (System.nanoTime() - started)));
      }
    });
  }
}
