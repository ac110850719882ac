package io.shepherd.host.internal;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.TimerScheduler;
import io.shepherd.host.NodeTypeException;
import io.shepherd.host.internal.process.ProcessControl;
import io.shepherd.protocol.Checkpoint;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What a {@link NodeRunner} tells its host agent, and the record it keeps for that: the node's
 * restarts, last failure, stability and the last exit of its process; its checkpoints, coalesced
 * (the latest one, at most one per {@code checkpoint-interval}). Runs inside the runner's message
 * handling only.
 */
final class StatusReporter {

  private static final String STABILITY_TIMER = "stability";
  private static final String CHECKPOINT_TIMER = "checkpoint";
  private static final String STATUS_TEXT_TIMER = "status-text";
  /** A node's status texts are sent at most this often; the latest wins. */
  private static final Duration STATUS_TEXT_INTERVAL = Duration.ofMillis(200);

  private final NodePath path;
  private final String hostId;
  private final String type;
  private final ActorRef<NodeEvent> events;
  private final TimerScheduler<NodeRunner.Command> timers;
  private final NodeRunner.Command stabilityTick;
  private final NodeRunner.Command checkpointTick;
  private final NodeRunner.Command statusTextTick;
  private final Duration stabilityRefresh;
  private final Duration checkpointInterval;
  private final Clock clock;
  private final StabilityTracker stability;
  private final AtomicReference<Checkpoint> checkpoints;

  private int restarts;
  private String lastFailure;
  private Instant lastFailureAt;
  private double emittedStability = 1.0;
  private Checkpoint sentCheckpoint;
  /** How the last process of a process node ended, or "running"; null for Java nodes and before a first start. */
  private String lastExit;
  /** What the node last said it is doing, and the text last sent. */
  private String statusText;
  private String sentStatusText;

  /**
   * @param checkpoints where the node's incarnations save their checkpoints; its value now was sent already
   * @param stabilityTick the message the runner handles with {@link #onStabilityTick}
   * @param checkpointTick the message the runner handles with {@link #sendCheckpoint()}
   * @param statusTextTick the message the runner handles with {@link #statusTextDue()}
   */
  StatusReporter(NodePath path, String hostId, String type, ActorRef<NodeEvent> events, TimerScheduler<NodeRunner.Command> timers,
                 NodeRunner.Command stabilityTick, NodeRunner.Command checkpointTick, NodeRunner.Command statusTextTick,
                 Duration stabilityWindow, Duration stabilityRefresh,
                 Duration checkpointInterval, Clock clock, AtomicReference<Checkpoint> checkpoints) {
    this.path = path;
    this.hostId = hostId;
    this.type = type;
    this.events = events;
    this.timers = timers;
    this.stabilityTick = stabilityTick;
    this.checkpointTick = checkpointTick;
    this.statusTextTick = statusTextTick;
    this.stabilityRefresh = stabilityRefresh;
    this.checkpointInterval = checkpointInterval;
    this.clock = clock;
    this.stability = new StabilityTracker(stabilityWindow, clock.instant());
    this.checkpoints = checkpoints;
    this.sentCheckpoint = checkpoints.get();
  }

  /** A new incarnation replaces a crashed or stalled one. */
  void countRestart() {
    restarts++;
  }

  /** The node failed at {@code at}; {@code reason} is what status shows until the next failure. */
  void failed(String reason, Instant at) {
    lastFailure = reason;
    lastFailureAt = at;
  }

  /**
   * The node says what it is doing ({@code text}, null to clear). Returns true if a status is to be
   * sent now: the text changed and none was sent within the last 200 ms; otherwise the tick sends
   * the latest ({@link #statusTextDue}).
   */
  boolean statusText(String text) {
    statusText = text;
    if (Objects.equals(text, sentStatusText) || timers.isTimerActive(STATUS_TEXT_TIMER)) {
      return false;
    }
    timers.startSingleTimer(STATUS_TEXT_TIMER, statusTextTick, STATUS_TEXT_INTERVAL);
    return true;
  }

