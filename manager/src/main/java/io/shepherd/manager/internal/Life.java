package io.shepherd.manager.internal;

import akka.actor.typed.ActorRef;
import io.shepherd.protocol.ManagerProtocol.Reply;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a group or a node is in its life at the Manager ({@link Phase}), with the callers waiting
 * for its creation and for its removal.
 */
final class Life {

  private Phase phase;
  private long createdAt;
  private ActorRef<Reply> createReply;
  private final List<ActorRef<Reply>> removeReplies = new ArrayList<>();

  private Life(Phase phase) {
    this.phase = phase;
  }

  /** In desired state already (loaded, or declared by a site file). */
  static Life present() {
    return new Life(Phase.PRESENT);
  }

  /** Asked of its host at {@code now} by {@code replyTo}; desired state once the host has it. */
  static Life creating(ActorRef<Reply> replyTo, long now) {
    Life life = new Life(Phase.CREATING);
    life.createdAt = now;
    life.createReply = replyTo;
    return life;
  }

  Phase phase() {
    return phase;
  }

  /** Its host has it and it is in desired state. */
  void toPresent() {
    if (phase == Phase.CREATING) {
      phase = Phase.PRESENT;
    }
  }

  /** Out of desired state, its host removing it; false if it already was. {@code replyTo} (if any) waits for the end. */
  boolean startRemoval(ActorRef<Reply> replyTo) {
    if (replyTo != null) {
      removeReplies.add(replyTo);
    }
    if (phase == Phase.REMOVING) {
      return false;
    }
    phase = Phase.REMOVING;
    return true;
  }

  List<ActorRef<Reply>> takeRemoveReplies() {
    List<ActorRef<Reply>> taken = List.copyOf(removeReplies);
    removeReplies.clear();
    return taken;
  }

  /** True while a caller waits for its creation. */
  boolean awaitsCreation() {
    return phase == Phase.CREATING && createReply != null;
  }

  ActorRef<Reply> takeCreateReply() {
    ActorRef<Reply> taken = createReply;
    createReply = null;
    return taken;
  }

  /** True if its creation has waited longer than {@code limitNanos} at {@code now}. */
  boolean createOverdue(long now, long limitNanos) {
    return awaitsCreation() && now - createdAt > limitNanos;
  }
}
