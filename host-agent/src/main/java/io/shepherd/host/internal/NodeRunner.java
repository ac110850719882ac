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
import io.shepherd.protocol.Checkpoint;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
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
 * (without an instance until a new request: FAILED and left so, or STOPPED after its process
 * ended by itself). The runner is the protocol, the phases and their message tables; it keeps no
 * state of its own. Its {@link NodeDriver} decides what each message leads to, carries it out and
 * names the next phase; {@link NodeIntent} holds what is asked of the node (request, mode,
 * removal, hold, crash policy); {@link NodeWork} owns the instance side (the current
 * {@link Incarnation}, the state its instance is in, the hang watch); what is reported to the host
 * agent goes through the {@link StatusReporter}, which keeps the node's restarts, last failure,
 * stability and checkpoints.
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

  /** The node of this incarnation was not ready within its start timeout. */
  private record StartTimedOut(int incarnation) implements Command {}

  /** An AUTO node's next incarnation is due (the driver's restart timer). */
  record RestartDue(int incarnation) implements Command {}

  private enum CheckpointTick implements Command { INSTANCE }

  private enum WatchdogTick implements Command { INSTANCE }

  private enum StabilityTick implements Command { INSTANCE }

  private enum StatusTextTick implements Command { INSTANCE }

  /** Removal did not finish within remove-timeout (the driver's remove timer). */
  enum RemoveTimedOut implements Command { INSTANCE }

  private final NodeDriver driver;
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
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      NodeRunner runner = new NodeRunner(ctx, timers, path, spec, requested, seq, checkpoint, previousIncarnation, env);
      return runner.to(runner.driver.startIncarnation());
    }));
  }

  private NodeRunner(ActorContext<Command> ctx, TimerScheduler<Command> timers, NodePath path, NodeSpec spec,
                     NodeState requested, long seq, Checkpoint checkpoint, int previousIncarnation, HostEnvironment env) {
    HostSettings settings = env.settings();
    Logger nodeLog = RunningContext.loggerFor(path);
    Clock clock = Clock.systemUTC();
    NodeIntent intent = new NodeIntent(requested, seq, spec.mode(), new CrashPolicy(spec.restart() != null ? spec.restart()
        : settings.restartPolicy(), spec.autorestart(), () -> ThreadLocalRandom.current().nextDouble()));
    AtomicReference<Checkpoint> checkpoints = new AtomicReference<>(checkpoint);
    StatusReporter reporter = new StatusReporter(path, env.hostId(), spec.type(), env.events(), timers, StabilityTick.INSTANCE,
        CheckpointTick.INSTANCE, StatusTextTick.INSTANCE, settings.stabilityWindow(), settings.stabilityRefresh(),
        settings.checkpointInterval(), clock,
        checkpoints);
    HangWatch<Command> hangs = new HangWatch<>(timers, settings.callbackTimeout(),
        spec.forProcess() ? spec.process().stopGrace() : null, CallbackTimedOut::new, WatchdogTick.INSTANCE, StartTimedOut::new);
    Executor nodeThreads = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(HostSettings.NODE_DISPATCHER));
    NodeWork work = new NodeWork(path, spec, env, nodeThreads, nodeLog, checkpoints, previousIncarnation, hangs,
        wiring(ctx.getSelf()), clock);
    this.driver = new NodeDriver(path, spec, env, timers, nodeLog, clock, intent, reporter, work);
    this.idle = idle();
    this.busy = busy();
    this.backingOff = backingOff();
    this.held = held();
  }

  // ---- phases -----------------------------------------------------------------------------------

  /** No callback in flight: at the requested state (or STARTING on the way to RUNNING), or unable to reach it until a new request. */
  private Behavior<Command> idle() {
    return common(Behaviors.receive(Command.class)
        .onMessage(Request.class, m -> to(driver.requestWhenIdle(m)))
        .onMessage(Remove.class, m -> to(driver.removeWhenIdle()))
        .onMessage(WatchdogTick.class, m -> to(driver.watchdogTick()))
        .onMessage(StartTimedOut.class, m -> to(driver.startTimedOut(m.incarnation()))));
  }

  /** A node task runs on a node thread: a new instance and/or lifecycle steps, each reported as it completes. */
  private Behavior<Command> busy() {
    return common(Behaviors.receive(Command.class)
        .onMessage(Request.class, m -> to(driver.requestWhenBusy(m)))
        .onMessage(Remove.class, m -> to(driver.removeWhenBusy()))
        .onMessage(Progress.class, m -> to(driver.progress(m.incarnation())))
        .onMessage(CallbackTimedOut.class, m -> to(driver.callbackTimedOut(m.incarnation(), m.what()))));
  }

  /** Crashed; an AUTO node's next incarnation is due after a backoff. */
  private Behavior<Command> backingOff() {
    return common(Behaviors.receive(Command.class)
        .onMessage(Request.class, m -> to(driver.requestWhenHeld(m)))
        .onMessage(Remove.class, m -> to(driver.removeWhenHeld()))
        .onMessage(RestartDue.class, m -> to(driver.restartDue(m.incarnation()))));
  }

  /**
   * Without an instance until a new request (or AUTO for a stalled node): FAILED (a MANAGED node stalled, an AUTO node whose
   * restart budget is spent or that is never restarted), or STOPPED after its process ended by itself (finished).
   */
  private Behavior<Command> held() {
    return common(Behaviors.receive(Command.class)
        .onMessage(Request.class, m -> to(driver.requestWhenHeld(m)))
        .onMessage(Remove.class, m -> to(driver.removeWhenHeld())));
  }

  /** What every phase handles alike; anything else a phase does not name is a late message of an earlier phase, ignored. */
  private Behavior<Command> common(BehaviorBuilder<Command> phase) {
    return phase
        .onMessage(SetMode.class, m -> to(driver.setMode(m.mode())))
        .onMessage(Kill.class, m -> stay(driver::kill))
        .onMessage(SendInput.class, m -> stay(() -> driver.sendInput(m.line(), m.replyTo())))
        .onMessage(Signalled.class, m -> to(driver.signalled(m.incarnation(), m.signal())))
        .onMessage(CheckpointTick.class, m -> stay(driver::checkpointTick))
        .onMessage(StabilityTick.class, m -> stay(driver::stabilityTick))
        .onMessage(StatusTextTick.class, m -> stay(driver::statusTextTick))
        .onMessage(RemoveTimedOut.class, m -> to(driver.removeTimedOut()))
        .onMessage(Command.class, m -> Behaviors.same())
        .build();
  }

  /** The behaviour of the phase the driver named. */
  private Behavior<Command> to(NodeDriver.Next next) {
    return switch (next) {
      case STAY -> Behaviors.same();
      case IDLE -> idle;
      case BUSY -> busy;
      case BACKING_OFF -> backingOff;
      case HELD -> held;
      case GONE -> Behaviors.stopped();
    };
  }

  private static Behavior<Command> stay(Runnable action) {
    action.run();
    return Behaviors.same();
  }

  /** How the node's thread and its own calls reach the runner: as messages of the incarnation they belong to. */
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
}
