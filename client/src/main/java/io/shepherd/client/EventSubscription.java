package io.shepherd.client;

import io.shepherd.protocol.Event;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A live subscription to the cluster's events ({@link ShepherdClient#subscribeEvents}). Events
 * reach the consumer in order, on the subscription's own thread; after a reconnection it resumes
 * from the last event it saw, so none is missed while the Manager lives, and a
 * {@value Event#RESYNC} event says when some were (a Manager failover).
 */
public final class EventSubscription implements AutoCloseable {

  private final SseStream stream;
  private final Unreadable unreadable = new Unreadable("an event");

  EventSubscription(Http http, String path, Consumer<Event> consumer) {
    this.stream = new SseStream(http, "shepherd-events", lastId -> path, new SseStream.Listener() {
      @Override
      public void onEvent(SseStream.SseEvent event) {
        Event read;
        try {
          read = http.json().readValue(event.data(), Event.class);
        } catch (IOException e) {
          unreadable.skipped(e);
          return;
        }
        consumer.accept(read);
      }
    }, null).start();
  }

  /** How many events were skipped because this client cannot read them (a newer member's values); 0 normally. */
  public long unreadable() {
    return unreadable.count();
  }

  /** Waits until the stream is connected (events from then on are delivered); false if it was not within {@code timeout}. */
  public boolean awaitConnected(Duration timeout) {
    return stream.awaitConnected(timeout);
  }

  /** The id of the last event delivered ({@code EPOCH-SEQ}), or null. */
  public String lastId() {
    return stream.lastId();
  }

  /** Ends the subscription; the consumer gets no event afterwards (one in progress finishes). */
  @Override
  public void close() {
    stream.close();
  }
}
