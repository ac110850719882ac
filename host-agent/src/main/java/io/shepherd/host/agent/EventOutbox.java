package io.shepherd.host.agent;

import akka.actor.typed.ActorRef;
import io.shepherd.protocol.ManagerProtocol;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * A host's events on their way to the Manager, numbered here. Events that arrive together (a site
 * file's nodes starting) wait for one flush, which the agent is told to make when the first of them
 * comes (so it runs after every message already in its mailbox, and a lone event waits for nothing),
 * and go as {@link ManagerProtocol.HostEvents} of at most {@code perMessage} events each: one
 * message instead of one per event, and none larger than a snapshot's part. A checkpoint, which can
 * be large itself, always goes alone.
 */
final class EventOutbox {

  private final Runnable flushLater;
  private final int perMessage;
  private final List<ManagerProtocol.HostEvent> waiting = new ArrayList<>();
  private long seq;

  /**
   * @param flushLater tells the agent to call {@link #flush} once it has handled its mailbox
   * @param perMessage the most events one message carries
   */
  EventOutbox(Runnable flushLater, int perMessage) {
    this.flushLater = flushLater;
    this.perMessage = perMessage;
  }

  /** The number of the latest event. */
  long seq() {
    return seq;
  }

  /** Numbers the event {@code next} makes and keeps it for the next flush. */
  void add(LongFunction<ManagerProtocol.HostEvent> next) {
    if (waiting.isEmpty()) {
      flushLater.run();
    }
    waiting.add(next.apply(++seq));
  }

  /** Sends what waits to {@code manager}; without one, drops it: the snapshot after the next registration carries it. */
  void flush(ActorRef<ManagerProtocol.Command> manager) {
    if (manager != null) {
      List<ManagerProtocol.HostEvent> batch = new ArrayList<>();
      for (ManagerProtocol.HostEvent event : waiting) {
        if (event instanceof ManagerProtocol.NodeCheckpointed) {
          send(manager, batch);
          manager.tell(event);
        } else {
          batch.add(event);
          if (batch.size() == perMessage) {
            send(manager, batch);
          }
        }
      }
      send(manager, batch);
    }
    waiting.clear();
  }

  /** Sends the batch built so far, if any, and starts the next. */
  private static void send(ActorRef<ManagerProtocol.Command> manager, List<ManagerProtocol.HostEvent> batch) {
    if (batch.size() == 1) {
      manager.tell(batch.get(0));
    } else if (batch.size() > 1) {
      manager.tell(new ManagerProtocol.HostEvents(batch));
    }
    batch.clear();
  }

  /** Drops what waits, as a snapshot that carries it (numbered {@link #seq()}) goes out. */
  void clear() {
    waiting.clear();
  }
}