  /** On the status-text tick: true if a text held back is still to be sent. */
  boolean statusTextDue() {
    if (Objects.equals(statusText, sentStatusText)) {
      return false;
    }
    timers.startSingleTimer(STATUS_TEXT_TIMER, statusTextTick, STATUS_TEXT_INTERVAL);
    return true;
  }

  /** Remembers how the process of a process node ended (or that it runs), before its controls are gone. */
  void noteExit(Optional<ProcessControl> process) {
    process.map(ProcessControl::exit).ifPresent(exit -> lastExit = exit);
  }

  /** Sends the node's status; {@code arrived} (in its requested state) counts towards its stability from now on. */
  void emit(NodeState current, NodeState requested, Mode mode, boolean stalled, Instant since, long seq, int incarnation,
            String nextAction, boolean finished, String agentClass, Optional<ProcessControl> process) {
    Instant now = clock.instant();
    stability.record(now, current == requested);
    emittedStability = stability.stability(now);
    if (emittedStability < 0.995 && !timers.isTimerActive(STABILITY_TIMER)) {
      timers.startTimerWithFixedDelay(STABILITY_TIMER, stabilityTick, stabilityRefresh);
    }
    noteExit(process);
    Long pid = process.map(ProcessControl::pid).orElse(null);
    sentStatusText = statusText;
    // Times in milliseconds, as they cross the wire: a status reads the same from a local host and a remote one.
    events.tell(new NodeEvent.StatusChanged(new NodeStatus(path, hostId, type, current, requested, mode, stalled, restarts,
        lastFailure, millis(lastFailureAt), round(emittedStability), null, pid, lastExit, millis(since), seq, incarnation,
        nextAction, finished, agentClass, statusText, null)));
  }

  /**
   * On a stability tick: sends the status again ({@code emit}) if the stability moved enough since
   * it was last sent, or reached its top; the ticks stop once a sent status shows the node stable.
   */
  void onStabilityTick(Runnable emit) {
    double now = stability.stability(clock.instant());
    if (Math.abs(now - emittedStability) >= 0.01 || now >= 0.995) {
      emit.run();
    }
    if (emittedStability >= 0.995) {
      timers.cancel(STABILITY_TIMER);
    }
  }

  /** The node saved a checkpoint: send it now unless one was sent within the interval (the tick sends the latest). */
  void checkpointSaved() {
    if (!timers.isTimerActive(CHECKPOINT_TIMER)) {
      sendCheckpoint();
    }
  }

  /** Sends the latest checkpoint if it is new; then holds further ones back for checkpoint-interval. */
  void sendCheckpoint() {
    Checkpoint latest = checkpoints.get();
    if (latest != null && latest != sentCheckpoint) {
      sentCheckpoint = latest;
      events.tell(new NodeEvent.Checkpointed(path, latest));
      timers.startSingleTimer(CHECKPOINT_TIMER, checkpointTick, checkpointInterval);
    }
  }

  void notified(String message) {
    events.tell(new NodeEvent.Notified(path, message, clock.instant()));
  }

  /** The node's first instance could not be made, so the node was never created: {@code error} says why. */
  void rejected(String type, Throwable error) {
    String reason = error instanceof NodeTypeException ? error.getMessage()
        : "node type " + type + " could not be instantiated: " + NodeWork.describe(error);
    ErrorCode code = error instanceof NodeTypeException e ? e.code() : ErrorCode.INVALID_ARGUMENT;
    events.tell(new NodeEvent.Rejected(path, code, reason));
  }

  void removed() {
    events.tell(new NodeEvent.Removed(path));
  }

  private static Instant millis(Instant time) {
    return time == null ? null : time.truncatedTo(ChronoUnit.MILLIS);
  }

  private static double round(double value) {
    return Math.round(value * 1000.0) / 1000.0;
  }
}
