package io.shepherd.host.internal;

import akka.actor.typed.javadsl.TimerScheduler;
import io.shepherd.protocol.LifecycleAction;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.IntFunction;

/**
 * Watches one node for hangs with the runner's timers: the callback in flight must return within
 * {@code callback-timeout} (a process node's stop within its stop grace and 10 s more, if that is
 * longer), and a RUNNING node that declared a keepalive deadline in {@code configure()} must call
 * {@code keepalive()} within it; a STARTING node must be ready within its start timeout. Runs inside the runner's message handling only.
 *
 * @param <C> the runner's message type
 */
final class HangWatch<C> {

  private static final String CALLBACK_TIMER = "callback";
  private static final String WATCHDOG_TIMER = "watchdog";
  private static final String START_TIMER = "start";
  private static final Duration FASTEST_TICK = Duration.ofMillis(10);
  /** What stop() has beyond a process node's stop grace: its SIGKILL and the wait for its processes to go. */
  private static final Duration STOP_MARGIN = Duration.ofSeconds(10);

  private final TimerScheduler<C> timers;
  private final Duration callbackTimeout;
  private final Duration stopTimeout;
  private final BiFunction<Integer, String, C> timedOut;
  private final C watchdogTick;
  private final IntFunction<C> notReady;
  private Duration keepaliveDeadline = Duration.ZERO;
  /** When the callback in flight was called and when it times out (System.nanoTime()): a stop() may ask for more. */
  private long callbackStart;
  private long callbackDeadline;

  /**
   * @param stopGrace a process node's stop grace, or null for a Java node
   * @param timedOut the message sent to the runner when the callback {@code what} of an incarnation did not return
   * @param watchdogTick the message the runner answers with {@link #missedKeepalive}
   * @param notReady the message sent to the runner when an incarnation was not ready within its start timeout
   */
  HangWatch(TimerScheduler<C> timers, Duration callbackTimeout, Duration stopGrace, BiFunction<Integer, String, C> timedOut,
            C watchdogTick, IntFunction<C> notReady) {
    this.timers = timers;
    this.callbackTimeout = callbackTimeout;
    Duration stopLimit = stopGrace == null ? Duration.ZERO : stopGrace.plus(STOP_MARGIN);
    this.stopTimeout = stopLimit.compareTo(callbackTimeout) > 0 ? stopLimit : callbackTimeout;
    this.timedOut = timedOut;
    this.watchdogTick = watchdogTick;
    this.notReady = notReady;
  }

  /** The node of {@code incarnation} started and is not ready yet: it must be within {@code timeout} (from now). */
  void starting(int incarnation, Duration timeout) {
    timers.startSingleTimer(START_TIMER, notReady.apply(incarnation), timeout);
  }

  /** The node is not STARTING (any more). */
  void notStarting() {
    timers.cancel(START_TIMER);
  }

  /** The node's constructor runs for {@code incarnation}. */
  void constructing(int incarnation, String type) {
    callbackStart = System.nanoTime();
    callbackDeadline = callbackStart + callbackTimeout.toNanos();
    timers.startSingleTimer(CALLBACK_TIMER, timedOut.apply(incarnation, "the constructor of " + type), callbackTimeout);
  }

  /** The callback of {@code action} runs for {@code incarnation}. */
  void calling(int incarnation, LifecycleAction action) {
    Duration timeout = action == LifecycleAction.STOP ? stopTimeout : callbackTimeout;
    callbackStart = System.nanoTime();
    callbackDeadline = callbackStart + timeout.toNanos();
    timers.startSingleTimer(CALLBACK_TIMER, timedOut.apply(incarnation, action.callName() + "()"), timeout);
  }

  /**
   * The stop() of {@code incarnation} asked for {@code more} time: it must return within that (and
   * the margin), from now, unless that is sooner than what it had.
   */
  void stopExtended(int incarnation, Duration more) {
    long now = System.nanoTime();
    long deadline = now + more.plus(STOP_MARGIN).toNanos();
    if (deadline > callbackDeadline) {
      callbackDeadline = deadline;
      timers.startSingleTimer(CALLBACK_TIMER, timedOut.apply(incarnation, LifecycleAction.STOP.callName() + "()"),
          Duration.ofNanos(deadline - now));
    }
  }

  /** No callback in flight any more. */
  void returned() {
    timers.cancel(CALLBACK_TIMER);
  }

  /** What status shows of a callback that did not return. */
  String timedOutReason(String what) {
    return "callback-timeout: " + what + " did not return within " + (callbackDeadline - callbackStart) / 1_000_000 + " ms";
  }

  /** The node declared in {@code configure()} that it calls keepalive() at least this often. */
  void keepaliveDeadline(Duration deadline) {
    keepaliveDeadline = deadline;
  }

  /** The node's deadline: the one it set at run time, else the one it declared. */
  private Duration deadline(RunningContext context) {
    Duration own = context.ownKeepaliveDeadline();
    return own != null ? own : keepaliveDeadline;
  }

  /** The node entered RUNNING: its keepalive is watched from now on, if it has a deadline. */
  void running(RunningContext context) {
    context.resetKeepalive();
    Duration deadline = deadline(context);
    if (!deadline.isZero()) {
      Duration every = deadline.dividedBy(4);
      timers.startTimerWithFixedDelay(WATCHDOG_TIMER, watchdogTick, every.compareTo(FASTEST_TICK) < 0 ? FASTEST_TICK : every);
    }
  }

  /** The node left RUNNING, or its incarnation ended. */
  void notRunning() {
    timers.cancel(WATCHDOG_TIMER);
  }

  /** On a watchdog tick of a RUNNING node: why it is hung, if it missed its keepalive deadline. */
  Optional<String> missedKeepalive(RunningContext context) {
    long silentNanos = context.nanosSinceKeepalive();
    Duration deadline = deadline(context);
    if (deadline.isZero() || silentNanos <= deadline.toNanos()) {
      return Optional.empty();
    }
    return Optional.of("deadlock-detected: no keepalive for " + silentNanos / 1_000_000 + " ms (deadline "
        + deadline.toMillis() + " ms)");
  }
}
