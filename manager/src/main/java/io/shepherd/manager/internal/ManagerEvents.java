package io.shepherd.manager.internal;

import akka.actor.typed.ActorRef;
import io.shepherd.protocol.Event;
import io.shepherd.protocol.Fault;
import io.shepherd.protocol.ManagerProtocol.EventBatch;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Manager's events: numbered in publication order, the newest kept in a bounded buffer, and
 * streamed in batches to the API members' event hubs. Owned by the Manager actor and used only
 * inside its message handling.
 *
 * <p>Events published while handling a burst of messages leave together: the first one asks the
 * Manager (through {@code requestFlush}) to send itself a flush, which it handles after the
 * messages already queued. A subscriber is never waited for; one that misses a batch (a message
 * dropped on the way) sees the gap in the numbering and subscribes again from its last event.
 */
public final class ManagerEvents {

  /** Most events one batch carries: far below the largest message members exchange. */
  static final int BATCH = 500;

  private final long epoch;
  private final int capacity;
  private final Runnable requestFlush;
  private final ArrayDeque<Event> buffer = new ArrayDeque<>();
  private final List<Event> pending = new ArrayList<>();
  private final Map<ActorRef<EventBatch>, Boolean> subscribers = new HashMap<>();
  private long nextSeq = 1;
  private boolean flushRequested;

  /**
   * @param epoch the Manager incarnation's epoch: every event is numbered in it
   * @param capacity how many of the newest events are kept for subscribers that resume
   * @param requestFlush asks the Manager to call {@link #flush()} once it has handled what is queued
   */
  public ManagerEvents(long epoch, int capacity, Runnable requestFlush) {
    this.epoch = epoch;
    this.capacity = capacity;
    this.requestFlush = requestFlush;
  }

  /** A new event of {@code type}, stamped now; {@link #publish} numbers it. */
  public static Event event(String type) {
    return Event.of(0, 0, Instant.now(), type);
  }

  /** Tells the client that manages a node (if any) of a fault, as a {@value Event#FAULT} event for it. */
  public void report(NodeEntry node, Fault fault) {
    if (node.managedBy() != null) {
      publish(Event.ofFault(0, 0, fault, node.managedBy()));
    }
  }

  /** Numbers an event (its epoch and seq are ignored), keeps it, and sends it with the next flush. */
  public Event publish(Event event) {
    Event numbered = event.numbered(epoch, nextSeq++);
    buffer.addLast(numbered);
    if (buffer.size() > capacity) {
      buffer.removeFirst();
    }
    if (!subscribers.isEmpty()) {
      pending.add(numbered);
      if (!flushRequested) {
        flushRequested = true;
        requestFlush.run();
      }
    }
    return numbered;
  }

  /** Sends what was published since the last flush to every subscriber. */
  public void flush() {
    flushRequested = false;
    if (pending.isEmpty()) {
      return;
    }
    for (ActorRef<EventBatch> subscriber : subscribers.keySet()) {
      send(subscriber, pending, false);
    }
    pending.clear();
  }

  /**
   * Adds (or re-adds) a subscriber and sends it what it asked for: the events after
   * {@code afterSeq} of {@code fromEpoch} if they are all still here, else everything kept, marked
   * as a reset.
   *
   * @return true if it is a new subscriber (the Manager watches it)
   */
  public boolean subscribe(long fromEpoch, long afterSeq, ActorRef<EventBatch> subscriber) {
    flush();
    long oldest = buffer.isEmpty() ? nextSeq : buffer.peekFirst().seq();
    boolean complete = fromEpoch == epoch && afterSeq >= oldest - 1 && afterSeq < nextSeq;
    List<Event> replay = new ArrayList<>();
    for (Event event : buffer) {
      if (!complete || event.seq() > afterSeq) {
        replay.add(event);
      }
    }
    send(subscriber, replay, !complete);
    return subscribers.put(subscriber, Boolean.TRUE) == null;
  }

  public void unsubscribe(ActorRef<EventBatch> subscriber) {
    subscribers.remove(subscriber);
  }

  /** The number the next event will have. */
  public long nextSeq() {
    return nextSeq;
  }

  private void send(ActorRef<EventBatch> subscriber, List<Event> events, boolean reset) {
    if (events.isEmpty()) {
      subscriber.tell(new EventBatch(epoch, List.of(), reset));
      return;
    }
    for (int from = 0; from < events.size(); from += BATCH) {
      subscriber.tell(new EventBatch(epoch, events.subList(from, Math.min(events.size(), from + BATCH)), reset && from == 0));
    }
  }
}
