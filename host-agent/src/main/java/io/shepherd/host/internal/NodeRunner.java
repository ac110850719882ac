package io.shepherd.host.internal;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.BehaviorBuilder;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import io.shepherd.host.HostSettings;
import io.shepherd.host.internal.process.ProcessControl;
import io.shepherd.protocol.Checkpoint;
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
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * Runs one node: drives it through its lifecycle to its requested state, and handles its crashes.
 *
 * <p>User code (constructor and callbacks) runs on {@code shepherd.host.node-dispatcher}, never on
 * the runner's thread. One task on a node thread makes a new instance if needed and runs every
 * step of the plan to the requested state, reporting each step as a message as it completes; a
 * new request or a crash stops it after the step in progress. A callback that throws, does not
 * return within {@code callback-timeout}, a failure the node reports, or a missed keepalive is a
 * crash of the node, never of the runner: the incarnation ends (its late reports are ignored and a
 * hung thread is interrupted and abandoned), then an AUTO node is restarted with backoff within its
 * budget and driven back to its requested state, and a MANAGED node holds, stalled.
 *
 * <p>Its phases are behaviours: {@link #idle()} (no callback in flight), {@link #busy()} (a node
 * task in flight), {@link #backingOff()} (an AUTO node's next incarnation is due) and {@link #held()}
 * (FAILED until a new request: stalled, or the restart budget spent). The runner makes the decisions
 * and keeps no state of its own: {@link NodeIntent} holds what is asked of the node (request, mode,
 * removal, hold, crash policy); {@link NodeWork} owns the instance side and carries the decisions
 * out (the current {@link Incarnation}, the state its instance is in, the hang watch); what is
 * reported to the host agent goes through the {@link StatusReporter}, which keeps the node's
 * restarts, last failure, stability and checkpoints.
 *
 * <p>Supervision: the runner's own failures are bugs; it is stopped, its NodeGroup reports the
 * node gone, and the Manager's reconciliation creates it again.
 */
public final class NodeRunner {

  public sealed interface Command extends NoSerializationVerificationNeeded {}

  /** Drive the node to {@code requested}; ignored if {@code seq} is older than the last request. */
  public record Request(NodeState requested, long seq) implements Command {}

  /** Stop and close the node, then stop the runner. */
  public enum Remove implements Command { INSTANCE }

  /** Change the node's mode; a stalled node set to AUTO starts again. */
  public record SetMode(Mode mode) implements Command {}

  /** SIGKILL to a process node's whole session (the Manager has requested STOPPED first). */
  public enum Kill implements Command { INSTANCE }

  /** Write a line to a process node's stdin; the answer goes to {@code replyTo}. */
  public record SendInput(String line, ActorRef<ManagerProtocol.Reply> replyTo) implements Command {}

  /** The node task of this incarnation has queued reports; read them. */
  private record Progress(int incarnation) implements Command {}

  /** What the node of this incarnation said of itself: a failure, a notification, a checkpoint. */
  private record Signalled(int incarnation, RunningContext.Signal signal) implements Command {}

  private record CallbackTimedOut(int incarnation, String what) implements Command {}

  private record RestartDue(int incarnation) implements Command {}

  private enum CheckpointTick implements Command { INSTANCE }

  private enum WatchdogTick implements Command { INSTANCE }

  private enum StabilityTick implements Command { INSTANCE }

  private enum RemoveTimedOut implements Command { INSTANCE }

  private static final String RESTART_TIMER = "restart";
  private static final String REMOVE_TIMER = "remove";

  private final NodePath path;
  private final NodeSpec spec;
  private final HostEnvironment env;
  private final HostSettings settings;
  private final TimerScheduler<Command> timers;
  private final Logger nodeLog;
  private final Clock clock = Clock.systemUTC();
  private final NodeIntent intent;
  private final StatusReporter reporter;
  private final NodeWork work;
  private final Behavior<Command> idle;
  private final Behavior<Command> busy;
  private final Behavior<Command> backingOff;
  private final Behavior<Command> held;

  /**
   * @param checkpoint the node's last checkpoint, handed to its first incarnation; null if none
   * @param previousIncarnation the node's last run (here or on another host) that its first incarnation counts on from; 0 if none
   */
  public static Behavior<Command> create(NodePath path, NodeSpec spec, NodeState requested, long seq, Checkpoint checkpoint,
                                         int previousIncarnation, HostEnvironment env) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new NodeRunner(ctx, timers, path, spec, requested, seq, checkpoint, previousIncarnation, env).startIncarnation()));
  }

  private NodeRunner(ActorContext<Command> ctx, TimerScheduler<Command> timers, NodePath path, NodeSpec spec,
                     NodeState requested, long seq, Checkpoint checkpoint, int previousIncarnation, HostEnvironment env) {
    this.timers = timers;
    this.path = path;
    this.spec = spec;
    this.env = env;
    this.settings = env.settings();
    this.nodeLog = RunningContext.loggerFor(path);
    this.intent = new NodeIntent(requested, seq, spec.mode(), new CrashPolicy(spec.restart() != null ? spec.restart()
        : settings.restartPolicy(), spec.autorestart(), () -> ThreadLocalRandom.current().nextDouble()));
    AtomicReference<Checkpoint> checkpoints = new AtomicReference<>(checkpoint);
    this.reporter = new StatusReporter(path, env.hostId(), spec.type(), env.events(), timers, StabilityTick.INSTANCE,
        CheckpointTick.INSTANCE, settings.stabilityWindow(), settings.stabilityRefresh(), settings.checkpointInterval(), clock,
        checkpoints);
    HangWatch<Command> hangs = new HangWatch<>(timers, settings.callbackTimeout(),
        spec.forProcess() ? spec.process().stopGrace() : null, CallbackTimedOut::new, WatchdogTick.INSTANCE);
    Executor nodeThreads = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(HostSettings.NODE_DISPATCHER));
    this.work = new NodeWork(path, spec, env, nodeThreads, nodeLog, checkpoints, previousIncarnation, hangs, wiring(ctx.getSelf()),
        clock);
    this.idle = idle();
    this.busy = busy();
    this.backingOff = backingOff();
    this.held = held();
  }

  // ---- phases -----------------------------------------------------------------------------------

  /** No callback in flight: at the requested state, or unable to reach it until a new request. */
  private Behavior<Command> idle() {
    return common(Behaviors.receive(Command.class)
        .onMessage(Request.class, m -> onRequest(m, this::redrive))
        .onMessage(Remove.class, m -> onRemove(this::continueRemoval))
        .onMessage(WatchdogTick.class, m -> onWatchdogTick()));
  }

  /** A node task runs on a node thread: a new instance and/or lifecycle steps, each reported as it completes. */
  private Behavior<Command> busy() {
    return common(Behaviors.receive(Command.class)
        .onMessage(Request.class, m -> onRequest(m, this::redirect))
        .onMessage(Remove.class, m -> onRemove(() -> same(work::stopAfterStep))) // removal goes on once the step has finished
        .onMessage(Progress.class, this::onProgress)
        .onMessage(CallbackTimedOut.class, this::onCallbackTimedOut));
  }

  /** Crashed; an AUTO node's next incarnation is due after a backoff. */
  private Behavior<Command> backingOff() {
    return common(Behaviors.receive(Command.class)
        .onMessage(Request.class, m -> onRequest(m, changed -> revive()))
        .onMessage(Remove.class, m -> onRemove(this::finishRemoval))
        .onMessage(RestartDue.class, this::onRestartDue));
  }

  /**
   * Without an instance until a new request (or AUTO for a stalled node): FAILED (a MANAGED node stalled, an AUTO node whose
   * restart budget is spent or that is never restarted), or STOPPED after its process ended by itself (finished).
   */
  private Behavior<Command> held() {
    return common(Behaviors.receive(Command.class)
        .onMessage(Request.class, m -> onRequest(m, changed -> revive()))
        .onMessage(Remove.class, m -> onRemove(this::finishRemoval)));
  }

  /** What every phase handles alike; anything else a phase does not name is a late message of an earlier phase, ignored. */
  private Behavior<Command> common(BehaviorBuilder<Command> phase) {
    return phase
        .onMessage(SetMode.class, this::onSetMode)
        .onMessage(Kill.class, m -> same(work.incarnation()::killProcess))
        .onMessage(SendInput.class, this::onSendInput)
        .onMessage(Signalled.class, this::onSignalled)
        .onMessage(CheckpointTick.class, m -> same(reporter::sendCheckpoint))
        .onMessage(StabilityTick.class, m -> same(() -> reporter.onStabilityTick(this::emit)))
        .onMessage(RemoveTimedOut.class, m -> onRemoveTimedOut())
        .onMessage(Command.class, m -> Behaviors.same())
        .build();
  }

  // ---- requests ---------------------------------------------------------------------------------

  /** A request older than the last is ignored; a newer one is taken, then acted on by phase unless the node is being removed. */
  private Behavior<Command> onRequest(Request request, Function<Boolean, Behavior<Command>> byPhase) {
    if (intent.isOutdated(request.seq())) {
      return Behaviors.same();
    }
    boolean changed = intent.take(request.requested(), request.seq());
    return intent.removing() ? Behaviors.same() : byPhase.apply(changed);
  }

  /** Idle: the node is driven to the request. */
  private Behavior<Command> redrive(boolean changed) {
    Behavior<Command> next = drive();
    if (changed && next != busy) {
      // When a step has started, its completion reports the new request; otherwise report it now.
      emit();
    }
    return next;
  }

  /** Busy: the step in progress finishes; then the node is driven towards the new request. */
  private Behavior<Command> redirect(boolean changed) {
    work.stopAfterStep();
    if (changed) {
      emit();
    }
    return Behaviors.same();
  }

  /** Backing off or held: a new request (or a revive) is the way out of FAILED, of a stall, and of a finished process. */
  private Behavior<Command> revive() {
    boolean failed = work.current() == NodeState.FAILED;
    intent.release();
    timers.cancel(RESTART_TIMER);
    Behavior<Command> next;
    if (intent.requested() == NodeState.CLOSED) {
      work.enter(NodeState.CLOSED);
      next = idle;
    } else if (intent.requested() == work.current()) {
      next = held; // STOPPED after its process finished, and now requested so: it stays without an instance
    } else {
      if (failed) {
        reporter.countRestart();
      }
      next = startIncarnation();
    }
    emit();
    return next;
  }

  /** Removal starts (once) with {@code then}, by phase: from idle it closes the node, from busy it waits for the step. */
  private Behavior<Command> onRemove(Supplier<Behavior<Command>> then) {
    if (!intent.startRemoving()) {
      return Behaviors.same();
    }
    timers.startSingleTimer(REMOVE_TIMER, RemoveTimedOut.INSTANCE, settings.removeTimeout());
    return then.get();
  }

  private Behavior<Command> onSetMode(SetMode set) {
    if (!intent.setMode(set.mode())) {
      return Behaviors.same();
    }
    nodeLog.info("mode set to {}", set.mode());
    Behavior<Command> next = Behaviors.same();
    if (intent.recoversAlone()) {
      reporter.countRestart();
      next = startIncarnation();
    }
    emit();
    return next;
  }

  private Behavior<Command> onSendInput(SendInput send) {
    Optional<ManagerProtocol.Failed> refused = work.incarnation().sendInput(send.line(), spec, work.current());
    send.replyTo().tell(refused.isPresent() ? refused.get() : new ManagerProtocol.Ok("sent a line to the stdin of " + path, null));
    return Behaviors.same();
  }

  // ---- work on node threads ---------------------------------------------------------------------

  /** From idle: drives the node from its current state towards the requested one, if not there. */
  private Behavior<Command> drive() {
    NodeState requested = intent.requested();
    if (work.current() == requested) {
      return idle;
    }
    List<LifecycleAction> steps = Lifecycle.actions(work.current(), requested);
    if (steps.isEmpty()) {
      nodeLog.error("cannot reach requested state {} from {}; waiting for a new request", requested, work.current());
      return idle;
    }
    work.run(steps);
    return busy;
  }

  /** A new incarnation: a fresh instance, driven to the requested state, in one task. */
  private Behavior<Command> startIncarnation() {
    work.begin(intent.removing() ? List.of() : Lifecycle.actions(NodeState.CREATED, intent.requested()));
    return busy;
  }

  /** Takes in the reports the task has queued: a status for each state entered that should be seen, then what one calls for. */
  private Behavior<Command> onProgress(Progress progress) {
    NodeWork.Turn turn = work.takeReports(progress.incarnation(), settled -> {
      if (settled || intent.requested() == NodeState.CREATED) {
        emit();
      }
    });
    if (turn instanceof NodeWork.Threw threw && threw.nothingMade()) {
      // The first instance could not be made: nothing was created.
      timers.cancelAll();
      reporter.rejected(spec.type(), threw.error());
      return Behaviors.stopped();
    }
    if (turn instanceof NodeWork.Threw threw) {
      return crash(threw.reason(), threw.error());
    }
    return turn == NodeWork.Finished.INSTANCE ? onTaskEnded() : Behaviors.same();
  }

  /** The task has run its course: removal goes on, or the node is driven on if a new request came meanwhile. */
  private Behavior<Command> onTaskEnded() {
    if (intent.removing()) {
      return continueRemoval();
    }
    Behavior<Command> next = drive();
    if (next == idle && work.current() != intent.requested()) {
      emit();
    }
    return next;
  }

  private static NodeWork.Wiring wiring(ActorRef<Command> self) {
    return new NodeWork.Wiring() {
      @Override
      public Runnable wake(int incarnation) {
        Progress progress = new Progress(incarnation);
        return () -> self.tell(progress);
      }

      @Override
      public Consumer<RunningContext.Signal> signals(int incarnation) {
        return signal -> self.tell(new Signalled(incarnation, signal));
      }
    };
  }

  // ---- removal ----------------------------------------------------------------------------------

  /** From idle, or once the task in flight has ended: stops and closes the node, then finishes. */
  private Behavior<Command> continueRemoval() {
    if (!work.hasOpenInstance()) {
      return finishRemoval();
    }
    work.run(work.current() == NodeState.RUNNING ? List.of(LifecycleAction.STOP, LifecycleAction.CLOSE) : List.of(LifecycleAction.CLOSE));
    return busy;
  }

  private Behavior<Command> finishRemoval() {
    env.processes().ports().releaseNode(path.toString());
    reporter.sendCheckpoint();
    timers.cancelAll();
    work.endForRemoval();
    reporter.removed();
    return Behaviors.stopped();
  }

  private Behavior<Command> onRemoveTimedOut() {
    nodeLog.warn("removal did not finish within {} ms (stuck {} of {}); removing the node anyway", settings.removeTimeout().toMillis(),
        work.incarnation().work() == null ? "between steps" : "in " + work.incarnation().work().running().callName() + "()",
        work.current());
    work.abandonWork();
    return finishRemoval();
  }

  // ---- health -----------------------------------------------------------------------------------

  /** A checkpoint is kept whichever incarnation saved it; a failure or a notification counts only from the current one. */
  private Behavior<Command> onSignalled(Signalled signalled) {
    if (signalled.signal() instanceof RunningContext.Checkpointed) {
      return same(reporter::checkpointSaved);
    }
    if (!work.isCurrent(signalled.incarnation())) {
      return Behaviors.same();
    }
    if (signalled.signal() instanceof RunningContext.Failed failed) {
      if (!work.incarnation().context().alive()) {
        return Behaviors.same();
      }
      OptionalInt exit = work.process().map(ProcessControl::endedByItself).orElse(OptionalInt.empty());
      return exit.isPresent() && !spec.autorestart().restartsAfterExit(exit.getAsInt()) && !intent.removing()
          ? finish(failed.reason()) : crash(failed.reason(), failed.cause());
    }
    String message = ((RunningContext.Notified) signalled.signal()).message();
    nodeLog.info("notification: {}", message);
    reporter.notified(message);
    return Behaviors.same();
  }

  private Behavior<Command> onCallbackTimedOut(CallbackTimedOut timeout) {
    return work.isCurrent(timeout.incarnation()) ? crash(work.timedOutReason(timeout.what()), null) : Behaviors.same();
  }

  /** Only an idle RUNNING node is judged: during a callback, callback-timeout watches for hangs. */
  private Behavior<Command> onWatchdogTick() {
    Optional<String> missed = work.missedKeepalive();
    return missed.isPresent() ? crash(missed.get(), null) : Behaviors.same();
  }

  // ---- crashes ----------------------------------------------------------------------------------

  /** The incarnation ends; then removal finishes, a MANAGED node stalls, or an AUTO one restarts within its budget. */
  private Behavior<Command> crash(String reason, Throwable cause) {
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
        return held;
      }
      Duration delay = restart.delay();
      if (delay.isZero()) {
        // At once, and before the ended instance is closed: the replacement gets the first free node thread.
        reporter.countRestart();
        return startIncarnation();
      }
      nodeLog.info("restarting in {} ms", delay.toMillis());
      timers.startSingleTimer(RESTART_TIMER, new RestartDue(work.incarnation().number()), delay);
      return backingOff;
    } finally {
      work.close(ended);
    }
  }

  /** The process ended by itself ({@code how}) and its autorestart policy keeps it so: STOPPED, not restarted, no crash. */
  private Behavior<Command> finish(String how) {
    reporter.noteExit(work.process());
    NodeWork.Ended ended = work.finish();
    nodeLog.info("{}; autorestart = {}: not restarted, STOPPED until a new request", how, spec.autorestart().spelling());
    intent.finish();
    emit();
    work.close(ended);
    return held;
  }

  private Behavior<Command> onRestartDue(RestartDue due) {
    if (!work.isCurrent(due.incarnation())) {
      return Behaviors.same();
    }
    reporter.countRestart();
    return startIncarnation();
  }

  // ---- status -----------------------------------------------------------------------------------

  private void emit() {
    NodeState current = work.current();
    intent.observe(current, clock.instant());
    reporter.emit(current, intent.requested(), intent.mode(), intent.stalled(), work.since(), intent.seq(),
        work.incarnationNumber(), intent.nextAction(current), intent.finished(), work.process());
  }

  /** Runs {@code action} and stays in the phase: for messages that change nothing the phase depends on. */
  private static Behavior<Command> same(Runnable action) {
    action.run();
    return Behaviors.same();
  }
}
