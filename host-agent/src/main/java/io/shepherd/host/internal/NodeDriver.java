package io.shepherd.host.internal;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.TimerScheduler;
import io.shepherd.host.HostSettings;
import io.shepherd.host.internal.process.ProcessControl;
import io.shepherd.protocol.Lifecycle;
import io.shepherd.protocol.LifecycleAction;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * What each request, report and ending of one node leads to, carried out: the decisions of a
 * {@link NodeRunner}, which hands every message here and goes to the phase the answer names
 * ({@link Next}). No actor code but the runner's timers: what is asked of the node is its
 * {@link NodeIntent}'s, the instance side is its {@link NodeWork}'s, what is reported goes through
 * its {@link StatusReporter}. Runs only inside the runner's message handling.
 */
final class NodeDriver {

  /** The phase the runner goes to next: each is a behaviour of the runner. */
  enum Next {
    /** The phase it is in. */
    STAY,
    /** No callback in flight. */
    IDLE,
    /** A node task in flight. */
    BUSY,
    /** Crashed; the next incarnation is due after a backoff. */
    BACKING_OFF,
    /** Without an instance until a new request: FAILED and left so, or STOPPED after its process finished. */
    HELD,
    /** The runner stops: the node is removed, or was never made. */
    GONE
  }

  static final String RESTART_TIMER = "restart";
  static final String REMOVE_TIMER = "remove";

  private final NodePath path;
  private final NodeSpec spec;
  private final HostEnvironment env;
  private final HostSettings settings;
  private final TimerScheduler<NodeRunner.Command> timers;
  private final Logger nodeLog;
  private final Clock clock;
  private final NodeIntent intent;
  private final StatusReporter reporter;
  private final NodeWork work;

  NodeDriver(NodePath path, NodeSpec spec, HostEnvironment env, TimerScheduler<NodeRunner.Command> timers, Logger nodeLog, Clock clock,
             NodeIntent intent, StatusReporter reporter, NodeWork work) {
    this.path = path;
    this.spec = spec;
    this.env = env;
    this.settings = env.settings();
    this.timers = timers;
    this.nodeLog = nodeLog;
    this.clock = clock;
    this.intent = intent;
    this.reporter = reporter;
    this.work = work;
  }

  // ---- requests ---------------------------------------------------------------------------------

  /** Idle: the node is driven to the request. */
  Next requestWhenIdle(NodeRunner.Request request) {
    return onRequest(request, changed -> {
      Next next = drive();
      if (changed && next != Next.BUSY) {
        // When a step has started, its completion reports the new request; otherwise report it now.
        emit();
      }
      return next;
    });
  }

  /** Busy: the step in progress finishes; then the node is driven towards the new request. */
  Next requestWhenBusy(NodeRunner.Request request) {
    return onRequest(request, changed -> {
      work.stopAfterStep();
      if (changed) {
        emit();
      }
      return Next.STAY;
    });
  }

  /** Backing off or held: a new request (or a revive) is the way out of FAILED, of a stall, and of a finished process. */
  Next requestWhenHeld(NodeRunner.Request request) {
    return onRequest(request, changed -> revive());
  }

  /** A request older than the last is ignored; a newer one is taken, then acted on by phase unless the node is being removed. */
  private Next onRequest(NodeRunner.Request request, Function<Boolean, Next> byPhase) {
    if (intent.isOutdated(request.seq())) {
      return Next.STAY;
    }
    boolean changed = intent.take(request.requested(), request.seq());
    return intent.removing() ? Next.STAY : byPhase.apply(changed);
  }

  private Next revive() {
    boolean failed = work.current() == NodeState.FAILED;
    intent.release();
    timers.cancel(RESTART_TIMER);
    Next next;
    if (intent.requested() == NodeState.CLOSED) {
      work.enter(NodeState.CLOSED);
      next = Next.IDLE;
    } else if (intent.requested() == work.current()) {
      next = Next.HELD; // STOPPED after its process finished, and now requested so: it stays without an instance
    } else {
      if (failed) {
        reporter.countRestart();
      }
      next = startIncarnation();
    }
    emit();
    return next;
  }

  Next setMode(Mode mode) {
    if (!intent.setMode(mode)) {
      return Next.STAY;
    }
    nodeLog.info("mode set to {}", mode);
    Next next = Next.STAY;
    if (intent.recoversAlone()) {
      reporter.countRestart();
      next = startIncarnation();
    }
    emit();
    return next;
  }

  void kill() {
    work.incarnation().killProcess();
  }

  void sendInput(String line, ActorRef<ManagerProtocol.Reply> replyTo) {
    Optional<ManagerProtocol.Failed> refused = work.incarnation().sendInput(line, spec, work.current());
    replyTo.tell(refused.isPresent() ? refused.get() : new ManagerProtocol.Ok("sent a line to the stdin of " + path, null));
  }

