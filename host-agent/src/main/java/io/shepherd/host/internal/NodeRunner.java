package io.shepherd.host.internal;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.shepherd.host.HostSettings;
import io.shepherd.host.NodeTypeException;
import io.shepherd.host.internal.process.ProcessControl;
import io.shepherd.node.Node;
import io.shepherd.node.NodeContext;
import io.shepherd.node.Params;
import io.shepherd.protocol.Checkpoint;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.Lifecycle;
import io.shepherd.protocol.LifecycleAction;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import io.shepherd.protocol.RestartPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.MDC;

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
 * <p>Supervision: the runner's own failures are bugs; it is stopped, its NodeGroup reports the
 * node gone, and the Manager's reconciliation creates it again.
 */
public final class NodeRunner extends AbstractBehavior<NodeRunner.Command> {

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

  /** What a runner tells its host agent. */
  public sealed interface Event extends NoSerializationVerificationNeeded {}

  /** The node was created or changed. */
  public record StatusChanged(NodeStatus status) implements Event {}

  /** The node could not be created; the runner has stopped and nothing was created. */
  public record Rejected(NodePath path, ErrorCode code, String message) implements Event {}

  /** The node was removed; the runner has stopped. */
  public record Removed(NodePath path) implements Event {}

  /** The node raised a notification. */
  public record Notified(NodePath path, String message, Instant at) implements Event {}

  /** The node's latest checkpoint (frequent ones are coalesced). */
  public record Checkpointed(NodePath path, Checkpoint checkpoint) implements Event {}

  private enum Phase { IDLE, BUSY, BACKING_OFF, HELD }

  private static final String CALLBACK_TIMER = "callback";
  private static final String RESTART_TIMER = "restart";
  private static final String WATCHDOG_TIMER = "watchdog";
  private static final String STABILITY_TIMER = "stability";
  private static final String REMOVE_TIMER = "remove";
  private static final String CHECKPOINT_TIMER = "checkpoint";

  private final NodePath path;
  private final NodeSpec spec;
  private final HostEnvironment env;
  private final HostSettings settings;
  private final TimerScheduler<Command> timers;
  private final Executor nodeExecutor;
  private final Logger nodeLog;
  private final Clock clock = Clock.systemUTC();
  private final RestartPolicy policy;
  private final RestartTracker restartTracker;
  private final StabilityTracker stability;
  private final AtomicReference<Checkpoint> checkpoints;

  private Phase phase = Phase.BUSY;
  private NodeState current = NodeState.CREATED;
  private NodeState requested;
  private long seq;
  private Instant since;
  private Mode mode;
  private int incarnation;
  private Node node;
  private RunningContext context;
  private NodeTask work;
  private Duration keepaliveDeadline = Duration.ZERO;
  private boolean created;
  private boolean stalled;
  private boolean removing;
  private int restarts;
  private String lastFailure;
  private Instant lastFailureAt;
  private double emittedStability = 1.0;
  private Checkpoint sentCheckpoint;
  /** How the last process of a process node ended, or "running"; null for Java nodes and before a first start. */
  private String lastExit;

