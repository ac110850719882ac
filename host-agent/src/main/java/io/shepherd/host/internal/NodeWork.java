package io.shepherd.host.internal;

import io.shepherd.host.HostSettings;
import io.shepherd.host.internal.process.ProcessControl;
import io.shepherd.node.Node;
import io.shepherd.node.Params;
import io.shepherd.protocol.Checkpoint;
import io.shepherd.protocol.LifecycleAction;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * The instance side of one node, owned by its {@link NodeRunner}: the current {@link Incarnation},
 * the state its instance is in and since when, and the {@link HangWatch} over its callbacks. The
 * runner decides (requests, mode, crashes, removal); this class carries each decision out on the
 * instance and keeps its state in step with what the node's task reports. Runs inside the runner's
 * message handling only; the node's own code runs on node threads.
 */
final class NodeWork {

  /** How an incarnation's task and its node reach the runner. */
  interface Wiring {
    /** Tells the runner that the task of {@code incarnation} has reports queued (called on a node thread). */
    Runnable wake(int incarnation);

    /** Where the node of {@code incarnation} says things of itself: failures, notifications, checkpoints. */
    Consumer<RunningContext.Signal> signals(int incarnation);
  }

  /** What a crash left: the instance to close in the background, if it is to be closed. */
  record Ended(Node toClose) {}

  /** What the runner has to decide once the reports a task had queued are taken in. */
  sealed interface Turn {}

  /** Nothing: the task goes on, or its reports came late. */
  enum Working implements Turn { INSTANCE }

  /** The task ran its course, or was stopped between two steps. */
  enum Finished implements Turn { INSTANCE }

  /** The constructor or a callback threw; {@code nothingMade}: no instance of the node was ever made. */
  record Threw(String reason, Throwable error, boolean nothingMade) implements Turn {}

  /** Told of each state the node entered, in order; {@code settled}: no step follows, or it is the node's first instance. */
  interface Entered {
    void entered(boolean settled);
  }

  private final NodePath path;
  private final NodeSpec spec;
  private final HostEnvironment env;
  private final HostSettings settings;
  private final Executor nodeThreads;
  private final Logger nodeLog;
  private final int previousIncarnation;
  private final AtomicReference<Checkpoint> checkpoints;
  private final HangWatch<?> hangs;
  private final Wiring wiring;
  private final Clock clock;
  private Incarnation incarnation;
  private NodeState current = NodeState.CREATED;
  private Instant since;
  private boolean created;
  private String agentClass;

  /**
   * @param nodeThreads where the node's code runs ({@code shepherd.host.node-dispatcher})
   * @param checkpoints the node's last checkpoint, shared by its incarnations
   * @param previousIncarnation the node's last run, which the first incarnation here counts on from; 0 if none
   */
  NodeWork(NodePath path, NodeSpec spec, HostEnvironment env, Executor nodeThreads, Logger nodeLog,
           AtomicReference<Checkpoint> checkpoints, int previousIncarnation, HangWatch<?> hangs, Wiring wiring, Clock clock) {
    this.path = path;
    this.spec = spec;
    this.env = env;
    this.settings = env.settings();
    this.nodeThreads = nodeThreads;
    this.nodeLog = nodeLog;
    this.checkpoints = checkpoints;
    this.previousIncarnation = previousIncarnation;
    this.hangs = hangs;
    this.wiring = wiring;
    this.clock = clock;
    this.since = clock.instant();
  }

  /** The number of the current incarnation (of the node's last run before this host's first). */
  int incarnationNumber() {
    return incarnation == null ? previousIncarnation : incarnation.number();
  }

  NodeState current() {
    return current;
  }

  Instant since() {
    return since;
  }

  /** OCS's agent_class: the executable of a process node, or the class of the node's instance once one was made. */
  String agentClass() {
    return spec.forProcess() ? spec.process().command().get(0) : agentClass;
  }

  /** The current incarnation; null before the first. */
  Incarnation incarnation() {
    return incarnation;
  }

  /** The process controls of the current instance, if it runs an OS process. */
  Optional<ProcessControl> process() {
    return incarnation.process();
  }