  // ---- work on node threads ---------------------------------------------------------------------

  /** A new incarnation: a fresh instance, driven to the requested state, in one task. */
  Next startIncarnation() {
    reporter.statusText(null);
    work.begin(intent.removing() ? List.of() : Lifecycle.actions(NodeState.CREATED, intent.requested()));
    return Next.BUSY;
  }

  /** From idle: drives the node from its current state towards the requested one, if not there. */
  private Next drive() {
    NodeState requested = intent.requested();
    if (work.current() == requested || work.current() == NodeState.STARTING && requested == NodeState.RUNNING) {
      return Next.IDLE; // there, or it becomes RUNNING when it is ready
    }
    List<LifecycleAction> steps = Lifecycle.actions(work.current(), requested);
    if (steps.isEmpty()) {
      nodeLog.error("cannot reach requested state {} from {}; waiting for a new request", requested, work.current());
      return Next.IDLE;
    }
    work.run(steps);
    return Next.BUSY;
  }

  /** Takes in the reports the task has queued: a status for each state entered that should be seen, then what one calls for. */
  Next progress(int incarnation) {
    NodeWork.Turn turn = work.takeReports(incarnation, settled -> {
      if (settled || intent.requested() == NodeState.CREATED) {
        emit();
      }
    });
    if (turn instanceof NodeWork.Threw threw && threw.nothingMade()) {
      // The first instance could not be made: nothing was created.
      timers.cancelAll();
      reporter.rejected(spec.type(), threw.error());
      return Next.GONE;
    }
    if (turn instanceof NodeWork.Threw threw) {
      return crash(threw.reason(), threw.error());
    }
    return turn == NodeWork.Finished.INSTANCE ? taskEnded() : Next.STAY;
  }

  /** The task has run its course: removal goes on, or the node is driven on if a new request came meanwhile. */
  private Next taskEnded() {
    if (intent.removing()) {
      return continueRemoval();
    }
    Next next = drive();
    if (next == Next.IDLE && work.current() != intent.requested()) {
      emit();
    }
    return next;
  }

  // ---- removal ----------------------------------------------------------------------------------

  /** Removal from idle: the node is stopped and closed, then removed. */
  Next removeWhenIdle() {
    return onRemove(this::continueRemoval);
  }

  /** Removal while busy: it goes on once the step in progress has finished. */
  Next removeWhenBusy() {
    return onRemove(() -> {
      work.stopAfterStep();
      return Next.STAY;
    });
  }

  /** Removal of a node without an instance: at once. */
  Next removeWhenHeld() {
    return onRemove(this::finishRemoval);
  }

  /** Removal starts once, with {@code then}; it is given {@code remove-timeout} to finish. */
  private Next onRemove(Supplier<Next> then) {
    if (!intent.startRemoving()) {
      return Next.STAY;
    }
    timers.startSingleTimer(REMOVE_TIMER, NodeRunner.RemoveTimedOut.INSTANCE, settings.removeTimeout());
    return then.get();
  }

  /** From idle, or once the task in flight has ended: stops and closes the node, then finishes. */
  private Next continueRemoval() {
    if (!work.hasOpenInstance()) {
      return finishRemoval();
    }
    work.run(work.current() == NodeState.RUNNING ? List.of(LifecycleAction.STOP, LifecycleAction.CLOSE) : List.of(LifecycleAction.CLOSE));
    return Next.BUSY;
  }

  private Next finishRemoval() {
    env.processes().ports().releaseNode(path.toString());
    reporter.sendCheckpoint();
    timers.cancelAll();
    work.endForRemoval();
    reporter.removed();
    return Next.GONE;
  }

  Next removeTimedOut() {
    nodeLog.warn("removal did not finish within {} ms (stuck {} of {}); removing the node anyway", settings.removeTimeout().toMillis(),
        work.incarnation().work() == null ? "between steps" : "in " + work.incarnation().work().running().callName() + "()",
        work.current());
    work.abandonWork();
    return finishRemoval();
  }

  // ---- health -----------------------------------------------------------------------------------

