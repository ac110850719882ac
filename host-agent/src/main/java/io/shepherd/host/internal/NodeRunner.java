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
import io.shepherd.host.NodeTypeException;
import io.shepherd.protocol.Checkpoint;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.Lifecycle;
import io.shepherd.protocol.LifecycleAction;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NextAction;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
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
 * (FAILED until a new request: stalled, or the restart budget spent). The runner owns the decisions
 * (requests, mode, crash policy, removal); {@link NodeWork} owns the instance side and carries them
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

  private record Crashed(int incarnation, String reason, Throwable cause) implements Command {}

  private record CallbackTimedOut(int incarnation, String what) implements Command {}

  private record RestartDue(int incarnation) implements Command {}

  private record NodeNotified(int incarnation, String message) implements Command {}

  private enum CheckpointSaved implements Command { INSTANCE }

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
  private final CrashPolicy crashPolicy;
  private final StatusReporter reporter;
  private final NodeWork work;
  private final Behavior<Command> idle;
  private final Behavior<Command> busy;
  private final Behavior<Command> backingOff;
  private final Behavior<Command> held;

  private NodeState requested;
  private long seq;
  private Mode mode;
  private boolean stalled;
  private boolean gaveUp;
  private boolean removing;

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
    this.requested = requested;
    this.seq = seq;
    this.mode = spec.mode();
    this.nodeLog = RunningContext.loggerFor(path);
    this.crashPolicy = new CrashPolicy(spec.restart() != null ? spec.restart() : settings.restartPolicy(),
        () -> ThreadLocalRandom.current().nextDouble());
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
        .onMessage(Remove.class, m -> onRemove(this::stopWork))
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

  /** FAILED and left so: a MANAGED node stalled, or an AUTO node whose restart budget is spent; a new request (or AUTO) ends it. */
  private Behavior<Command> held() {
    return common(Behaviors.receive(Command.class)
        .onMessage(Request.class, m -> onRequest(m, changed -> revive()))
        .onMessage(Remove.class, m -> onRemove(this::finishRemoval)));
  }

  /** What every phase handles alike; anything else a phase does not name is a late message of an earlier phase, ignored. */
  private Behavior<Command> common(BehaviorBuilder<Command> phase) {
    return phase
        .onMessage(SetMode.class, this::onSetMode)
        .onMessage(Kill.class, m -> onKill())
        .onMessage(SendInput.class, this::onSendInput)
        .onMessage(Crashed.class, this::onCrashed)
        .onMessage(NodeNotified.class, this::onNodeNotified)
        .onMessage(CheckpointSaved.class, m -> onCheckpointSaved())
        .onMessage(CheckpointTick.class, m -> onCheckpointTick())
        .onMessage(StabilityTick.class, m -> onStabilityTick())
        .onMessage(RemoveTimedOut.class, m -> onRemoveTimedOut())
        .onMessage(Command.class, m -> Behaviors.same())
        .build();
  }

  // ---- requests ---------------------------------------------------------------------------------

  /** Takes a request unless it is older than the last; true if it changed what is requested or its number. */
  private boolean accept(Request request) {
    boolean changed = request.requested() != requested || request.seq() != seq;
    seq = request.seq();
    if (request.requested() != requested) {
      requested = request.requested();
      crashPolicy.departed();
    }
    return changed;
  }

  /** A request older than the last is ignored; a newer one is taken, then acted on by phase unless the node is being removed. */
  private Behavior<Command> onRequest(Request request, Function<Boolean, Behavior<Command>> byPhase) {
    if (request.seq() < seq) {
      return Behaviors.same();
    }
    boolean changed = accept(request);
    return removing ? Behaviors.same() : byPhase.apply(changed);
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

  /** FAILED (backing off or held): a new request (or a revive) is the way out of FAILED and of a stall. */
  private Behavior<Command> revive() {
    crashPolicy.reset();
    stalled = false;
    gaveUp = false;
    timers.cancel(RESTART_TIMER);
    Behavior<Command> next;
    if (requested == NodeState.CLOSED) {
      work.enter(NodeState.CLOSED);
      next = idle;
    } else {
      reporter.countRestart();
      next = startIncarnation();
    }
    emit();
    return next;
  }

  /** Removal starts (once) with {@code then}, by phase: from idle it closes the node, from busy it waits for the step. */
  private Behavior<Command> onRemove(Supplier<Behavior<Command>> then) {
    if (removing) {
      return Behaviors.same();
    }
    removing = true;
    timers.startSingleTimer(REMOVE_TIMER, RemoveTimedOut.INSTANCE, settings.removeTimeout());
    return then.get();
  }

  private Behavior<Command> stopWork() {
    work.stopAfterStep(); // removal goes on once the step in progress has finished
    return Behaviors.same();
  }

  private Behavior<Command> onSetMode(SetMode set) {
    if (set.mode() == mode) {
      return Behaviors.same();
    }
    mode = set.mode();
    nodeLog.info("mode set to {}", mode);
    Behavior<Command> next = Behaviors.same();
    if (mode == Mode.AUTO && stalled && !removing) {
      // No one manages the node any more: it recovers by itself.
      stalled = false;
      crashPolicy.reset();
      reporter.countRestart();
      next = startIncarnation();
    }
    emit();
    return next;
  }

  private Behavior<Command> onKill() {
    work.incarnation().killProcess();
    return Behaviors.same();
  }

  private Behavior<Command> onSendInput(SendInput send) {
    Optional<ManagerProtocol.Failed> refused = work.incarnation().sendInput(send.line(), spec, work.current());
    send.replyTo().tell(refused.isPresent() ? refused.get() : new ManagerProtocol.Ok("sent a line to the stdin of " + path, null));
    return Behaviors.same();
  }

  // ---- work on node threads ---------------------------------------------------------------------

  /** From idle: drives the node from its current state towards the requested one, if not there. */
  private Behavior<Command> drive() {
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
    work.begin(removing ? List.of() : Lifecycle.actions(NodeState.CREATED, requested));
    return busy;
  }

  /** Handles every report the task has queued, in order, until one ends the task or this phase. */
  private Behavior<Command> onProgress(Progress progress) {
    NodeTask task = work.task(progress.incarnation());
    if (task == null) {
      return Behaviors.same();
    }
    task.rearm();
    Behavior<Command> next = Behaviors.same();
    for (NodeTask.Report report = task.poll(); report != null && work.task(progress.incarnation()) == task; report = task.poll()) {
      if (report instanceof NodeTask.Instantiated instantiated) {
        next = onInstantiated(instantiated);
      } else if (report instanceof NodeTask.StepDone done) {
        next = onStepDone(done);
      } else {
        next = onTaskEnded();
      }
      if (!Behavior.isAlive(next)) {
        return next;
      }
    }
    return next;
  }

  private Behavior<Command> onInstantiated(NodeTask.Instantiated message) {
    if (message.error() != null) {
      if (!work.created()) {
        // The first instance could not be made: nothing was created.
        timers.cancelAll();
        ErrorCode code = message.error() instanceof NodeTypeException e ? e.code() : ErrorCode.INVALID_ARGUMENT;
        String reason = message.error() instanceof NodeTypeException
            ? message.error().getMessage()
            : "node type " + spec.type() + " could not be instantiated: " + describe(message.error());
        reporter.rejected(code, reason);
        return Behaviors.stopped();
      }
      work.taskEnded();
      return crash("constructor of " + spec.type() + " threw " + describe(message.error()), message.error());
    }
    boolean first = work.instantiated(message.node());
    if (first || requested == NodeState.CREATED || !work.incarnation().work().hasSteps()) {
      emit();
    }
    return Behaviors.same();
  }

  private Behavior<Command> onStepDone(NodeTask.StepDone done) {
    if (done.error() != null) {
      return crash(done.action().callName() + "() threw " + describe(done.error()), done.error());
    }
    work.stepDone(done);
    emit();
    return Behaviors.same();
  }

  private Behavior<Command> onTaskEnded() {
    work.taskEnded();
    if (removing) {
      return continueRemoval();
    }
    Behavior<Command> next = drive();
    if (next == idle && work.current() != requested) {
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
      public RunningContext.Reports reports(int incarnation) {
        return reportsOf(self, incarnation);
      }
    };
  }

  private static RunningContext.Reports reportsOf(ActorRef<Command> self, int inc) {
    return new RunningContext.Reports() {
      @Override
      public void failed(String reason, Throwable cause) {
        self.tell(new Crashed(inc, reason, cause));
      }

      @Override
      public void notified(String message) {
        self.tell(new NodeNotified(inc, message));
      }

      @Override
      public void checkpointed() {
        self.tell(CheckpointSaved.INSTANCE);
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

  private Behavior<Command> onCrashed(Crashed crashed) {
    if (!work.isCurrent(crashed.incarnation()) || !work.incarnation().context().alive()) {
      return Behaviors.same();
    }
    return crash(crashed.reason(), crashed.cause());
  }

  private Behavior<Command> onCallbackTimedOut(CallbackTimedOut timeout) {
    if (!work.isCurrent(timeout.incarnation())) {
      return Behaviors.same();
    }
    return crash(work.timedOutReason(timeout.what()), null);
  }

  /** Only an idle RUNNING node is judged: during a callback, callback-timeout watches for hangs. */
  private Behavior<Command> onWatchdogTick() {
    Optional<String> missed = work.missedKeepalive();
    return missed.isPresent() ? crash(missed.get(), null) : Behaviors.same();
  }

  private Behavior<Command> onNodeNotified(NodeNotified notified) {
    if (work.isCurrent(notified.incarnation())) {
      nodeLog.info("notification: {}", notified.message());
      reporter.notified(notified.message());
    }
    return Behaviors.same();
  }

  private Behavior<Command> onCheckpointSaved() {
    reporter.checkpointSaved();
    return Behaviors.same();
  }

  private Behavior<Command> onCheckpointTick() {
    reporter.sendCheckpoint();
    return Behaviors.same();
  }

  // ---- crashes ----------------------------------------------------------------------------------

  /** The incarnation ends; then removal finishes, a MANAGED node stalls, or an AUTO one restarts within its budget. */
  private Behavior<Command> crash(String reason, Throwable cause) {
    reporter.noteExit(work.process());
    NodeWork.Ended ended = work.crash(reason, cause);
    Instant at = clock.instant();
    reporter.failed(reason, at);
    try {
      if (removing) {
        return finishRemoval();
      }
      CrashPolicy.Decision decision = crashPolicy.decide(mode, at);
      if (decision instanceof CrashPolicy.Stall) {
        stalled = true;
        nodeLog.warn("MANAGED node stalled after a crash; waiting for a new request or a revive");
        emit();
        return held;
      }
      if (decision instanceof CrashPolicy.GiveUp giveUp) {
        gaveUp = true;
        reporter.failed(reason + " (" + giveUp.why() + ")", at);
        nodeLog.error(giveUp.why());
        emit();
        return held;
      }
      Duration delay = ((CrashPolicy.Restart) decision).delay();
      emit();
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

  private Behavior<Command> onRestartDue(RestartDue due) {
    if (!work.isCurrent(due.incarnation())) {
      return Behaviors.same();
    }
    reporter.countRestart();
    return startIncarnation();
  }

  // ---- status -----------------------------------------------------------------------------------

  private Behavior<Command> onStabilityTick() {
    reporter.onStabilityTick(this::emit);
    return Behaviors.same();
  }

  private void emit() {
    if (work.current() == requested) {
      crashPolicy.arrived(clock.instant());
    }
    reporter.emit(work.current(), requested, mode, stalled, work.since(), seq, work.incarnationNumber(),
        NextAction.of(work.current(), requested, stalled || gaveUp, removing), work.process());
  }

  static String describe(Throwable error) {
    String message = error.getMessage();
    return error.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
  }
}