  /** True if {@code number} is the current incarnation. */
  boolean isCurrent(int number) {
    return incarnation != null && incarnation.number() == number;
  }

  /** The task of incarnation {@code number} if it is the one in flight, else null (a late report). */
  private NodeTask task(int number) {
    NodeTask task = incarnation.work();
    return task != null && task.incarnation() == number ? task : null;
  }

  /** True if the instance can be driven: it exists and is not closed. */
  boolean hasOpenInstance() {
    return incarnation.hasInstance() && current != NodeState.CLOSED;
  }

  // ---- carrying out the runner's decisions ------------------------------------------------------

  /** A new incarnation: a fresh instance, then {@code steps} on it, in one task. */
  void begin(List<LifecycleAction> steps) {
    int number = incarnationNumber() + 1;
    current = NodeState.CREATED;
    incarnation = new Incarnation(number, new RunningContext(path, env.hostId(), new Params(spec.params()), number,
        wiring.signals(number), checkpoints, settings.maxCheckpointSize()), nodeThreads, nodeLog, path.toString());
    submit(true, steps);
  }

  /** {@code steps} on the current instance, in one task. */
  void run(List<LifecycleAction> steps) {
    submit(false, steps);
  }

  private void submit(boolean instantiate, List<LifecycleAction> steps) {
    HostEnvironment host = env;
    NodeSpec nodeSpec = spec;
    NodePath nodePath = path;
    NodeTask task = incarnation.start(instantiate, steps, wiring.wake(incarnation.number()), () -> host.newNode(nodePath, nodeSpec));
    if (instantiate) {
      hangs.constructing(incarnation.number(), spec.type());
    } else {
      hangs.calling(incarnation.number(), task.running());
    }
  }

  /** The task in flight stops after the step in progress. */
  void stopAfterStep() {
    incarnation.work().stop();
  }

  /** Enters {@code state} (the runner's own decision: CLOSED without an instance, FAILED after a crash). */
  void enter(NodeState state) {
    if (state != NodeState.STARTING) {
      hangs.notStarting();
    }
    if (state == NodeState.RUNNING) {
      hangs.running(incarnation.context());
    } else if (current == NodeState.RUNNING) {
      hangs.notRunning();
    }
    current = state;
    since = clock.instant();
  }

  // ---- what the task reports --------------------------------------------------------------------

  /**
   * Takes in, in order, every report the task of incarnation {@code number} has queued, telling
   * {@code entered} of each state the node reaches, until one that the runner must decide on.
   */
  Turn takeReports(int number, Entered entered) {
    NodeTask task = task(number);
    if (task == null) {
      return Working.INSTANCE;
    }
    task.rearm();
    for (NodeTask.Report report = task.poll(); report != null; report = task.poll()) {
      if (report instanceof NodeTask.Instantiated made && made.error() != null) {
        if (created) {
          taskEnded();
        }
        return new Threw("constructor of " + spec.type() + " threw " + describe(made.error()), made.error(), !created);
      } else if (report instanceof NodeTask.Instantiated made) {
        boolean first = instantiated(made.node());
        entered.entered(first || !task.hasSteps());
      } else if (report instanceof NodeTask.StepDone done && done.error() != null) {
        return new Threw(done.action().callName() + "() threw " + describe(done.error()), done.error(), false);
      } else if (report instanceof NodeTask.StepDone done) {
        stepDone(done);
        entered.entered(true);
      } else {
        taskEnded();
        return Finished.INSTANCE;
      }
    }
    return Working.INSTANCE;
  }

  /** The task made the instance: the node is CREATED. Returns true if it is the node's first instance. */
  private boolean instantiated(Node node) {
    incarnation.instantiated(node);
    agentClass = node.getClass().getName();
    boolean first = !created;
    created = true;
    enter(NodeState.CREATED);
    NodeTask task = incarnation.work();
    if (!task.hasSteps()) {
      hangs.returned();
    } else {
      hangs.calling(incarnation.number(), task.running());
    }
    return first;
  }

