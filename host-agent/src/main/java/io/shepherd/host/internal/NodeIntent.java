package io.shepherd.host.internal;

import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NextAction;
import io.shepherd.protocol.NodeState;
import java.time.Instant;

/**
 * What is asked of one node, and whether it is held: the requested state and the number of the
 * request that asked for it, the node's mode, whether it is being removed, and whether it waits
 * for a new request: FAILED after a crash (stalled, or not to be restarted), or STOPPED after its
 * process ended by itself and its autorestart policy keeps it so (finished). The
 * {@link CrashPolicy} it owns decides what a crash leads to. Pure state, changed only through
 * these methods; not thread-safe, owned by one {@link NodeRunner}.
 */
final class NodeIntent {

  /** Why a FAILED node is left so until a new request. */
  enum Hold {
    /** Not held. */
    NONE,
    /** A MANAGED node crashed: its manager decides. */
    STALLED,
    /** An AUTO node spent its restart budget, or is never restarted. */
    GAVE_UP,
    /** Its process ended by itself and is not to be restarted: STOPPED until the Manager makes that its requested state. */
    FINISHED
  }

  private final CrashPolicy crashes;
  private NodeState requested;
  private long seq;
  private Mode mode;
  private Hold hold = Hold.NONE;
  private boolean removing;

  NodeIntent(NodeState requested, long seq, Mode mode, CrashPolicy crashes) {
    this.requested = requested;
    this.seq = seq;
    this.mode = mode;
    this.crashes = crashes;
  }

  /** A request numbered below the last one taken is out of date and must be ignored. */
  boolean isOutdated(long requestSeq) {
    return requestSeq < seq;
  }

  /**
   * Takes a request that is not out of date; a change of state starts the node's way there afresh.
   *
   * @return whether it changed what is requested or the request's number
   */
  boolean take(NodeState newRequested, long newSeq) {
    boolean changed = newRequested != requested || newSeq != seq;
    seq = newSeq;
    if (newRequested != requested) {
      requested = newRequested;
      crashes.departed();
    }
    return changed;
  }

  /** A new request (or a revive) is the way out of FAILED: the hold ends and the crash budget starts over. */
  void release() {
    crashes.reset();
    hold = Hold.NONE;
  }

  /** @return whether the mode changed */
  boolean setMode(Mode newMode) {
    if (newMode == mode) {
      return false;
    }
    mode = newMode;
    return true;
  }

  /** A stalled node that no one manages any more (now AUTO) recovers by itself: true, and it is released. */
  boolean recoversAlone() {
    if (mode != Mode.AUTO || hold != Hold.STALLED || removing) {
      return false;
    }
    release();
    return true;
  }

  /** @return true the first time: removal starts now */
  boolean startRemoving() {
    if (removing) {
      return false;
    }
    removing = true;
    return true;
  }

  /** What a crash at {@code at} leads to; a stall or a spent budget holds the node. */
  CrashPolicy.Decision crashed(Instant at) {
    CrashPolicy.Decision decision = crashes.decide(mode, at);
    if (decision instanceof CrashPolicy.Stall) {
      hold = Hold.STALLED;
    } else if (decision instanceof CrashPolicy.GiveUp) {
      hold = Hold.GAVE_UP;
    }
    return decision;
  }

  /** The node's process ended by itself and is not to be restarted: it waits, STOPPED, for a new request. */
  void finish() {
    hold = Hold.FINISHED;
  }

  /** The node is in {@code current} at {@code now}: if that is the requested state, it has arrived (its crash budget counts from here). */
  void observe(NodeState current, Instant now) {
    if (current == requested) {
      crashes.arrived(now);
    }
  }

  /** What Shepherd will do next with the node, from {@code current} (OCS's {@code next_action}). */
  String nextAction(NodeState current) {
    return NextAction.of(current, requested, hold != Hold.NONE, removing);
  }

  NodeState requested() {
    return requested;
  }

  long seq() {
    return seq;
  }

  Mode mode() {
    return mode;
  }

  boolean stalled() {
    return hold == Hold.STALLED;
  }

  boolean finished() {
    return hold == Hold.FINISHED;
  }

  boolean removing() {
    return removing;
  }
}
