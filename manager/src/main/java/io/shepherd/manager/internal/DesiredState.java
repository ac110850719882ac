package io.shepherd.manager.internal;

import akka.actor.typed.ActorRef;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * The Manager's door to its {@link DesiredStore}: each write is numbered, and its continuation
 * runs when the store says whether a majority of manager members has it (true) or only this
 * member (false). Runs only inside the Manager's message handling.
 */
public final class DesiredState {

  private static final Consumer<Boolean> NOTHING = replicated -> {};

  private final ActorRef<DesiredStore.Command> store;
  private final ActorRef<DesiredStore.Stored> replies;
  private final Map<Long, Consumer<Boolean>> pending = new HashMap<>();
  private long nextOp;

  /**
   * @param replies where the store answers; the Manager hands each answer to {@link #stored}
   */
  public DesiredState(ActorRef<DesiredStore.Command> store, ActorRef<DesiredStore.Stored> replies) {
    this.store = store;
    this.replies = replies;
  }

  /** Writes the node as it is now. */
  public void put(NodeEntry node, Consumer<Boolean> then) {
    write(op -> new DesiredStore.PutNode(node.desired(), op, replies), then);
  }

  /** Writes the group as it is now. */
  public void put(GroupEntry group, Consumer<Boolean> then) {
    write(op -> new DesiredStore.PutGroup(group.desired(), op, replies), then);
  }

  public void put(GroupEntry group) {
    put(group, NOTHING);
  }

  public void delete(NodeEntry node) {
    write(op -> new DesiredStore.DeleteNode(node.path(), op, replies), NOTHING);
  }

  public void delete(NodeEntry node, Consumer<Boolean> then) {
    write(op -> new DesiredStore.DeleteNode(node.path(), op, replies), then);
  }

  public void delete(GroupEntry group, Consumer<Boolean> then) {
    write(op -> new DesiredStore.DeleteGroup(group.path(), op, replies), then);
  }

  /** Writes the node's latest checkpoint. */
  public void putCheckpoint(NodeEntry node) {
    write(op -> new DesiredStore.PutCheckpoint(node.path(), node.checkpoint(), op, replies), NOTHING);
  }

  /** Deletes the node's checkpoint, if it has one. */
  public void deleteCheckpoint(NodeEntry node) {
    if (node.checkpoint() != null) {
      write(op -> new DesiredStore.DeleteCheckpoint(node.path(), op, replies), NOTHING);
    }
  }

  /** The store's answer to a write: runs its continuation. */
  public void stored(DesiredStore.Stored stored) {
    Consumer<Boolean> then = pending.remove(stored.op());
    if (then != null) {
      then.accept(stored.replicated());
    }
  }

  private void write(LongFunction<DesiredStore.Command> command, Consumer<Boolean> then) {
    long op = ++nextOp;
    pending.put(op, then);
    store.tell(command.apply(op));
  }
}