  /** A step returned: the node is at its target, and the next step (if any) is watched. */
  private void stepDone(NodeTask.StepDone done) {
    if (done.action() == LifecycleAction.CONFIGURE && done.keepalive() != null) {
      hangs.keepaliveDeadline(done.keepalive());
    }
    NodeState target = done.action().target();
    if (target == NodeState.RUNNING && spec.readiness().active() && !incarnation.context().isReady()) {
      enter(NodeState.STARTING);
      hangs.starting(incarnation.number(), spec.startTimeout());
    } else {
      enter(target);
    }
    LifecycleAction next = incarnation.work().advancePast(done.action());
    if (next != null) {
      hangs.calling(incarnation.number(), next);
    } else {
      hangs.returned();
    }
    if (current == NodeState.CLOSED) {
      incarnation.closed();
    }
  }

  /** The task has run its course (or ended in an error the runner handles next). */
  private void taskEnded() {
    hangs.returned();
    incarnation.taskEnded();
  }

  /** The node said it is ready: a STARTING node is RUNNING. Returns true if it was STARTING. */
  boolean becameReady() {
    if (current != NodeState.STARTING) {
      return false;
    }
    enter(NodeState.RUNNING);
    return true;
  }

  /** The node set its keepalive deadline at run time: a RUNNING node is watched by it from now. */
  void keepaliveDeadlineChanged() {
    if (current == NodeState.RUNNING) {
      hangs.notRunning();
      hangs.running(incarnation.context());
    }
  }

  /** A STARTING node asked for {@code more} time to become ready. */
  void extendStart(Duration more) {
    if (current == NodeState.STARTING) {
      hangs.starting(incarnation.number(), more);
    }
  }

  /** The node asked for {@code more} time to stop: if its stop() runs, that is watched from now with the new time. */
  void extendStop(Duration more) {
    NodeTask task = incarnation.work();
    if (task != null && task.running() == LifecycleAction.STOP) {
      hangs.stopExtended(incarnation.number(), more);
    }
  }

  // ---- hangs ------------------------------------------------------------------------------------

  /** Why the callback {@code what} counts as hung. */
  String timedOutReason(String what) {
    return hangs.timedOutReason(what);
  }

  /** A missed keepalive of a node idle in RUNNING (during a callback, callback-timeout watches instead). */
  Optional<String> missedKeepalive() {
    return current == NodeState.RUNNING ? hangs.missedKeepalive(incarnation.context()) : Optional.empty();
  }

  // ---- endings ----------------------------------------------------------------------------------

  /**
   * The incarnation crashed: it is logged, its work abandoned (late reports ignored, its thread
   * interrupted), it ends and the node is FAILED. Returns the instance to close, unless it crashed
   * in (or after) its own close.
   */
  Ended crash(String reason, Throwable cause) {
    incarnation.logCrash(reason, cause);
    NodeTask task = incarnation.work();
    boolean crashedInClose = task != null && task.running() == LifecycleAction.CLOSE;
    abandonWork();
    Node instance = end();
    boolean close = current != NodeState.CLOSED && !crashedInClose;
    enter(NodeState.FAILED);
    return new Ended(close ? instance : null);
  }

  /**
   * The instance's process ended by itself and is not to be restarted: the incarnation ends, its
   * work abandoned, and the node is STOPPED without an instance. Returns the instance to close
   * (which ends what is left of its session).
   */
  Ended finish() {
    abandonWork();
    Node instance = end();
    enter(NodeState.STOPPED);
    return new Ended(instance);
  }

  /** The node is being removed: its work is over; an instance left open is closed in the background. */
  void endForRemoval() {
    Node instance = end();
    if (current != NodeState.CLOSED && current != NodeState.FAILED) {
      incarnation.closeInBackground(instance);
    }
  }

  /** Stops the work in flight: its reports are ignored from now on, and its thread is interrupted. */
  void abandonWork() {
    hangs.returned();
    incarnation.abandonWork();
  }

  /** Closes what a crash left, on a node thread, unawaited. */
  void close(Ended ended) {
    incarnation.closeInBackground(ended.toClose());
  }

  private Node end() {
    hangs.notRunning();
    return incarnation.end();
  }

  /** An error for a status or a log line: its class and message. */
  static String describe(Throwable error) {
    String message = error.getMessage();
    return error.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
  }
}