  /**
   * @param checkpoint the node's last checkpoint, handed to its first incarnation; null if none
   */
  public static Behavior<Command> create(NodePath path, NodeSpec spec, NodeState requested, long seq, Checkpoint checkpoint,
                                         HostEnvironment env) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new NodeRunner(ctx, timers, path, spec, requested, seq, checkpoint, env)));
  }

  private NodeRunner(ActorContext<Command> ctx, TimerScheduler<Command> timers, NodePath path, NodeSpec spec,
                     NodeState requested, long seq, Checkpoint checkpoint, HostEnvironment env) {
    super(ctx);
    this.timers = timers;
    this.path = path;
    this.spec = spec;
    this.env = env;
    this.settings = env.settings();
    this.requested = requested;
    this.seq = seq;
    this.mode = spec.mode();
    this.checkpoints = new AtomicReference<>(checkpoint);
    this.sentCheckpoint = checkpoint;
    this.since = clock.instant();
    this.nodeExecutor = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(HostSettings.NODE_DISPATCHER));
    this.nodeLog = RunningContext.loggerFor(path);
    this.policy = spec.restart() != null ? spec.restart() : settings.restartPolicy();
    this.restartTracker = new RestartTracker(policy, () -> ThreadLocalRandom.current().nextDouble());
    this.stability = new StabilityTracker(settings.stabilityWindow(), since);
    startIncarnation();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Request.class, this::onRequest)
        .onMessage(Remove.class, m -> onRemove())
        .onMessage(SetMode.class, this::onSetMode)
        .onMessage(Kill.class, m -> onKill())
        .onMessage(SendInput.class, this::onSendInput)
        .onMessage(Progress.class, this::onProgress)
        .onMessage(Crashed.class, this::onCrashed)
        .onMessage(CallbackTimedOut.class, this::onCallbackTimedOut)
        .onMessage(RestartDue.class, this::onRestartDue)
        .onMessage(NodeNotified.class, this::onNodeNotified)
        .onMessage(CheckpointSaved.class, m -> onCheckpointSaved())
        .onMessage(CheckpointTick.class, m -> onCheckpointTick())
        .onMessage(WatchdogTick.class, m -> onWatchdogTick())
        .onMessage(StabilityTick.class, m -> onStabilityTick())
        .onMessage(RemoveTimedOut.class, m -> onRemoveTimedOut())
        .build();
  }

  // ---- requests ---------------------------------------------------------------------------------

  private Behavior<Command> onRequest(Request request) {
    if (request.seq() < seq) {
      return this;
    }
    boolean changed = request.requested() != requested || request.seq() != seq;
    seq = request.seq();
    if (request.requested() != requested) {
      requested = request.requested();
      restartTracker.departed();
    }
    if (removing) {
      return this;
    }
    if (phase == Phase.HELD || phase == Phase.BACKING_OFF) {
      // A new request (or a revive) is the way out of FAILED and of a stall.
      restartTracker.reset();
      stalled = false;
      timers.cancel(RESTART_TIMER);
      if (requested == NodeState.CLOSED) {
        enter(NodeState.CLOSED);
        phase = Phase.IDLE;
      } else {
        restarts++;
        startIncarnation();
      }
      emit();
      return this;
    }
    if (phase == Phase.BUSY) {
      // The step in progress finishes; then the node is driven towards the new request.
      work.stop();
      if (changed) {
        emit();
      }
      return this;
    }
    drive();
    if (changed && phase != Phase.BUSY) {
      // When a step has started, its completion reports the new request; otherwise report it now.
      emit();
    }
    return this;
  }

  private Behavior<Command> onRemove() {
    if (removing) {
      return this;
    }
    removing = true;
    timers.startSingleTimer(REMOVE_TIMER, RemoveTimedOut.INSTANCE, settings.removeTimeout());
    return switch (phase) {
      case IDLE -> continueRemoval();
      case BACKING_OFF, HELD -> finishRemoval();
      case BUSY -> {
        work.stop(); // removal goes on once the step in progress has finished
        yield this;
      }
    };
  }

  private Behavior<Command> onSetMode(SetMode set) {
    if (set.mode() == mode) {
      return this;
    }
    mode = set.mode();
    nodeLog.info("mode set to {}", mode);
    if (mode == Mode.AUTO && stalled && !removing) {
      // No one manages the node any more: it recovers by itself.
      stalled = false;
      restartTracker.reset();
      restarts++;
      startIncarnation();
    }
    emit();
    return this;
  }

  private Behavior<Command> onKill() {
    process().ifPresent(process -> {
      nodeLog.warn("kill: SIGKILL to the whole session of the process");
      onNodeThread(process::kill);
    });
    return this;
  }

  /** The process controls of the node, if it runs an OS process. */
  private Optional<ProcessControl> process() {
    return node == null ? Optional.empty() : ProcessControl.of(node);
  }

  private Behavior<Command> onSendInput(SendInput send) {
    ManagerProtocol.Reply reply;
    Optional<ProcessControl> process = process();
    if (process.isPresent()) {
      Optional<ManagerProtocol.Failed> refused = process.get().sendInput(send.line());
      reply = refused.isPresent() ? refused.get() : new ManagerProtocol.Ok("sent a line to the stdin of " + path, null);
    } else {
      reply = new ManagerProtocol.Failed(spec.forProcess() ? ErrorCode.INVALID_TRANSITION : ErrorCode.INVALID_ARGUMENT,
          spec.forProcess() ? "node " + path + " runs no process to send input to; it is " + current
              : "node " + path + " is a Java node (" + spec.type() + "); only process nodes take input");
    }
    send.replyTo().tell(reply);
    return this;
  }

  // ---- work on node threads ---------------------------------------------------------------------

  /** Drives the node from its current state towards the requested one, if idle and not there. */
  private void drive() {
    if (phase != Phase.IDLE || current == requested) {
      return;
    }
    List<LifecycleAction> steps = steps(current, requested);
    if (steps.isEmpty()) {
      nodeLog.error("cannot reach requested state {} from {}; waiting for a new request", requested, current);
      return;
    }
    submit(false, steps);
  }

  /** A new incarnation: a fresh instance, driven to the requested state, in one task. */
  private void startIncarnation() {
    incarnation++;
    current = NodeState.CREATED;
    context = new RunningContext(path, env.hostId(), new Params(spec.params()), incarnation, reportsOf(incarnation),
        checkpoints, settings.maxCheckpointSize());
    node = null;
    submit(true, removing ? List.of() : steps(NodeState.CREATED, requested));
  }

  private static List<LifecycleAction> steps(NodeState from, NodeState to) {
    List<LifecycleAction> steps = new ArrayList<>();
    NodeState at = from;
    for (Optional<LifecycleAction> next = Lifecycle.nextAction(at, to); next.isPresent(); next = Lifecycle.nextAction(at, to)) {
      steps.add(next.get());
      at = next.get().target();
    }
    return steps;
  }

  /** Starts a node task of the current incarnation: a new instance first if {@code instantiate}, then {@code steps}. */
  private void submit(boolean instantiate, List<LifecycleAction> steps) {
    phase = Phase.BUSY;
    ActorRef<Command> self = getContext().getSelf();
    int inc = incarnation;
    NodeTask next = new NodeTask(inc, instantiate, steps, () -> self.tell(new Progress(inc)));
    work = next;
    armCallbackTimer(instantiate ? "the constructor of " + spec.type() : next.running().callName() + "()", next.running());
    HostEnvironment host = env;
    NodeSpec nodeSpec = spec;
    NodePath nodePath = path;
    next.start(nodeExecutor, path.toString(), node, context, () -> host.newNode(nodePath, nodeSpec));
  }

  /** Handles every report the task has queued, in order, until one ends this behaviour. */
  private Behavior<Command> onProgress(Progress progress) {
    NodeTask task = work;
    if (task == null || progress.incarnation() != task.incarnation()) {
      return this;
    }
    task.rearm();
    for (NodeTask.Report report = task.poll(); report != null && work == task; report = task.poll()) {
      Behavior<Command> next;
      if (report instanceof NodeTask.Instantiated instantiated) {
        next = onInstantiated(instantiated);
      } else if (report instanceof NodeTask.StepDone done) {
        next = onStepDone(done);
      } else {
        next = onTaskEnded();
      }
      if (next != this) {
        return next;
      }
    }
    return this;
  }

  /** Watches the callback in flight: a stop of a process node may take its stop grace, and some more. */
  private void armCallbackTimer(String what, LifecycleAction action) {
    Duration limit = settings.callbackTimeout();
    if (action == LifecycleAction.STOP && spec.forProcess()) {
      Duration grace = spec.process().stopGrace().plusSeconds(10);
      limit = grace.compareTo(limit) > 0 ? grace : limit;
    }
    timers.startSingleTimer(CALLBACK_TIMER, new CallbackTimedOut(incarnation, what), limit);
  }

  private Behavior<Command> onInstantiated(NodeTask.Instantiated message) {
    if (message.error() != null) {
      if (!created) {
        // The first instance could not be made: nothing was created.
        timers.cancelAll();
        ErrorCode code = message.error() instanceof NodeTypeException e ? e.code() : ErrorCode.INVALID_ARGUMENT;
        String reason = message.error() instanceof NodeTypeException
            ? message.error().getMessage()
            : "node type " + spec.type() + " could not be instantiated: " + describe(message.error());
        env.events().tell(new Rejected(path, code, reason));
        return Behaviors.stopped();
      }
      work = null;
      return crash("constructor of " + spec.type() + " threw " + describe(message.error()), message.error());
    }
    node = message.node();
    boolean first = !created;
    created = true;
    enter(NodeState.CREATED);
    if (!work.hasSteps()) {
      timers.cancel(CALLBACK_TIMER);
    } else {
      armCallbackTimer(work.running().callName() + "()", work.running());
    }
    if (first || requested == NodeState.CREATED || !work.hasSteps()) {
      emit();
    }
    return this;
  }

  private Behavior<Command> onStepDone(NodeTask.StepDone done) {
    if (done.error() != null) {
      return crash(done.action().callName() + "() threw " + describe(done.error()), done.error());
    }
    if (done.action() == LifecycleAction.CONFIGURE && done.keepalive() != null) {
      keepaliveDeadline = done.keepalive();
    }
    enter(done.action().target());
    LifecycleAction next = work.advancePast(done.action());
    if (next != null) {
      armCallbackTimer(next.callName() + "()", next);
    } else {
      timers.cancel(CALLBACK_TIMER);
    }
    if (current == NodeState.CLOSED) {
      context.end();
      node = null;
    }
    emit();
    return this;
  }

  private Behavior<Command> onTaskEnded() {
    timers.cancel(CALLBACK_TIMER);
    work = null;
    phase = Phase.IDLE;
    if (removing) {
      return continueRemoval();
    }
    drive();
    if (phase == Phase.IDLE && current != requested) {
      emit();
    }
    return this;
  }

  private RunningContext.Reports reportsOf(int inc) {
    ActorRef<Command> self = getContext().getSelf();
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

  private Behavior<Command> continueRemoval() {
    if (node == null || current == NodeState.CLOSED) {
      return finishRemoval();
    }
    submit(false, current == NodeState.RUNNING ? List.of(LifecycleAction.STOP, LifecycleAction.CLOSE) : List.of(LifecycleAction.CLOSE));
    return this;
  }

  private Behavior<Command> finishRemoval() {
    env.processes().ports().releaseNode(path.toString());
    sendCheckpoint();
    timers.cancelAll();
    Node ended = endIncarnation();
    if (current != NodeState.CLOSED && current != NodeState.FAILED) {
      closeInBackground(ended);
    }
    env.events().tell(new Removed(path));
    return Behaviors.stopped();
  }

  private Behavior<Command> onRemoveTimedOut() {
    nodeLog.warn("removal did not finish within {} ms (stuck in {} of {}); removing the node anyway",
        settings.removeTimeout().toMillis(), phase, current);
    abandonWork();
    return finishRemoval();
  }

  // ---- health -----------------------------------------------------------------------------------

  private Behavior<Command> onCrashed(Crashed crashed) {
    if (crashed.incarnation() != incarnation || context == null || !context.alive()) {
      return this;
    }
    return crash(crashed.reason(), crashed.cause());
  }

  private Behavior<Command> onCallbackTimedOut(CallbackTimedOut timeout) {
    if (timeout.incarnation() != incarnation || phase != Phase.BUSY) {
      return this;
    }
    return crash("callback-timeout: " + timeout.what() + " did not return within " + settings.callbackTimeout().toMillis() + " ms",
        null);
  }

  private Behavior<Command> onWatchdogTick() {
    // Only an idle RUNNING node is judged: during a callback, callback-timeout watches for hangs.
    if (phase == Phase.IDLE && current == NodeState.RUNNING && context != null && !keepaliveDeadline.isZero()) {
      long silentNanos = context.nanosSinceKeepalive();
      if (silentNanos > keepaliveDeadline.toNanos()) {
        return crash("deadlock-detected: no keepalive for " + silentNanos / 1_000_000 + " ms (deadline "
            + keepaliveDeadline.toMillis() + " ms)", null);
      }
    }
    return this;
  }

  private Behavior<Command> onNodeNotified(NodeNotified notified) {
    if (notified.incarnation() == incarnation) {
      nodeLog.info("notification: {}", notified.message());
      env.events().tell(new Notified(path, notified.message(), clock.instant()));
    }
    return this;
  }

  // ---- checkpoints ------------------------------------------------------------------------------

  private Behavior<Command> onCheckpointSaved() {
    if (!timers.isTimerActive(CHECKPOINT_TIMER)) {
      sendCheckpoint();
    }
    return this;
  }

  private Behavior<Command> onCheckpointTick() {
    sendCheckpoint();
    return this;
  }

  /** Sends the latest checkpoint if it is new; then holds further ones back for checkpoint-interval. */
  private void sendCheckpoint() {
    Checkpoint latest = checkpoints.get();
    if (latest != null && latest != sentCheckpoint) {
      sentCheckpoint = latest;
      env.events().tell(new Checkpointed(path, latest));
      timers.startSingleTimer(CHECKPOINT_TIMER, CheckpointTick.INSTANCE, settings.checkpointInterval());
    }
  }

  // ---- crashes ----------------------------------------------------------------------------------

  private Behavior<Command> crash(String reason, Throwable cause) {
    MDC.put(NodeContext.MDC_NODE, path.toString());
    try {
      if (cause != null) {
        nodeLog.error("node crashed: {}", reason, cause);
      } else {
        nodeLog.error("node crashed: {}", reason);
      }
    } finally {
      MDC.remove(NodeContext.MDC_NODE);
    }
    boolean crashedInClose = work != null && work.running() == LifecycleAction.CLOSE;
    process().map(ProcessControl::exit).ifPresent(exit -> lastExit = exit);
    abandonWork();
    Node ended = endIncarnation();
    boolean closeEnded = current != NodeState.CLOSED && !crashedInClose;
    lastFailure = reason;
    lastFailureAt = clock.instant();
    enter(NodeState.FAILED);
    phase = Phase.HELD;
    try {
      if (removing) {
        return finishRemoval();
      }
      if (mode == Mode.MANAGED) {
        stalled = true;
        nodeLog.warn("MANAGED node stalled after a crash; waiting for a new request or a revive");
        emit();
        return this;
      }
      Optional<Duration> delay = restartTracker.onCrash(lastFailureAt);
      if (delay.isEmpty()) {
        lastFailure = reason + " (restart budget spent: " + policy.maxRestarts() + " restarts within "
            + policy.window().toMillis() + " ms; the node stays FAILED until a new request)";
        nodeLog.error("restart budget spent ({} restarts within {} ms); node stays FAILED until a new request",
            policy.maxRestarts(), policy.window().toMillis());
        emit();
        return this;
      }
      phase = Phase.BACKING_OFF;
      emit();
      if (delay.get().isZero()) {
        // At once, and before the ended instance is closed: the replacement gets the first free node thread.
        restarts++;
        startIncarnation();
      } else {
        nodeLog.info("restarting in {} ms", delay.get().toMillis());
        timers.startSingleTimer(RESTART_TIMER, new RestartDue(incarnation), delay.get());
      }
      return this;
    } finally {
      if (closeEnded) {
        closeInBackground(ended);
      }
    }
  }

  private Behavior<Command> onRestartDue(RestartDue due) {
    if (due.incarnation() != incarnation || phase != Phase.BACKING_OFF) {
      return this;
    }
    restarts++;
    startIncarnation();
    return this;
  }

  /** Stops the work in flight: its reports are ignored from now on, and its thread is interrupted. */
  private void abandonWork() {
    timers.cancel(CALLBACK_TIMER);
    if (work != null) {
      work.abandon();
      work = null;
    }
  }

  /** Ends the current instance: its reports are ignored from now on. Returns it, or null. */
  private Node endIncarnation() {
    timers.cancel(WATCHDOG_TIMER);
    if (context != null) {
      context.end();
    }
    Node old = node;
    node = null;
    return old;
  }

  /** Closes an ended instance on a node thread, best effort, unawaited. */
  private void closeInBackground(Node old) {
    if (old != null) {
      onNodeThread(() -> {
        try {
          old.close();
        } catch (Throwable t) {
          nodeLog.warn("close() of the ended instance threw {}", describe(t));
        }
      });
    }
  }

  /** Runs node-side work on a node thread, with the node's path in the MDC; unawaited. */
  private void onNodeThread(Runnable work) {
    String tag = path.toString();
    nodeExecutor.execute(() -> {
      MDC.put(NodeContext.MDC_NODE, tag);
      try {
        work.run();
      } finally {
        MDC.remove(NodeContext.MDC_NODE);
      }
    });
  }

  // ---- status -----------------------------------------------------------------------------------

  private void enter(NodeState state) {
    Instant now = clock.instant();
    if (state == NodeState.RUNNING && context != null) {
      context.resetKeepalive();
      if (!keepaliveDeadline.isZero()) {
        Duration every = keepaliveDeadline.dividedBy(4);
        timers.startTimerWithFixedDelay(WATCHDOG_TIMER, WatchdogTick.INSTANCE,
            every.compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10) : every);
      }
    } else if (current == NodeState.RUNNING) {
      timers.cancel(WATCHDOG_TIMER);
    }
    current = state;
    since = now;
  }

  private Behavior<Command> onStabilityTick() {
    double now = stability.stability(clock.instant());
    if (Math.abs(now - emittedStability) >= 0.01 || now >= 0.995) {
      emit();
    }
    if (emittedStability >= 0.995) {
      timers.cancel(STABILITY_TIMER);
    }
    return this;
  }

  private void emit() {
    Instant now = clock.instant();
    boolean arrived = current == requested;
    if (arrived) {
      restartTracker.arrived(now);
    }
    stability.record(now, arrived);
    emittedStability = stability.stability(now);
    if (emittedStability < 0.995 && !timers.isTimerActive(STABILITY_TIMER)) {
      timers.startTimerWithFixedDelay(STABILITY_TIMER, StabilityTick.INSTANCE, settings.stabilityRefresh());
    }
    Optional<ProcessControl> process = process();
    Long pid = process.map(ProcessControl::pid).orElse(null);
    process.map(ProcessControl::exit).ifPresent(exit -> lastExit = exit);
    // Times in milliseconds, as they cross the wire: a status reads the same from a local host and a remote one.
    env.events().tell(new StatusChanged(new NodeStatus(path, env.hostId(), spec.type(), current, requested, mode,
        stalled, restarts, lastFailure, millis(lastFailureAt), round(emittedStability), null, pid, lastExit, millis(since), seq)));
  }

  private static Instant millis(Instant time) {
    return time == null ? null : time.truncatedTo(ChronoUnit.MILLIS);
  }

  private static double round(double value) {
    return Math.round(value * 1000.0) / 1000.0;
  }

  static String describe(Throwable error) {
    String message = error.getMessage();
    return error.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
  }
}