  /** A checkpoint is kept whichever incarnation saved it; a failure or a notification counts only from the current one. */
  Next signalled(int incarnation, RunningContext.Signal signal) {
    if (signal instanceof RunningContext.Checkpointed) {
      reporter.checkpointSaved();
      return Next.STAY;
    }
    if (!work.isCurrent(incarnation)) {
      return Next.STAY;
    }
    if (signal instanceof RunningContext.Failed failed) {
      if (!work.incarnation().context().alive()) {
        return Next.STAY;
      }
      OptionalInt exit = work.process().map(ProcessControl::endedByItself).orElse(OptionalInt.empty());
      return exit.isPresent() && !spec.autorestart().restartsAfterExit(exit.getAsInt()) && !intent.removing()
          ? finish(failed.reason()) : crash(failed.reason(), failed.cause());
    }
    if (signal instanceof RunningContext.Ready) {
      Instant startedAt = work.since();
      if (work.becameReady()) {
        nodeLog.info("ready, {} ms after its start", Duration.between(startedAt, clock.instant()).toMillis());
        emit();
      }
    } else if (signal instanceof RunningContext.Extended extended) {
      work.extendStart(extended.more());
    } else if (signal instanceof RunningContext.StopExtended extended) {
      work.extendStop(extended.more());
    } else if (signal == RunningContext.KeepaliveDeadline.INSTANCE) {
      work.keepaliveDeadlineChanged();
    } else if (signal instanceof RunningContext.StatusText text) {
      if (reporter.statusText(text.text())) {
        emit();
      }
    } else if (signal instanceof RunningContext.Notified notified) {
      nodeLog.info("notification: {}", notified.message());
      reporter.notified(notified.message());
    }
    return Next.STAY;
  }

  /** A STARTING node not ready within its start timeout has crashed ({@code not-ready}). */
  Next startTimedOut(int incarnation) {
    if (!work.isCurrent(incarnation) || work.current() != NodeState.STARTING) {
      return Next.STAY;
    }
    long waited = Duration.between(work.since(), clock.instant()).toMillis();
    return crash("not-ready: not ready " + waited + " ms after its start (readiness " + spec.readiness().describe()
        + ", start timeout " + spec.startTimeout().toMillis() + " ms)", null);
  }

  Next callbackTimedOut(int incarnation, String what) {
    return work.isCurrent(incarnation) ? crash(work.timedOutReason(what), null) : Next.STAY;
  }

  /** Only an idle RUNNING node is judged: during a callback, callback-timeout watches for hangs. */
  Next watchdogTick() {
    Optional<String> missed = work.missedKeepalive();
    return missed.isPresent() ? crash(missed.get(), null) : Next.STAY;
  }

  // ---- endings ----------------------------------------------------------------------------------

  /** The incarnation ends; then removal finishes, a MANAGED node stalls, or an AUTO one restarts within its budget. */
  private Next crash(String reason, Throwable cause) {
    reporter.noteExit(work.process());
    NodeWork.Ended ended = work.crash(reason, cause);
    Instant at = clock.instant();
    reporter.failed(reason, at);
    try {
      if (intent.removing()) {
        return finishRemoval();
      }
      CrashPolicy.Decision decision = intent.crashed(at);
      if (decision instanceof CrashPolicy.GiveUp giveUp) {
        reporter.failed(reason + " (" + giveUp.why() + ")", at);
        nodeLog.error(giveUp.why());
      } else if (decision instanceof CrashPolicy.Stall) {
        nodeLog.warn("MANAGED node stalled after a crash; waiting for a new request or a revive");
      }
      emit();
      if (!(decision instanceof CrashPolicy.Restart restart)) {
        return Next.HELD;
      }
      Duration delay = restart.delay();
      if (delay.isZero()) {
        // At once, and before the ended instance is closed: the replacement gets the first free node thread.
        reporter.countRestart();
        return startIncarnation();
      }
      nodeLog.info("restarting in {} ms", delay.toMillis());
      timers.startSingleTimer(RESTART_TIMER, new NodeRunner.RestartDue(work.incarnation().number()), delay);
      return Next.BACKING_OFF;
    } finally {
      work.close(ended);
    }
  }

  /** The process ended by itself ({@code how}) and its autorestart policy keeps it so: STOPPED, not restarted, no crash. */
  private Next finish(String how) {
    reporter.noteExit(work.process());
    NodeWork.Ended ended = work.finish();
    nodeLog.info("{}; autorestart = {}: not restarted, STOPPED until a new request", how, spec.autorestart().spelling());
    intent.finish();
    emit();
    work.close(ended);
    return Next.HELD;
  }

  Next restartDue(int incarnation) {
    if (!work.isCurrent(incarnation)) {
      return Next.STAY;
    }
    reporter.countRestart();
    return startIncarnation();
  }

  // ---- status -----------------------------------------------------------------------------------

  void checkpointTick() {
    reporter.sendCheckpoint();
  }

  void statusTextTick() {
    if (reporter.statusTextDue()) {
      emit();
    }
  }

  void stabilityTick() {
    reporter.onStabilityTick(this::emit);
  }

  private void emit() {
    NodeState current = work.current();
    intent.observe(current, clock.instant());
    reporter.emit(current, intent.requested(), intent.mode(), intent.stalled(), work.since(), intent.seq(),
        work.incarnationNumber(), intent.nextAction(current), intent.finished(), work.agentClass(), work.process());
  }
}
